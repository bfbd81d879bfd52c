import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test as base, type Page, type TestInfo } from '@playwright/test';
import { appPath, chromiumIsMissing, chromiumMissingReason, fixturesDirectory, patternClip } from './e2eEnvironment.ts';

/**
 * The specs' `test`: its page fails the test on any uncaught page error or console error (a CSP violation, a failed
 * request, a Vue warning turned error), which a green flow could otherwise hide.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    await use(page);
    expect(problems, 'the page reported errors').toEqual([]);
  },
});

/** Call at the top of a spec file: skips its tests, with the reason, when Debian Chromium is absent. */
export function skipWithoutChromium(): void {
  test.skip(chromiumIsMissing, chromiumMissingReason);
}

/** A project name no earlier test used (all specs share one library). */
export function uniqueProjectName(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}`;
}

/** Saves a full-page screenshot of the current step as a test artifact (and into the test's output folder). */
export async function snap(page: Page, testInfo: TestInfo, step: string): Promise<void> {
  const path = testInfo.outputPath(`${step}.png`);
  await page.screenshot({ path });
  await testInfo.attach(step, { path, contentType: 'image/png' });
}

export async function openApp(page: Page, hash = '#/projects'): Promise<void> {
  await page.goto(`${appPath}${hash}`);
  await expect(page.getByTestId('status-connection')).toHaveText(/Connected/);
}

export async function createProject(page: Page, name: string): Promise<void> {
  await page.getByTestId('new-project').click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Project name').fill(name);
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByTestId('project-title')).toHaveText(name);
}

/** Opens the import dialog and browses to `folder` through the path field. */
export async function browseImportFolder(page: Page, folder: string): Promise<void> {
  await page.getByTestId('open-import').click();
  const dialog = page.getByRole('dialog', { name: 'Import clip' });
  await expect(dialog.getByTestId('import-path')).not.toHaveValue('');
  await dialog.getByTestId('import-path').fill(folder);
  await dialog.getByTestId('import-path').press('Enter');
  await expect(dialog.getByTestId('import-path')).toHaveValue(folder);
}

export function importDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Import clip' });
}

/** Frames of the generated clip as ffmpeg decodes them: frameCount×height×width×3 bytes. */
export function referenceFrames(): Buffer {
  return readFileSync(join(fixturesDirectory(), 'pattern.rgb'));
}

export interface CanvasPixels {
  width: number;
  height: number;
  frameIndex: number;
  /** RGB, height×width×3 */
  rgb: Uint8Array;
}

/** A canvas's backing store read back: its size, the frame it shows and its RGBA bytes (height×width×4). */
export interface CanvasBytes {
  width: number;
  height: number;
  frameIndex: number;
  rgba: Buffer;
}

/**
 * Reads a canvas back by test id. The bytes cross from the page as one base64 string: Playwright serialises an
 * array element by element, which made reading a 320×256 canvas take seconds.
 */
export async function readCanvasBytes(page: Page, testId: string): Promise<CanvasBytes> {
  // The node tsconfig has no DOM lib: describe the little of the canvas and window this reads.
  type CanvasElement = {
    width: number;
    height: number;
    dataset: Record<string, string | undefined>;
    getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
  };
  const read = await page.getByTestId(testId).evaluate((element) => {
    const canvas = element as unknown as CanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    const { btoa } = globalThis as unknown as { btoa(text: string): string };
    return { width: canvas.width, height: canvas.height, frameIndex: Number(canvas.dataset.frameIndex), base64: btoa(binary) };
  });
  const rgba = Buffer.from(read.base64, 'base64');
  expect(rgba.length, `${testId} bytes`).toBe(read.width * read.height * 4);
  return { width: read.width, height: read.height, frameIndex: read.frameIndex, rgba };
}

/** Reads the frame canvas back (its backing store has the frame's native size). */
export async function readFrameCanvas(page: Page): Promise<CanvasPixels> {
  const { width, height, frameIndex, rgba } = await readCanvasBytes(page, 'frame-canvas');
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return { width, height, frameIndex, rgb };
}

/** Mean absolute difference between the canvas and reference frame `frameIndex`. */
export function differenceToReference(pixels: CanvasPixels, reference: Buffer, frameIndex: number): number {
  const frameBytes = patternClip.width * patternClip.height * 3;
  const frame = reference.subarray(frameIndex * frameBytes, (frameIndex + 1) * frameBytes);
  let total = 0;
  for (let i = 0; i < frameBytes; i++) total += Math.abs(pixels.rgb[i] - frame[i]);
  return total / frameBytes;
}

/** Left edge of the bright bar on the middle row (the clip draws it at x = 5n in frame n). */
export function barLeftEdge(pixels: CanvasPixels): number {
  const row = Math.floor(pixels.height / 2);
  for (let x = 0; x < pixels.width; x++) {
    const offset = (row * pixels.width + x) * 3;
    if (pixels.rgb[offset] + pixels.rgb[offset + 1] + pixels.rgb[offset + 2] > 3 * 180) return x;
  }
  return -1;
}

/**
 * Waits until the canvas holds frame `frameIndex`, then checks its pixels are that frame's and not a neighbour's:
 * the bar sits where frame n draws it, and the picture is closest to reference frame n.
 */
export async function expectCanvasShowsFrame(page: Page, frameIndex: number): Promise<void> {
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', String(frameIndex));
  await expect(page.getByTestId('frame-placeholder')).toHaveCount(0);
  const pixels = await readFrameCanvas(page);
  expect(pixels.width).toBe(patternClip.width);
  expect(pixels.height).toBe(patternClip.height);
  expect(barLeftEdge(pixels)).toBe(patternClip.barStepPx * frameIndex);
  const reference = referenceFrames();
  const own = differenceToReference(pixels, reference, frameIndex);
  expect(own).toBeLessThan(2);
  for (const neighbour of [frameIndex - 1, frameIndex + 1]) {
    if (neighbour < 0 || neighbour >= patternClip.frameCount) continue;
    expect(differenceToReference(pixels, reference, neighbour)).toBeGreaterThan(own + 2);
  }
}

/** Client x of the centre of frame `frameIndex`'s cell on the thumbnail strip. */
export async function stripPointFor(page: Page, frameIndex: number): Promise<{ x: number; y: number }> {
  const box = (await page.getByTestId('thumbnail-strip').boundingBox())!;
  return { x: box.x + ((frameIndex + 0.5) / patternClip.frameCount) * box.width, y: box.y + box.height / 2 };
}
