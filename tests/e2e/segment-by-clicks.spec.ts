import { expect } from '@playwright/test';
import { clickFrame, expectAllSaved, importSquareClip, iouWithSquare, overlayMask, propagate, readOverlay, seekFrame, snapStep } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { squareAt, squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

/** Object 1's colour in the DAVIS/VOC palette. */
const red = [128, 0, 0] as const;

test('an annotator creates an object with clicks only, propagates it, corrects a later frame with two clicks and undoes one', async ({ page }, testInfo) => {
  test.setTimeout(600_000);
  await openApp(page);
  await createProject(page, uniqueProjectName('Clicked square'));
  await importSquareClip(page);
  await page.getByTestId('add-object-mask').click();
  await expect(page.getByTestId('object-item')).toHaveCount(1);

  // C picks the click tool; one left click on the square segments it.
  await page.keyboard.press('c');
  await expect(page.getByTestId('tool-click')).toHaveAttribute('aria-checked', 'true');
  const square0 = squareAt(0);
  await clickFrame(page, square0.left + square0.size / 2, square0.top + square0.size / 2);
  await expect(page.getByTestId('click-positive')).toHaveCount(1);
  await expectAllSaved(page);
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="0"]')).toHaveCount(1);
  const clicked = overlayMask(await readOverlay(page), red);
  const firstIou = iouWithSquare(clicked, 0);
  testInfo.annotations.push({ type: 'IoU after one click on frame 0', description: firstIou.toFixed(3) });
  expect(firstIou).toBeGreaterThanOrEqual(0.85);
  await expect(page.getByTestId('history-undo')).toHaveAttribute('title', 'Undo click on frame 0 (Ctrl+Z)');
  await snapStep(page, testInfo, '01-one-click-on-frame-0');

  await propagate(page, 'forward');
  await expect(page.getByTestId('timeline-propagated').first()).toHaveAttribute('data-end', String(squareClip.frameCount));

  // Frame 20: a click inside the square and a right click on the background refine the propagated mask.
  await seekFrame(page, 20);
  await expect(page.getByTestId('frame-is-keyframe')).toHaveCount(0);
  const square20 = squareAt(20);
  await clickFrame(page, square20.left + 20, square20.top + square20.size - 20);
  await expectAllSaved(page);
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="20"]')).toHaveCount(1);
  const afterOne = overlayMask(await readOverlay(page), red);
  await clickFrame(page, square20.left + square20.size + 24, square20.top + square20.size / 2, 'right');
  await expect(page.getByTestId('click-negative')).toHaveCount(1);
  await expect(page.getByTestId('click-positive')).toHaveCount(1);
  await expectAllSaved(page);
  const afterTwo = overlayMask(await readOverlay(page), red);
  const correctedIou = iouWithSquare(afterTwo, 20);
  testInfo.annotations.push({ type: 'IoU on frame 20 after two clicks', description: correctedIou.toFixed(3) });
  expect(correctedIou).toBeGreaterThanOrEqual(0.85);
  await expect(page.getByTestId('frame-is-keyframe')).toBeVisible();
  await snapStep(page, testInfo, '02-two-clicks-on-frame-20');

  // Undo takes back the second click only: the mask of the first click returns, frame 20 stays a keyframe.
  await expect(page.getByTestId('history-undo')).toHaveAttribute('title', 'Undo click on frame 20 (Ctrl+Z)');
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('history-redo')).toHaveAttribute('title', 'Redo click on frame 20 (Ctrl+Shift+Z)');
  await expect(page.getByTestId('history-undo')).toHaveAttribute('title', 'Undo click on frame 20 (Ctrl+Z)');
  await expect(page.getByTestId('click-negative')).toHaveCount(0);
  await expect.poll(async () => Buffer.from(overlayMask(await readOverlay(page), red)).equals(Buffer.from(afterOne))).toBe(true);
  await expect(page.getByTestId('frame-is-keyframe')).toBeVisible();
  await snapStep(page, testInfo, '03-one-click-undone');
});
