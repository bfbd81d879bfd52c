import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { createProject, openApp, skipWithoutChromium, snap, uniqueProjectName, test } from './appDriver.ts';
import { libraryDirectory } from './e2eEnvironment.ts';

skipWithoutChromium();

test('an annotator renames a project and deletes it after confirming its name', async ({ page }, testInfo) => {
  const originalName = uniqueProjectName('Horse jump');
  const newName = `${originalName} (final)`;
  await openApp(page);
  await createProject(page, originalName);
  await page.getByTestId('back-to-projects').click();

  const row = (name: string) => page.locator(`[data-testid="project-row"][data-project-name="${name}"]`);
  await expect(row(originalName)).toBeVisible();
  await expect(row(originalName)).toContainText('0 clips');
  await expect(row(originalName)).toContainText('just now');

  await row(originalName).getByRole('button', { name: `Rename ${originalName}` }).click();
  const renameDialog = page.getByRole('dialog', { name: 'Rename project' });
  await expect(renameDialog.getByLabel('Project name')).toHaveValue(originalName);
  await renameDialog.getByLabel('Project name').fill(newName);
  await snap(page, testInfo, '01-rename-dialog');
  await renameDialog.getByRole('button', { name: 'Rename' }).click();
  await expect(renameDialog).toHaveCount(0);
  await expect(row(newName)).toBeVisible();
  await expect(row(originalName)).toHaveCount(0);

  // The new name is what the engine stores: it survives a reload.
  await page.reload();
  await expect(row(newName)).toBeVisible();

  await row(newName).getByRole('button', { name: `Delete ${newName}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete project?' });
  await expect(confirm).toContainText(`“${newName}”`);
  await snap(page, testInfo, '02-delete-confirmation');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(row(newName)).toBeVisible();

  await row(newName).getByRole('button', { name: `Delete ${newName}` }).click();
  await page.getByRole('dialog', { name: 'Delete project?' }).getByRole('button', { name: 'Delete project' }).click();
  await expect(row(newName)).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  await expect(row(newName)).toHaveCount(0);
  await snap(page, testInfo, '03-after-delete');
});

test('an annotator opens a project from the list and comes back to it', async ({ page }) => {
  const name = uniqueProjectName('Open me');
  await openApp(page);
  await createProject(page, name);
  await page.getByTestId('back-to-projects').click();
  await page.locator(`[data-testid="project-row"][data-project-name="${name}"]`).click();
  await expect(page.getByTestId('project-title')).toHaveText(name);
  await expect(page).toHaveURL(/\?token=[^#]+#\/project\//);
});

test('an unreadable project file is listed with a problem badge and cannot be opened', async ({ page }, testInfo) => {
  const brokenFile = join(libraryDirectory(), `${randomUUID()}.correspond`);
  mkdirSync(libraryDirectory(), { recursive: true });
  writeFileSync(brokenFile, 'not an SQLite database');
  try {
    await openApp(page);
    const problem = page.getByTestId('project-problem');
    await expect(problem).toBeVisible();
    await expect(problem).toHaveText('Cannot open');
    await expect(problem).toHaveAttribute('title', /\S/);
    await snap(page, testInfo, '01-problem-badge');
    await page.getByTestId('project-row').filter({ has: problem }).click();
    await expect(page.getByRole('heading', { name: 'Projects', exact: true })).toBeVisible();
  } finally {
    rmSync(brokenFile, { force: true });
  }
});
