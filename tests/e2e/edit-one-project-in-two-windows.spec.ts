import { expect } from '@playwright/test';
import { drag, expectAllSaved, expectFrameShown, importSquareClip, overlayMask, readOverlay, snapStep } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

/** Whether the overlay has the object's colour at a frame point. */
async function labelled(page: import('@playwright/test').Page, x: number, y: number): Promise<boolean> {
  return overlayMask(await readOverlay(page))[y * squareClip.width + x] === 1;
}

test('two windows on one project: a stale save is refused and the frame reloads; undo asks before taking back the other window\'s stroke', async ({ page, context }, testInfo) => {
  test.setTimeout(120_000);
  await openApp(page);
  await createProject(page, uniqueProjectName('Two windows'));
  await importSquareClip(page);
  await page.getByTestId('add-object-mask').click();
  await expect(page.getByTestId('object-item')).toHaveCount(1);
  await page.getByTestId('brush-size').fill('16');

  // The same project, clip and frame in a second window.
  const other = await context.newPage();
  await other.goto(page.url());
  await expectFrameShown(other, 0);
  await expect(other.getByTestId('object-item')).toHaveAttribute('aria-selected', 'true');
  await other.getByTestId('brush-size').fill('16');

  // The second window paints first; the first window, which loaded frame 0 before that, paints elsewhere.
  await drag(other, [{ x: 40, y: 40 }, { x: 120, y: 40 }]);
  await expectAllSaved(other);
  await drag(page, [{ x: 40, y: 200 }, { x: 120, y: 200 }]);
  await expect(page.getByTestId('status-save')).toContainText('"Object 1" on frame 0 was changed in another window (or by a run) since you loaded it');
  // Nothing was overwritten: the first window now shows the second window's stroke, not its own.
  await expect.poll(() => labelled(page, 80, 40)).toBe(true);
  expect(await labelled(page, 80, 200)).toBe(false);
  await snapStep(page, testInfo, '01-stale-save-refused');

  // Undo in the first window would take back the second window's stroke: it asks, and "Keep it" keeps it.
  await expect(page.getByTestId('history-undo')).toBeEnabled();
  await page.getByTestId('history-undo').click();
  const question = page.getByTestId('history-other-session');
  await expect(question).toBeVisible();
  await expect(page.getByTestId('history-other-session-message')).toHaveText(
    'The last change on this clip, "brush on frame 0", was made in another window. Undo it anyway?',
  );
  await snapStep(page, testInfo, '02-undo-asks');
  await page.getByTestId('history-other-session-keep').click();
  await expect(question).toHaveCount(0);
  expect(await labelled(page, 80, 40)).toBe(true);

  // Painted again on the fresh frame, the first window's stroke saves; undoing it needs no question.
  await drag(page, [{ x: 40, y: 200 }, { x: 120, y: 200 }]);
  await expectAllSaved(page);
  await page.getByTestId('history-undo').click();
  await expect.poll(() => labelled(page, 80, 200)).toBe(false);
  await expect(question).toHaveCount(0);

  // Confirmed, the undo takes back the other window's stroke.
  await page.getByTestId('history-undo').click();
  await page.getByTestId('history-other-session-confirm').click();
  await expect(question).toHaveCount(0);
  await expect.poll(() => labelled(page, 80, 40)).toBe(false);
  await other.close();
});
