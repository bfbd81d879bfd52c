import { expect, type Page } from '@playwright/test';
import { clientPoint, drag, expectAllSaved, importSquareClip, overlayMask, propagate, readOverlay, seekFrame, snapStep } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { squareAt, squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

/** Object 1's colour in the DAVIS/VOC palette. */
const dark = [128, 0, 0] as const;
/** A speck painted far from the square (frame pixels). */
const speck = { x: 300, y: 16 };

/** Draws the square of frame n with the polygon tool (four corners, Enter). */
async function polygonSquare(page: Page, frameIndex: number): Promise<void> {
  await page.keyboard.press('p');
  const { left, top, size } = squareAt(frameIndex);
  for (const [x, y] of [[left, top], [left + size, top], [left + size, top + size], [left, top + size]]) {
    const point = await clientPoint(page, x, y);
    await page.mouse.click(point.x, point.y);
  }
  await page.keyboard.press('Enter');
  await expectAllSaved(page);
}

async function speckShown(page: Page): Promise<boolean> {
  return overlayMask(await readOverlay(page), dark)[speck.y * squareClip.width + speck.x] === 1;
}

test('a new object joins the ticked ones, the chip speaks for the selected object, specks go in one undoable step, a correction offers re-propagation', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openApp(page);
  await createProject(page, uniqueProjectName('Objects and islands'));
  await importSquareClip(page);

  // A mask object drawn on frame 3, with a speck brushed far from the square.
  await seekFrame(page, 3);
  await page.getByTestId('add-object-mask').click();
  await polygonSquare(page, 3);
  await page.keyboard.press('b');
  await page.getByTestId('brush-size').fill('4');
  await drag(page, [speck, { x: speck.x + 2, y: speck.y }]);
  await expectAllSaved(page);
  expect(await speckShown(page)).toBe(true);

  // Remove small islands on this frame: the speck goes, the square stays; one undo step brings it back.
  await page.getByTestId('open-island-removal').click();
  const dialog = page.getByRole('dialog', { name: 'Remove small islands · Object 1' });
  await dialog.getByTestId('island-size').fill('200');
  await dialog.getByTestId('island-scope-frame').check();
  await snapStep(page, testInfo, '01-island-dialog');
  await dialog.getByTestId('island-apply').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('island-removal-summary')).toHaveText(/^Removed 1 island \(\d+ pixels\) on 1 frame\.$/);
  await expect.poll(() => speckShown(page)).toBe(false);
  const undo = page.getByTestId('history-undo');
  await expect(undo).toHaveAttribute('title', 'Undo islands under 200 px removed (Object 1, frame 3) (Ctrl+Z)');
  await undo.click();
  await expect.poll(() => speckShown(page)).toBe(true);
  await page.getByTestId('history-redo').click();
  await expect.poll(() => speckShown(page)).toBe(false);

  // Tick Object 1, then add a pose object: it is ticked too, and the panel names both.
  await page.getByTestId('object-item').first().getByTestId('object-propagate').check();
  await expect(page.getByTestId('propagation-scope')).toHaveText('Ticked: Object 1');
  await page.getByTestId('add-object-keypoints').click();
  await expect(page.getByTestId('object-item').nth(1).getByTestId('object-propagate')).toBeChecked();
  await expect(page.getByTestId('propagation-scope')).toHaveText('Ticked: Object 1, Pose 1');
  // The pose object has no joints on frame 3: the chip says so instead of "Keyframe".
  await expect(page.getByTestId('frame-no-label')).toHaveText("Pose 1: no label (another object's keyframe)");
  await expect(page.getByTestId('frame-is-keyframe')).toHaveCount(0);
  await snapStep(page, testInfo, '02-pose-selected-on-mask-keyframe');

  // Backward from frame 3: the mask's chip reads its own confidence, the pose's says it has none.
  await propagate(page, 'backward');
  await seekFrame(page, 1);
  await expect(page.getByTestId('frame-no-label')).toHaveText('Pose 1: no label');
  await page.getByTestId('object-item').first().click();
  await expect(page.getByTestId('frame-is-propagated')).toHaveText(/Propagated · 0\.\d\d/);

  // Correcting propagated frame 1 offers to re-propagate from it; the offer starts a forward run from frame 1.
  await polygonSquare(page, 1);
  await expect(page.getByTestId('frame-is-keyframe')).toBeVisible();
  await expect(page.getByTestId('repropagate-hint')).toContainText('Frame 1 corrected.');
  await snapStep(page, testInfo, '03-repropagate-offer');
  await page.getByTestId('repropagate-from-correction').click();
  await expect(page.getByTestId('propagation-progress')).toContainText('Propagating forward');
  await expect(page.getByTestId('repropagate-hint')).toHaveCount(0);
  await page.getByTestId('cancel-propagation').click();
  await expect(page.getByTestId('propagation-progress')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('propagation-summary')).toHaveText(/^Cancelled after/);
});
