import { expect } from '@playwright/test';
import {
  clientPoint,
  drag,
  expectAllSaved,
  expectFrameShown,
  importSquareClip,
  iouWithSquare,
  overlayMask,
  propagate,
  readOverlay,
  seekFrame,
  paintSquare,
  snapStep,
  squareBrushPx,
} from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { vipClassNames } from '../../src-renderer/utils/annotationVocabulary.ts';
import { vocColour } from '../../src-renderer/utils/vocPalette.ts';
import { squareAt, squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

/** Object 1's colour in the DAVIS/VOC palette, object 2's. */
const dark = { red: [128, 0, 0], green: [0, 128, 0] } as const;

/** Reads object masks on every frame, walking the clip with → so each frame is loaded fresh. */
async function masksOfEveryFrame(page: import('@playwright/test').Page, colour?: readonly [number, number, number]): Promise<Uint8Array[]> {
  await seekFrame(page, 0);
  const masks: Uint8Array[] = [];
  for (let frameIndex = 0; frameIndex < squareClip.frameCount; frameIndex++) {
    if (frameIndex > 0) await page.keyboard.press('ArrowRight');
    await expectFrameShown(page, frameIndex);
    masks.push(overlayMask(await readOverlay(page), colour));
  }
  return masks;
}

test('an annotator paints a mask on frame 0, propagates it, corrects frame 20, fills between keyframes and adds a second object', async ({ page }, testInfo) => {
  test.setTimeout(600_000);
  await openApp(page);
  await createProject(page, uniqueProjectName('Moving square'));
  await importSquareClip(page);
  await expect(page.getByTestId('editor-toolbar')).toContainText('Add an object');
  await snapStep(page, testInfo, '01-clip-imported');

  // Add a mask object on frame 0 and paint the square with the brush.
  await page.getByTestId('add-object-mask').click();
  await expect(page.getByTestId('object-item')).toHaveCount(1);
  await expect(page.getByTestId('object-item')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('object-item')).toHaveAttribute('data-palette-index', '1');
  await page.getByTestId('brush-size').fill(String(squareBrushPx));
  await expect(page.getByTestId('brush-size')).toHaveValue(String(squareBrushPx));
  // [ and ] step the size; then back to the size for the strokes.
  await page.keyboard.press(']');
  await expect(page.getByTestId('brush-size')).not.toHaveValue(String(squareBrushPx));
  await page.getByTestId('brush-size').fill(String(squareBrushPx));
  await paintSquare(page, 0);
  await expectAllSaved(page);
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="0"]')).toHaveCount(1);
  await expect(page.getByTestId('frame-is-keyframe')).toBeVisible();
  const painted = overlayMask(await readOverlay(page), dark.red);
  expect(iouWithSquare(painted, 0)).toBeGreaterThan(0.97);
  // Hover shows the brush circle.
  const hover = await clientPoint(page, squareAt(0).left + 90, squareAt(0).top + 20);
  await page.mouse.move(hover.x, hover.y);
  await expect(page.getByTestId('brush-cursor')).toBeVisible();
  await snapStep(page, testInfo, '02-square-painted-on-frame-0');

  // Propagate forward through the clip; the mask follows the square on every frame.
  const summary = await propagate(page, 'forward', () => snapStep(page, testInfo, '03-propagating'));
  expect(summary).toMatch(/Wrote 29 frames/);
  await expect(page.getByTestId('status-stream')).not.toHaveText('Stream: default');
  await expect(page.getByTestId('timeline-propagated').first()).toHaveAttribute('data-start', '1');
  await expect(page.getByTestId('timeline-propagated').first()).toHaveAttribute('data-end', String(squareClip.frameCount));
  const forward = await masksOfEveryFrame(page, dark.red);
  const forwardIou = forward.map((mask, frameIndex) => iouWithSquare(mask, frameIndex));
  testInfo.annotations.push({ type: 'IoU after forward propagation', description: forwardIou.map((v) => v.toFixed(3)).join(' ') });
  for (const [frameIndex, iou] of forwardIou.entries()) expect(iou, `IoU on frame ${frameIndex}`).toBeGreaterThanOrEqual(0.9);
  await seekFrame(page, 15);
  await snapStep(page, testInfo, '04-propagated-frame-15');

  // Correct frame 20 with the polygon tool: it becomes a keyframe. Then fill between the keyframes.
  await seekFrame(page, 20);
  await expect(page.getByTestId('frame-is-keyframe')).toHaveCount(0);
  await page.keyboard.press('p');
  await expect(page.getByTestId('tool-polygon')).toHaveAttribute('aria-checked', 'true');
  const square20 = squareAt(20);
  for (const [x, y] of [
    [square20.left, square20.top],
    [square20.left + square20.size, square20.top],
    [square20.left + square20.size, square20.top + square20.size],
    [square20.left, square20.top + square20.size],
  ]) {
    const point = await clientPoint(page, x, y);
    await page.mouse.click(point.x, point.y);
  }
  await expect(page.getByTestId('polygon-point')).toHaveCount(4);
  await snapStep(page, testInfo, '05-polygon-on-frame-20');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('polygon-point')).toHaveCount(0);
  await expectAllSaved(page);
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="20"]')).toHaveCount(1);
  await expect(page.getByTestId('frame-is-keyframe')).toBeVisible();
  expect(iouWithSquare(overlayMask(await readOverlay(page), dark.red), 20)).toBeGreaterThanOrEqual(0.9);

  // Keyframe navigation: Shift+← goes back to frame 0, Shift+→ to 20.
  await page.keyboard.press('Shift+ArrowLeft');
  await expectFrameShown(page, 0);
  await page.keyboard.press('Shift+ArrowRight');
  await expectFrameShown(page, 20);

  // Fill writes frames 1–19, strictly between the keyframes around the playhead (0 and 20).
  expect(await propagate(page, 'fill')).toMatch(/^Wrote 19 frames/);
  const filled = await masksOfEveryFrame(page, dark.red);
  const filledIou = filled.map((mask, frameIndex) => iouWithSquare(mask, frameIndex));
  testInfo.annotations.push({ type: 'IoU after fill', description: filledIou.map((v) => v.toFixed(3)).join(' ') });
  for (const [frameIndex, iou] of filledIou.entries()) expect(iou, `IoU on frame ${frameIndex} after fill`).toBeGreaterThanOrEqual(0.9);

  // Undo: the fill is one step (every frame it wrote), the correction of frame 20 another. Undoing both gives back
  // exactly the masks of the first run, frame 20 included; redoing both gives back the filled masks.
  await seekFrame(page, 20);
  const undo = page.getByTestId('history-undo');
  const redo = page.getByTestId('history-redo');
  await expect(undo).toHaveAttribute('title', `Undo propagation (19 frames) (Ctrl+Z)`);
  await expect(redo).toBeDisabled();
  await page.keyboard.press('Control+z');
  await expect(undo).toHaveAttribute('title', 'Undo polygon on frame 20 (Ctrl+Z)');
  await expect(redo).toHaveAttribute('title', `Redo propagation (19 frames) (Ctrl+Shift+Z)`);
  await expect(page.getByTestId('frame-is-keyframe')).toBeVisible();
  await undo.click();
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="20"]')).toHaveCount(0);
  await expect(page.getByTestId('frame-is-keyframe')).toHaveCount(0);
  await expect(redo).toHaveAttribute('title', 'Redo polygon on frame 20 (Ctrl+Shift+Z)');
  await snapStep(page, testInfo, '05b-undo-restores-first-run');
  const undone = await masksOfEveryFrame(page, dark.red);
  for (const [frameIndex, mask] of undone.entries()) {
    expect(Buffer.from(mask).equals(Buffer.from(forward[frameIndex])), `frame ${frameIndex} as after the first run`).toBe(true);
  }
  await page.keyboard.press('Control+Shift+z');
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="20"]')).toHaveCount(1);
  await redo.click();
  await expect(redo).toBeDisabled();
  await expect(undo).toHaveAttribute('title', `Undo propagation (19 frames) (Ctrl+Z)`);
  const redone = await masksOfEveryFrame(page, dark.red);
  for (const [frameIndex, mask] of redone.entries()) {
    expect(Buffer.from(mask).equals(Buffer.from(filled[frameIndex])), `frame ${frameIndex} filled again`).toBe(true);
  }
  await snapStep(page, testInfo, '05c-redo-restores-fill');

  // Review: N jumps to the least confident unreviewed frame, R marks it reviewed.
  await page.keyboard.press('n');
  const reviewFrame = Number(await page.getByTestId('frame-input').inputValue());
  expect([0, 20]).not.toContain(reviewFrame);
  await page.keyboard.press('r');
  await expect(page.getByTestId('reviewed-toggle')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(`[data-testid="timeline-reviewed"][data-start="${reviewFrame}"]`)).toHaveCount(1);
  await page.keyboard.press('n');
  await expect(page.getByTestId('frame-input')).not.toHaveValue(String(reviewFrame));
  await snapStep(page, testInfo, '06-filled-and-reviewed');

  // Space plays and pauses.
  await seekFrame(page, 3);
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-playing', 'true');
  await expect(page.getByTestId('frame-input')).not.toHaveValue('3');
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-playing', 'false');

  // A second object added on frame 10, painted zoomed in: the first object's masks stay exactly as they were.
  await seekFrame(page, 10);
  await page.getByTestId('add-object-mask').click();
  await expect(page.getByTestId('object-item')).toHaveCount(2);
  await expect(page.getByTestId('object-item').nth(1)).toHaveAttribute('data-palette-index', '2');
  const viewport = (await page.getByTestId('frame-viewport').boundingBox())!;
  const before = (await page.getByTestId('frame-canvas').boundingBox())!;
  const corner = await clientPoint(page, 30, 30);
  await page.mouse.move(corner.x, corner.y);
  await page.mouse.wheel(0, -300);
  await expect.poll(async () => (await page.getByTestId('frame-canvas').boundingBox())!.width).toBeGreaterThan(before.width * 1.3);
  // Space + drag pans without toggling playback.
  await page.keyboard.down(' ');
  await page.mouse.move(viewport.x + viewport.width / 2, viewport.y + viewport.height / 2);
  await page.mouse.down();
  await page.mouse.move(viewport.x + viewport.width / 2 + 40, viewport.y + viewport.height / 2 + 30, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-playing', 'false');
  await page.keyboard.press('b');
  await page.getByTestId('brush-size').fill('10');
  await drag(page, [{ x: 14, y: 14 }, { x: 34, y: 14 }, { x: 34, y: 30 }, { x: 14, y: 30 }]);
  await expectAllSaved(page);
  await snapStep(page, testInfo, '07-second-object-zoomed');
  const secondMask = overlayMask(await readOverlay(page), dark.green);
  expect(secondMask[14 * squareClip.width + 24]).toBe(1);
  expect(secondMask[120 * squareClip.width + 120]).toBe(0);
  await page.keyboard.press('0');

  await page.getByTestId('object-item').nth(1).getByTestId('object-hide').click();
  await expect(page.getByTestId('object-item').nth(1)).toHaveClass(/hidden/);
  const afterSecond = await masksOfEveryFrame(page);
  for (const [frameIndex, mask] of afterSecond.entries()) {
    expect(Buffer.from(mask).equals(Buffer.from(filled[frameIndex])), `object 1 unchanged on frame ${frameIndex}`).toBe(true);
  }

  // Rename and recolour the first object, then delete the second after confirming.
  const first = page.getByTestId('object-item').first();
  await first.getByTestId('object-rename').click();
  await first.getByTestId('object-name-input').fill('Square');
  await first.getByTestId('object-name-input').press('Enter');
  await expect(first.getByTestId('object-name')).toHaveText('Square');
  await first.getByTestId('object-colour').click();
  await page.getByTestId('colour-menu').locator('[data-palette-index="3"]').click();
  await expect(first).toHaveAttribute('data-palette-index', '3');
  await seekFrame(page, 5);
  expect(iouWithSquare(overlayMask(await readOverlay(page), [128, 128, 0]), 5)).toBeGreaterThanOrEqual(0.9);

  await page.getByTestId('object-item').nth(1).getByTestId('object-delete').click();
  const confirm = page.getByRole('dialog', { name: 'Delete object?' });
  await expect(confirm).toContainText('Object 2');
  await snapStep(page, testInfo, '08-delete-confirmation');
  await confirm.getByTestId('confirm-delete-object').click();
  await expect(page.getByTestId('object-item')).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('object-item')).toHaveCount(1);
  await expect(page.getByTestId('object-name')).toHaveText('Square');
  await expectFrameShown(page, 5);
  expect(iouWithSquare(overlayMask(await readOverlay(page), [128, 128, 0]), 5)).toBeGreaterThanOrEqual(0.9);
  await snapStep(page, testInfo, '09-after-reload');
});

test('an annotator paints VIP part classes, fills a hole and erases back to background', async ({ page }, testInfo) => {
  await openApp(page);
  await createProject(page, uniqueProjectName('Square parts'));
  await importSquareClip(page);
  await page.getByTestId('add-object-part').click();
  await expect(page.getByTestId('object-item')).toHaveAttribute('data-object-kind', 'part');
  const classes = page.getByTestId('part-classes');
  await expect(classes.getByRole('radio')).toHaveCount(19);
  const face = vipClassNames.indexOf('face');
  await classes.locator(`[data-class-id="${face}"]`).click();
  await expect(page.getByTestId('toolbar-part-class')).toContainText('face');

  // A ring painted with the brush; F fills its hole with the same class.
  const { left, top } = squareAt(0);
  await page.getByTestId('brush-size').fill('8');
  const ring = [
    { x: left + 20, y: top + 20 }, { x: left + 80, y: top + 20 }, { x: left + 80, y: top + 80 }, { x: left + 20, y: top + 80 }, { x: left + 20, y: top + 20 },
  ];
  await drag(page, ring);
  await expectAllSaved(page);
  const faceColour = vocColour(face);
  const centre = (top + 50) * squareClip.width + left + 50;
  expect(overlayMask(await readOverlay(page), faceColour)[centre]).toBe(0);
  await page.keyboard.press('f');
  await expectAllSaved(page);
  const filled = overlayMask(await readOverlay(page), faceColour);
  expect(filled[centre]).toBe(1);
  expect(filled[(top + 20) * squareClip.width + left + 50]).toBe(1);
  expect(filled[(top + 100) * squareClip.width + left + 50]).toBe(0);
  await snapStep(page, testInfo, '01-part-face-filled');

  // Another class on top, then the eraser clears pixels back to background.
  const hair = vipClassNames.indexOf('hair');
  await classes.locator(`[data-class-id="${hair}"]`).click();
  await drag(page, [{ x: left + 30, y: top + 30 }, { x: left + 70, y: top + 30 }]);
  await expectAllSaved(page);
  expect(overlayMask(await readOverlay(page), vocColour(hair))[(top + 30) * squareClip.width + left + 50]).toBe(1);
  await page.keyboard.press('e');
  await page.getByTestId('brush-size').fill('20');
  await drag(page, [{ x: left + 50, y: top + 40 }, { x: left + 50, y: top + 60 }]);
  await expectAllSaved(page);
  expect(overlayMask(await readOverlay(page))[centre]).toBe(0);
  await snapStep(page, testInfo, '02-part-hair-and-eraser');
});
