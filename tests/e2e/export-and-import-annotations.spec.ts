import { expect } from '@playwright/test';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readIndexedPng } from '../../src-main/core/formats/png.ts';
import { expectAllSaved, importSquareClip, overlayMask, paintSquare, readOverlay, snapStep, squareBrushPx } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { fixturesDirectory, squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

test('an annotator exports a painted mask as DAVIS, deletes the object and imports the files back unchanged', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await openApp(page);
  await createProject(page, uniqueProjectName('Export square'));
  await expect(page.getByTestId('open-export')).toHaveCount(0); // nothing to export before a clip exists
  await importSquareClip(page);

  await page.getByTestId('add-object-mask').click();
  await expect(page.getByTestId('object-item')).toHaveCount(1);
  await page.getByTestId('brush-size').fill(String(squareBrushPx));
  await paintSquare(page, 0);
  await expectAllSaved(page);
  const painted = overlayMask(await readOverlay(page));
  expect(painted.reduce((sum, v) => sum + v, 0)).toBeGreaterThan(100 * 100);

  // Export: DAVIS into a new folder inside a chosen (empty) folder.
  const destination = join(fixturesDirectory(), `export-${Date.now().toString(36)}`);
  mkdirSync(destination);
  await page.getByTestId('open-export').click();
  const exportDialog = page.getByRole('dialog', { name: 'Export annotations' });
  await expect(exportDialog.getByTestId('format-option')).toHaveCount(6);
  // The clip holds only a mask object: formats for parts only (VIP) or keypoints/parts (JHMDB) are disabled.
  await expect(exportDialog.locator('[data-format="vip"] input')).toBeDisabled();
  await expect(exportDialog.locator('[data-format="jhmdb"] input')).toBeDisabled();
  await exportDialog.locator('[data-testid="format-option"][data-format="davis"]').click();
  await expect(exportDialog.getByTestId('export-include-frames')).toBeVisible();
  await expect(exportDialog.getByTestId('export-clip')).toBeChecked();
  await exportDialog.getByTestId('export-destination').fill(destination);
  await exportDialog.getByTestId('export-destination').press('Enter');
  await expect(exportDialog.getByText('This folder is empty.')).toBeVisible();
  await expect(exportDialog.getByTestId('export-folder-name')).toHaveValue('square-davis');
  await snapStep(page, testInfo, '01-export-dialog');
  await exportDialog.getByTestId('start-export').click();
  await expect(exportDialog.getByTestId('export-success')).toBeVisible();
  const exported = join(destination, 'square-davis');
  await expect(exportDialog.getByTestId('export-path')).toHaveText(exported);
  await snapStep(page, testInfo, '02-exported');
  await exportDialog.getByTestId('export-done').click();
  await expect(exportDialog).toHaveCount(0);

  // The files: one palette PNG of the clip's size for the one annotated frame, value 1 exactly where the mask is.
  expect(readdirSync(destination)).toEqual(['square-davis']);
  const pngFolder = join(exported, 'Annotations/480p/square');
  expect(readdirSync(pngFolder)).toEqual(['00000.png']);
  expect(existsSync(join(exported, 'ImageSets/2017/val.txt'))).toBe(true);
  const png = readIndexedPng(join(pngFolder, '00000.png'));
  expect([png.width, png.height]).toEqual([squareClip.width, squareClip.height]);
  expect(png.palette?.slice(3, 6)).toEqual(new Uint8Array([128, 0, 0]));
  const written = png.indices.map((value) => (value === 1 ? 1 : 0));
  expect(png.indices.every((value) => value === 0 || value === 1)).toBe(true);
  expect(Buffer.from(written).equals(Buffer.from(painted))).toBe(true);

  // Delete the object, then import the export back into the clip.
  await page.getByTestId('object-item').first().getByTestId('object-delete').click();
  await page.getByRole('dialog', { name: 'Delete object?' }).getByTestId('confirm-delete-object').click();
  await expect(page.getByTestId('object-item')).toHaveCount(0);
  await expect.poll(async () => overlayMask(await readOverlay(page)).reduce((sum, v) => sum + v, 0)).toBe(0);

  await page.getByTestId('open-import-annotations').click();
  const importDialog = page.getByRole('dialog', { name: 'Import annotations' });
  await importDialog.locator('[data-testid="format-option"][data-format="davis"]').click();
  // A wrong source first: the error names the folder, and nothing is imported.
  await importDialog.getByTestId('import-annotations-source').fill(destination);
  await importDialog.getByTestId('import-annotations-source').press('Enter');
  await importDialog.getByTestId('start-import-annotations').click();
  await expect(importDialog.getByTestId('import-annotations-error')).toContainText(`${destination}: has no %05d.png annotation files`);
  await snapStep(page, testInfo, '03-import-error');
  await expect(page.getByTestId('object-item')).toHaveCount(0);

  await importDialog.getByTestId('import-annotations-source').fill(exported);
  await importDialog.getByTestId('import-annotations-source').press('Enter');
  await expect(importDialog.getByTestId('import-annotations-clip')).toHaveValue(/.+/);
  await importDialog.getByTestId('start-import-annotations').click();
  await expect(importDialog.getByTestId('import-annotations-success')).toContainText('Imported 1 object on 1 frame');
  await snapStep(page, testInfo, '04-imported');
  await importDialog.getByTestId('import-annotations-done').click();
  await expect(importDialog).toHaveCount(0);

  await expect(page.getByTestId('object-item')).toHaveCount(1);
  await expect(page.getByTestId('object-item')).toHaveAttribute('data-palette-index', '1');
  await expect(page.locator('[data-testid="timeline-keyframe"][data-frame-index="0"]')).toHaveCount(1);
  await expect.poll(async () => Buffer.from(overlayMask(await readOverlay(page))).equals(Buffer.from(painted))).toBe(true);
  await snapStep(page, testInfo, '05-mask-back');
});
