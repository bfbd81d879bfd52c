import { expect } from '@playwright/test';
import { join } from 'node:path';
import {
  browseImportFolder,
  createProject,
  expectCanvasShowsFrame,
  importDialog,
  openApp,
  skipWithoutChromium,
  snap,
  stripPointFor,
  uniqueProjectName,
  test,
} from './appDriver.ts';
import { fixturesDirectory, patternClip } from './e2eEnvironment.ts';

skipWithoutChromium();

test('an annotator imports a clip, scrubs to a frame, sees exactly that frame and finds it again after a reload', async ({ page }, testInfo) => {
  const projectName = uniqueProjectName('Bar sweep');
  await openApp(page);
  await snap(page, testInfo, '01-project-list');

  await createProject(page, projectName);
  await expect(page.getByText('Import a clip to start annotating')).toBeVisible();
  await snap(page, testInfo, '02-new-project-empty');

  // Import through the in-app file browser: type the folder, pick the video in the listing.
  await browseImportFolder(page, fixturesDirectory());
  const dialog = importDialog(page);
  const entry = dialog.getByTestId('file-list').getByText(patternClip.fileName, { exact: true });
  await expect(entry).toBeVisible();
  await entry.click();
  await expect(dialog.getByTestId('import-path')).toHaveValue(join(fixturesDirectory(), patternClip.fileName));
  await snap(page, testInfo, '03-import-dialog-file-browser');
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0);

  await expect(page.getByTestId('clip-item')).toHaveCount(1);
  await expect(page.getByTestId('clip-item')).toContainText('pattern');
  await expect(page.getByTestId('status-size')).toHaveText(`${patternClip.width}×${patternClip.height}`);
  await expect(page.getByTestId('status-fps')).toHaveText(`${patternClip.fps} fps`);
  await expect(page.getByTestId('status-frames')).toHaveText(`${patternClip.frameCount} frames`);
  await expect(page.getByTestId('status-device')).toHaveText(/\S/);
  await expect(page.getByTestId('thumbnail-strip').locator('img').first()).toBeVisible();
  await expectCanvasShowsFrame(page, 0);
  await expect(page.getByTestId('frame-input')).toHaveValue('0');
  await snap(page, testInfo, '04-clip-imported-frame-0');

  // Drag along the strip from frame 3 to frame 17.
  const from = await stripPointFor(page, 3);
  const to = await stripPointFor(page, 17);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
  await expect(page.getByTestId('frame-input')).toHaveValue('17');
  await expectCanvasShowsFrame(page, 17);
  await snap(page, testInfo, '05-dragged-to-frame-17');

  // Keys: three forward, one back.
  for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft']) await page.keyboard.press(key);
  await expectCanvasShowsFrame(page, 19);
  await page.keyboard.press('End');
  await expectCanvasShowsFrame(page, patternClip.frameCount - 1);
  await page.keyboard.press('Home');
  await expectCanvasShowsFrame(page, 0);

  // A click on the strip lands on the frame under the pointer.
  const target = await stripPointFor(page, 12);
  await page.mouse.click(target.x, target.y);
  await expectCanvasShowsFrame(page, 12);
  await expect(page.getByTestId('frame-input')).toHaveValue('12');
  await expect(page).toHaveURL(/token=.*#\/project\/[^/]+\/clip\/[^/?]+\?frame=12$/);
  await snap(page, testInfo, '06-clicked-frame-12');

  await page.reload();
  await expect(page.getByTestId('project-title')).toHaveText(projectName);
  await expect(page.getByTestId('clip-item')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('frame-input')).toHaveValue('12');
  await expectCanvasShowsFrame(page, 12);
  await snap(page, testInfo, '07-after-reload-frame-12');
});

test('an annotator cancels a long import and the project keeps its clips', async ({ page }, testInfo) => {
  await openApp(page);
  await createProject(page, uniqueProjectName('Cancelled import'));
  await browseImportFolder(page, fixturesDirectory());
  const dialog = importDialog(page);
  await dialog.getByTestId('file-list').getByText('long.mp4', { exact: true }).click();
  await dialog.getByTestId('start-import').click();

  const progress = dialog.getByTestId('import-progress');
  await expect(progress).toBeVisible();
  await expect(progress.getByRole('progressbar')).toBeVisible();
  await expect(progress).toContainText('long.mp4');
  // Wait until the bar has moved, so the screenshot shows it working.
  await expect.poll(async () => Number(await progress.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await snap(page, testInfo, '01-import-progress');

  await dialog.getByTestId('cancel-import').click();
  await expect(progress).toHaveCount(0);
  await expect(dialog.getByTestId('import-error')).toHaveCount(0);
  await expect(dialog.getByTestId('file-list')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(page.getByTestId('clip-item')).toHaveCount(0);
  await expect(page.getByText('Import a clip to start annotating')).toBeVisible();
});
