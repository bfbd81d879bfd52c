import { expect } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { browseImportFolder, createProject, importDialog, openApp, skipWithoutChromium, snap, uniqueProjectName, test } from './appDriver.ts';
import { fixturesDirectory } from './e2eEnvironment.ts';

skipWithoutChromium();

test('importing a text file named .mp4 shows an error naming the file and leaves the project unchanged', async ({ page }, testInfo) => {
  const projectName = uniqueProjectName('Bad input');
  await openApp(page);
  await createProject(page, projectName);
  await browseImportFolder(page, fixturesDirectory());
  const dialog = importDialog(page);

  // Typed into the path field rather than picked, the other way to choose a file.
  const badFile = join(fixturesDirectory(), 'not-a-video.mp4');
  await dialog.getByTestId('import-path').fill(badFile);
  await dialog.getByTestId('start-import').click();
  const error = dialog.getByTestId('import-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('not-a-video.mp4');
  await snap(page, testInfo, '01-import-error');

  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(page.getByTestId('clip-item')).toHaveCount(0);
  await page.getByTestId('back-to-projects').click();
  await expect(page.locator(`[data-testid="project-row"][data-project-name="${projectName}"]`)).toContainText('0 clips');
});

test('importing a playlist named .mp4 says it is not a video and does not follow it to the files it lists', async ({ page }, testInfo) => {
  const projectName = uniqueProjectName('Playlist');
  // An HLS playlist that points at another local video: ffmpeg would import pattern.mp4 through it. Written beside
  // this test's output, so the shared fixtures folder other specs list stays as it was.
  const playlist = testInfo.outputPath('holiday-playlist.mp4');
  mkdirSync(dirname(playlist), { recursive: true });
  writeFileSync(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\n${join(fixturesDirectory(), 'pattern.mp4')}\n#EXT-X-ENDLIST\n`);
  await openApp(page);
  await createProject(page, projectName);
  await browseImportFolder(page, fixturesDirectory());
  const dialog = importDialog(page);
  await dialog.getByTestId('import-path').fill(playlist);
  await dialog.getByTestId('start-import').click();
  const error = dialog.getByTestId('import-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('holiday-playlist.mp4');
  await expect(error).toContainText('is an HLS playlist, not a video');
  await snap(page, testInfo, '02-playlist-error');

  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await expect(page.getByTestId('clip-item')).toHaveCount(0);
});
