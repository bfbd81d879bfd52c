import { join } from 'node:path';
import { expect } from '@playwright/test';
import { browseImportFolder, createProject, importDialog, openApp, skipWithoutChromium, snap, test, uniqueProjectName } from './appDriver.ts';
import { fixturesDirectory, imageSequence } from './e2eEnvironment.ts';

skipWithoutChromium();

test('an annotator imports a folder of frames as an image sequence', async ({ page }, testInfo) => {
  await openApp(page);
  await createProject(page, uniqueProjectName('Frames folder'));
  await browseImportFolder(page, fixturesDirectory());
  const dialog = importDialog(page);

  // Opening the folder from the listing shows that it holds images and offers to import it as a sequence.
  await dialog.getByTestId('file-list').getByText(imageSequence.folderName, { exact: true }).click();
  const folder = join(fixturesDirectory(), imageSequence.folderName);
  await expect(dialog.getByTestId('import-path')).toHaveValue(folder);
  await expect(dialog.getByTestId('image-sequence-hint')).toContainText(`${imageSequence.frameCount} images`);
  await expect(dialog.getByTestId('start-import')).toHaveText('Import image sequence');
  await snap(page, testInfo, '01-image-folder-detected');
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0);

  await expect(page.getByTestId('clip-item')).toHaveCount(1);
  await expect(page.getByTestId('status-size')).toHaveText(`${imageSequence.width}×${imageSequence.height}`);
  await expect(page.getByTestId('status-frames')).toHaveText(`${imageSequence.frameCount} frames`);
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', '0');
  await page.keyboard.press('End');
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', String(imageSequence.frameCount - 1));
  await expect(page.getByTestId('frame-input')).toHaveValue(String(imageSequence.frameCount - 1));
  await snap(page, testInfo, '02-image-sequence-last-frame');
});
