import { expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browseImportFolder, createProject, importDialog, openApp, skipWithoutChromium, snap, test, uniqueProjectName } from './appDriver.ts';
import { fixturesDirectory, imageSequence, patternClip } from './e2eEnvironment.ts';

skipWithoutChromium();

const clipRow = (page: import('@playwright/test').Page, name: string) =>
  page.getByTestId('clip-item').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[()]/g, '\\$&')}$`) }) });

test('Enter in the import dialog only navigates; a duplicate import asks; clips are renamed and deleted by name', async ({ page }, testInfo) => {
  test.setTimeout(240_000); // two imports and a reload on a shared two-core machine
  await openApp(page);
  await createProject(page, uniqueProjectName('Clip house'));

  // Into the image-sequence folder by Enter, then Enter again on the folder on show: it stays a folder to look at.
  const sequenceFolder = join(fixturesDirectory(), imageSequence.folderName);
  await browseImportFolder(page, sequenceFolder);
  const dialog = importDialog(page);
  await expect(dialog.getByTestId('image-sequence-hint')).toBeVisible();
  await dialog.getByTestId('import-path').press('Enter');
  await dialog.getByTestId('import-path').press('Enter');
  await expect(dialog.getByTestId('import-progress')).toHaveCount(0);
  await expect(dialog).toBeVisible();

  // A typed video path plus Enter: the list moves to the file's folder and marks it; nothing is imported.
  const video = join(fixturesDirectory(), patternClip.fileName);
  await dialog.getByTestId('import-path').fill(video);
  await dialog.getByTestId('import-path').press('Enter');
  await expect(dialog.locator('[data-testid="picker-entry"].selected .entry-name')).toHaveText(patternClip.fileName);
  await expect(dialog.getByTestId('import-path')).toHaveValue(video);
  await expect(dialog.getByTestId('import-progress')).toHaveCount(0);
  await expect(page.getByTestId('clip-item')).toHaveCount(0);
  await snap(page, testInfo, '01-typed-file-shown-in-its-folder');

  // Only the button imports.
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('clip-item')).toHaveCount(1);

  // The same file again: the dialog asks, and the copy gets its own name.
  await page.getByTestId('open-import').click();
  await dialog.getByTestId('import-path').fill(video);
  await dialog.getByTestId('start-import').click();
  await expect(dialog.getByTestId('import-duplicate')).toContainText(`imported before as “${patternClip.fileName}”`);
  await expect(dialog.getByTestId('start-import')).toHaveText('Import again');
  await expect(page.getByTestId('clip-item')).toHaveCount(1);
  await snap(page, testInfo, '02-duplicate-import-asks');
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('clip-item')).toHaveCount(2);
  const copy = clipRow(page, `${patternClip.fileName} (2)`);
  await expect(copy).toHaveCount(1);

  // Rename the copy with its row's button; the breadcrumb follows (it is the clip on screen).
  await copy.click();
  await copy.hover();
  await copy.getByTestId('rename-clip').click();
  const renameDialog = page.getByRole('dialog', { name: 'Rename clip' });
  await expect(renameDialog.getByLabel('Clip name')).toHaveValue(`${patternClip.fileName} (2)`);
  await renameDialog.getByLabel('Clip name').fill('Bar sweep, take 2');
  await renameDialog.getByRole('button', { name: 'Rename' }).click();
  await expect(renameDialog).toHaveCount(0);
  const renamed = clipRow(page, 'Bar sweep, take 2');
  await expect(renamed).toHaveCount(1);
  await expect(page.locator('.crumb.clip')).toHaveText('Bar sweep, take 2');

  // F2 on a focused row renames too; Esc leaves it as it was.
  await renamed.focus();
  await page.keyboard.press('F2');
  await expect(renameDialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(renameDialog).toHaveCount(0);

  // Delete (the key on the focused row): the dialog names the clip; Cancel keeps it, confirming deletes it.
  await renamed.focus();
  await page.keyboard.press('Delete');
  const deleteDialog = page.getByRole('dialog', { name: 'Delete clip?' });
  await expect(deleteDialog).toContainText('“Bar sweep, take 2” (30 frames) will be removed from this project');
  await snap(page, testInfo, '03-delete-clip-confirm');
  await deleteDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('clip-item')).toHaveCount(2);
  await renamed.hover(); // the row's buttons show over its end under the pointer
  await renamed.getByTestId('delete-clip').click();
  await deleteDialog.getByTestId('confirm-delete-clip').click();
  await expect(deleteDialog).toHaveCount(0);
  await expect(page.getByTestId('clip-item')).toHaveCount(1);
  // The editor moves to the clip that is left.
  await expect(page.locator('.crumb.clip')).toHaveText(patternClip.fileName);
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', '0');

  // Both changes are in the project file.
  await page.reload();
  await expect(page.getByTestId('clip-item')).toHaveCount(1);
  await expect(page.getByTestId('clip-item')).toContainText(patternClip.fileName);
  await snap(page, testInfo, '04-after-delete-and-reload');
});

test('a truncated mp4 imports the frames that decode and says how many were lost', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  // 60 frames with the index in front, cut at half its size: the container still lists frames whose data is gone.
  const whole = join(fixturesDirectory(), 'whole-60.mp4');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=24:d=2.5',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-g', '8', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole]);
  const bytes = readFileSync(whole);
  const cut = join(fixturesDirectory(), 'cut-60.mp4');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));

  await openApp(page);
  await createProject(page, uniqueProjectName('Truncated'));
  await page.getByTestId('empty-import').click();
  const dialog = importDialog(page);
  await expect(dialog.getByTestId('import-path')).not.toHaveValue('');
  await dialog.getByTestId('import-path').fill(cut);
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0, { timeout: 60_000 });

  const notice = page.getByTestId('import-notice');
  await expect(notice).toContainText(/was imported with \d+ of its 60 frames: the last \d+ do not decode/);
  const [, kept, lost] = /with (\d+) of its 60 frames: the last (\d+)/.exec((await notice.textContent())!)!.map(Number);
  expect(kept + lost).toBe(60);
  expect(kept).toBeGreaterThan(0);
  await expect(page.getByTestId('status-frames')).toHaveText(`${kept} frames`);
  await expect(page.getByTestId('clip-lost-frames')).toHaveText(`${lost} frames lost (truncated)`);
  await snap(page, testInfo, '01-truncated-import-notice');

  // The last kept frame shows.
  await page.keyboard.press('End');
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', String(kept - 1), { timeout: 30_000 });
  await expect(page.getByTestId('frame-placeholder')).toHaveCount(0);
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
});
