import { expect, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openApp, skipWithoutChromium, snap, test } from './appDriver.ts';

skipWithoutChromium();

/** The embedded model's own file: a real stride-8 .onnx to import under another name. */
const hypercolumnModel = resolve('resources/models/generated/mobilenetv2-hypercolumn.onnx');

function modelRow(page: Page, streamName: string) {
  return page.locator(`[data-testid="model-row"][data-stream-name="${streamName}"]`);
}

function importModelDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Import model' });
}

test('an annotator imports a feature model, fuses it into the propagation stream and removes it again', async ({ page }, testInfo) => {
  await openApp(page);
  await page.getByTestId('open-models').click();
  await expect(page).toHaveURL(/#\/models$/);

  // The embedded default and the weight-free pixels stream are always there.
  await expect(modelRow(page, 'default')).toContainText('Embedded');
  await expect(modelRow(page, 'default')).toContainText('Semantic');
  await expect(modelRow(page, 'pixels')).toContainText('Built-in');
  await expect(modelRow(page, 'pixels')).toContainText('Pixels');
  await expect(modelRow(page, 'pixels')).toContainText('48');
  // Out of the box, propagation fuses the semantic default with the shipped fine-grained stream (SFC).
  await expect(page.getByTestId('stream-spec')).toHaveText('default+fc@1.75');
  await snap(page, testInfo, '01-models-list');

  // A text file with an .onnx name, picked in the app's own file browser, is refused with a message naming it.
  const scratch = testInfo.outputPath('models');
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, 'bogus.onnx'), 'This is a text file, not an ONNX model.\n');
  writeFileSync(join(scratch, 'notes.txt'), 'not a model\n');
  await page.getByTestId('open-model-import').click();
  const dialog = importModelDialog(page);
  await expect(dialog.getByTestId('model-import-path')).not.toHaveValue('');
  await dialog.getByTestId('model-import-path').fill(scratch);
  await dialog.getByTestId('model-import-path').press('Enter');
  const fileList = dialog.getByTestId('model-file-list');
  await expect(fileList.getByText('bogus.onnx', { exact: true })).toBeVisible();
  await expect(fileList.getByText('notes.txt', { exact: true })).toHaveCount(0);
  await fileList.getByText('bogus.onnx', { exact: true }).click();
  await expect(dialog.getByTestId('model-import-path')).toHaveValue(join(scratch, 'bogus.onnx'));
  await dialog.getByTestId('start-model-import').click();
  await expect(dialog.getByTestId('model-import-error')).toContainText('bogus.onnx');
  await snap(page, testInfo, '02-import-error');

  // The real model, typed into the path field, imports under the given name.
  const name = `e2e-hypercolumn-${Date.now().toString(36)}`;
  await dialog.getByTestId('model-import-path').fill(hypercolumnModel);
  await dialog.getByTestId('model-name').fill(name);
  await expect(dialog.getByTestId('model-preset')).toHaveValue('');
  await snap(page, testInfo, '03-import-dialog-filled');
  await dialog.getByTestId('start-model-import').click();
  await expect(dialog).toHaveCount(0, { timeout: 60_000 });
  await expect(modelRow(page, name)).toContainText('Imported');
  await expect(modelRow(page, name)).toContainText('Unknown');

  // Fused as the fine-grained stream with SFC's λ; the choice survives a reload.
  await page.getByTestId('fusion-fine').selectOption(name);
  await expect(page.getByTestId('stream-spec')).toHaveText(`default+${name}@1.75`);
  await page.getByTestId('fusion-lambda').fill('2');
  await expect(page.getByTestId('stream-spec')).toHaveText(`default+${name}@2`);
  await expect(modelRow(page, name)).toContainText('In use');
  await snap(page, testInfo, '04-imported-and-fused');
  await page.reload();
  await expect(page.getByTestId('stream-spec')).toHaveText(`default+${name}@2`);
  // The node tsconfig has no DOM lib: name the little of the page's global this reads.
  const saved = await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('correspond.streamSpec'));
  expect(saved).toBe(`default+${name}@2`);

  // Removing asks first, says the stream loses its fine-grained part, and the spec falls back.
  await modelRow(page, name).getByTestId('remove-model').click();
  const confirm = page.getByRole('dialog', { name: 'Remove model?' });
  await expect(confirm).toContainText(name);
  await expect(confirm.getByTestId('remove-model-in-use')).toBeVisible();
  await snap(page, testInfo, '05-remove-confirmation');
  await confirm.getByTestId('confirm-remove-model').click();
  await expect(confirm).toHaveCount(0);
  await expect(modelRow(page, name)).toHaveCount(0);
  await expect(page.getByTestId('stream-spec')).toHaveText('default');
  await expect(modelRow(page, 'default')).toBeVisible();
});
