import { expect, type Page, type TestInfo } from '@playwright/test';
import { join } from 'node:path';
import { importDialog, readCanvasBytes, type CanvasBytes } from './appDriver.ts';
import { fixturesDirectory, squareAt, squareClip } from './e2eEnvironment.ts';

/** Helpers of the annotation specs: frame coordinates ↔ mouse, overlay pixels read back, propagation runs. */

/** Saves a screenshot into the test's output folder (test-results/e2e/…) and attaches it to the report. */
export async function snapStep(page: Page, testInfo: TestInfo, step: string): Promise<void> {
  const path = testInfo.outputPath(`${step}.png`);
  await page.screenshot({ path });
  await testInfo.attach(step, { path, contentType: 'image/png' });
}

/** Imports the square clip by typing its path, and waits for frame 0 and its (empty) labels. */
export async function importSquareClip(page: Page): Promise<void> {
  await page.getByTestId('empty-import').click();
  const dialog = importDialog(page);
  await expect(dialog.getByTestId('import-path')).not.toHaveValue('');
  await dialog.getByTestId('import-path').fill(join(fixturesDirectory(), squareClip.fileName));
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0);
  await expectFrameShown(page, 0);
}

/** Waits until the frame canvas and the overlay both hold frame n. */
export async function expectFrameShown(page: Page, frameIndex: number): Promise<void> {
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', String(frameIndex));
  await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-frame-index', String(frameIndex));
}

/** Moves the playhead by clicking the frame's cell on the thumbnail strip. */
export async function seekFrame(page: Page, frameIndex: number): Promise<void> {
  const box = (await page.getByTestId('thumbnail-strip').boundingBox())!;
  await page.mouse.click(box.x + ((frameIndex + 0.5) / squareClip.frameCount) * box.width, box.y + box.height / 2);
  await expect(page.getByTestId('frame-input')).toHaveValue(String(frameIndex));
  await expectFrameShown(page, frameIndex);
}

/** Client coordinates of a point given in frame pixels (the frame canvas spans the zoomed frame exactly). */
export async function clientPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('frame-canvas').boundingBox())!;
  return { x: box.x + (x * box.width) / squareClip.width, y: box.y + (y * box.height) / squareClip.height };
}

/** Drags the mouse through frame points with the left button down (one brush stroke). */
export async function drag(page: Page, points: { x: number; y: number }[], button: 'left' | 'middle' = 'left'): Promise<void> {
  const first = await clientPoint(page, points[0].x, points[0].y);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down({ button });
  for (const point of points.slice(1)) {
    const client = await clientPoint(page, point.x, point.y);
    await page.mouse.move(client.x, client.y, { steps: 8 });
  }
  await page.mouse.up({ button });
}

export async function clickFrame(page: Page, x: number, y: number, button: 'left' | 'right' = 'left'): Promise<void> {
  const client = await clientPoint(page, x, y);
  await page.mouse.click(client.x, client.y, { button });
}

/** Brush size the square is painted with. */
export const squareBrushPx = 24;

/** Brush strokes, one per row, that cover the square of frame n (the brush inset by its radius). */
export async function paintSquare(page: Page, frameIndex: number): Promise<void> {
  const { left, top, size } = squareAt(frameIndex);
  const radius = squareBrushPx / 2;
  for (let y = top + radius; y <= top + size - radius; y += 8) {
    await drag(page, [{ x: left + radius, y }, { x: left + size - radius, y }]);
  }
}

export type OverlayPixels = CanvasBytes;

/** Reads the overlay canvas back (its backing store has the frame's size). */
export function readOverlay(page: Page): Promise<OverlayPixels> {
  return readCanvasBytes(page, 'overlay-canvas');
}

/** Pixels drawn by any object (alpha > 0), or only those near `colour` when given. */
export function overlayMask(pixels: OverlayPixels, colour?: readonly [number, number, number]): Uint8Array {
  const mask = new Uint8Array(pixels.width * pixels.height);
  for (let p = 0; p < mask.length; p++) {
    const [r, g, b, a] = [pixels.rgba[p * 4], pixels.rgba[p * 4 + 1], pixels.rgba[p * 4 + 2], pixels.rgba[p * 4 + 3]];
    if (a === 0) continue;
    if (colour && Math.abs(r - colour[0]) + Math.abs(g - colour[1]) + Math.abs(b - colour[2]) > 24) continue;
    mask[p] = 1;
  }
  return mask;
}

/** Intersection over union of a mask with the square of frame n. */
export function iouWithSquare(mask: Uint8Array, frameIndex: number): number {
  const { left, top, size } = squareAt(frameIndex);
  let intersection = 0;
  let union = 0;
  for (let y = 0; y < squareClip.height; y++) {
    for (let x = 0; x < squareClip.width; x++) {
      const inSquare = x >= left && x < left + size && y >= top && y < top + size;
      const inMask = mask[y * squareClip.width + x] === 1;
      if (inSquare && inMask) intersection++;
      if (inSquare || inMask) union++;
    }
  }
  return union === 0 ? 0 : intersection / union;
}

export async function expectAllSaved(page: Page): Promise<void> {
  await expect(page.getByTestId('status-save')).toHaveText(/All changes saved/);
}

/** Waits until a running propagation has written at least one frame (its bar has moved). */
export async function waitForPropagationProgress(page: Page): Promise<void> {
  const bar = page.getByTestId('propagation-progress').getByRole('progressbar');
  await expect.poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 120_000 }).toBeGreaterThan(0);
}

/**
 * Runs one propagation from the panel and waits for it to end without error; `onProgress` runs once the bar has
 * moved (for a screenshot of the live preview).
 */
export async function propagate(page: Page, mode: 'forward' | 'backward' | 'fill', onProgress?: () => Promise<void>): Promise<string> {
  await page.getByTestId(`propagate-${mode}`).click();
  const progress = page.getByTestId('propagation-progress');
  if (onProgress) {
    await waitForPropagationProgress(page);
    await onProgress();
  }
  await expect(progress).toHaveCount(0, { timeout: 240_000 });
  await expect(page.getByTestId('propagation-error')).toHaveCount(0);
  return (await page.getByTestId('propagation-summary').textContent()) ?? '';
}

export interface JointReading {
  joint: number;
  x: number;
  y: number;
  visibility: number;
}

/** The joints the keypoint layer draws for the active skeleton. */
export async function readJoints(page: Page, objectId: string): Promise<JointReading[]> {
  const circles = page.locator(`[data-testid="skeleton"][data-object-id="${objectId}"] [data-testid="joint"]`);
  return circles.evaluateAll((elements) =>
    elements.map((element) => {
      const data = (element as unknown as { dataset: Record<string, string> }).dataset;
      return { joint: Number(data.joint), x: Number(data.x), y: Number(data.y), visibility: Number(data.visibility) };
    }),
  );
}
