import { expect } from '@playwright/test';
import { join } from 'node:path';
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
