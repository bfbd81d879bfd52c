import { expect } from '@playwright/test';
import { expectAllSaved, expectFrameShown, importSquareClip, paintSquare, propagate, seekFrame, snapStep, squareBrushPx, waitForPropagationProgress } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

/** Frames the timeline shades as propagated, from its runs (data-end is exclusive). */
async function propagatedFrames(page: import('@playwright/test').Page): Promise<number[]> {
  const runs = await page.getByTestId('timeline-propagated').evaluateAll((elements) =>
    elements.map((element) => {
      const data = (element as unknown as { dataset: Record<string, string> }).dataset;
      return [Number(data.start), Number(data.end)];
    }),
  );
  return runs.flatMap(([start, end]) => Array.from({ length: end - start }, (_, i) => start + i));
}

test('Fill writes only the frames between the keyframes around the playhead; a reload during a run leaves Undo usable at once', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await openApp(page);
  await createProject(page, uniqueProjectName('Fill and reload'));
  await importSquareClip(page);
  await page.getByTestId('add-object-mask').click();
  await page.getByTestId('brush-size').fill(String(squareBrushPx));
  await paintSquare(page, 0);
  await seekFrame(page, 10);
  await paintSquare(page, 10);
  await expectAllSaved(page);
  await expect(page.locator('[data-testid="timeline-keyframe"]')).toHaveCount(2);

  // The panel's fill is named apart from the toolbar's "Fill holes" and says which frames it writes.
  await seekFrame(page, 5);
  const fill = page.getByTestId('propagate-fill');
  await expect(fill).toHaveText('Between');
  await expect(fill).toHaveAttribute('title', 'Fill between keyframes 0 and 10: frames 1–9 only');
  await expect(page.getByTestId('fill-holes')).toHaveAccessibleName(/Fill holes/);
  await snapStep(page, testInfo, '01-before-fill');
  const summary = await propagate(page, 'fill');
  expect(summary).toMatch(/^Wrote 9 frames/);
  expect(await propagatedFrames(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await expect(page.getByTestId('history-undo')).toHaveAttribute('title', 'Undo propagation (9 frames) (Ctrl+Z)');
  // Past the last keyframe there is nothing to fill between.
  await seekFrame(page, 20);
  await expect(fill).toBeDisabled();

  // Forward from frame 10; reload while it writes.
  await page.getByTestId('propagate-forward').click();
  await waitForPropagationProgress(page);
  await snapStep(page, testInfo, '02-running');
  await page.reload();
  await expect(page.getByTestId('status-connection')).toHaveText(/Connected/);
  await expectFrameShown(page, 20);
  const undo = page.getByTestId('history-undo');
  await expect(undo).toBeEnabled({ timeout: 2_000 });
  await expect(undo).toHaveAttribute('title', /^Undo propagation \(\d+ frames?, interrupted\) \(Ctrl\+Z\)$/);
  const kept = (await propagatedFrames(page)).filter((frameIndex) => frameIndex > 10);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(squareClip.frameCount - 11);
  await expect(page.getByTestId('propagation-last-run')).toContainText(`The last run was interrupted, ${kept.length} frame${kept.length === 1 ? '' : 's'} kept.`);
  await snapStep(page, testInfo, '03-after-reload');

  // Undo takes the interrupted run back; the fill stays.
  await undo.click();
  await expect.poll(() => propagatedFrames(page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await expect(undo).toHaveAttribute('title', 'Undo propagation (9 frames) (Ctrl+Z)');
});
