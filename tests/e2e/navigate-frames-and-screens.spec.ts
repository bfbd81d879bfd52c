import { expect } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createProject, expectCanvasShowsFrame, importDialog, openApp, skipWithoutChromium, snap, test, uniqueProjectName } from './appDriver.ts';
import { expectAllSaved, importSquareClip, paintSquare, squareBrushPx } from './annotationDriver.ts';
import { fixturesDirectory, patternClip } from './e2eEnvironment.ts';

skipWithoutChromium();

async function importPatternClip(page: import('@playwright/test').Page): Promise<void> {
  await page.getByTestId('empty-import').click();
  const dialog = importDialog(page);
  await expect(dialog.getByTestId('import-path')).not.toHaveValue('');
  await dialog.getByTestId('import-path').fill(join(fixturesDirectory(), patternClip.fileName));
  await dialog.getByTestId('start-import').click();
  await expect(dialog).toHaveCount(0);
  await expectCanvasShowsFrame(page, 0);
}

test('go to a typed frame, one numbering from 0 to N−1, and every shortcut on ? and F1', async ({ page }, testInfo) => {
  await openApp(page);
  await createProject(page, uniqueProjectName('Go to frame'));
  await importPatternClip(page);
  const last = patternClip.frameCount - 1;
  const field = page.getByTestId('frame-input');
  await expect(page.getByTestId('frame-counter')).toHaveText(`Frame of 0–${last}`);
  await expect(field).toHaveValue('0');

  // Type a frame and press Enter: that frame shows; the field belongs to typing (arrows do not step the clip).
  await field.fill('17');
  await field.press('Enter');
  await expectCanvasShowsFrame(page, 17);
  await expect(field).toHaveValue('17');
  // G focuses the field; a number past the end goes to the last frame, which reads "29 of 0–29".
  await page.keyboard.press('g');
  await expect(field).toBeFocused();
  await page.keyboard.type('500');
  await page.keyboard.press('Enter');
  await expectCanvasShowsFrame(page, last);
  await expect(field).toHaveValue(String(last));
  // Esc leaves a half-typed frame; ← still steps once the field lost the focus.
  await field.fill('3');
  await field.press('Escape');
  await expect(field).toHaveValue(String(last));
  await page.keyboard.press('ArrowLeft');
  await expectCanvasShowsFrame(page, last - 1);
  await snap(page, testInfo, '01-frame-field');

  // ? opens the shortcut list, Esc closes it; F1 and the status bar's ? open it too.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  for (const text of ['Previous / next frame', 'Go to a frame', 'Play / pause', 'Brush', 'Undo', 'Rename the focused clip']) {
    await expect(help.getByTestId('shortcut-help')).toContainText(text);
  }
  await snap(page, testInfo, '02-shortcut-help');
  await page.keyboard.press('Escape');
  await expect(help).toHaveCount(0);
  await page.keyboard.press('F1');
  await expect(help).toBeVisible();
  await page.keyboard.press('Escape');
  await page.getByTestId('open-shortcut-help').click();
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toHaveCount(0);
  // The shortcuts the list names work: Home, End, and → after the help closed.
  await page.keyboard.press('Home');
  await expectCanvasShowsFrame(page, 0);
});

test('the status bar keeps the connection in view; the Models screen keeps the project and leads back to it', async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  // A long stream spec, as an imported model's name can make it.
  const longSpec = `hypercolumn+${'imported-model-from-the-lab-'.repeat(5)}v3@1.75`;
  await page.addInitScript((spec) => {
    (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage.setItem('correspond.streamSpec', spec);
  }, longSpec);
  const projectName = uniqueProjectName('Models and back');
  await openApp(page);
  await createProject(page, projectName);
  await importPatternClip(page);
  await page.keyboard.press('End');
  await expectCanvasShowsFrame(page, patternClip.frameCount - 1);

  const stream = page.getByTestId('status-stream');
  await expect(stream).toHaveAttribute('title', new RegExp(longSpec.replace(/[+.@]/g, '\\$&')));
  const connection = page.getByTestId('status-connection');
  await expect(connection).toBeInViewport({ ratio: 1 });
  const viewport = page.viewportSize()!;
  const box = (await connection.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  await snap(page, testInfo, '01-status-bar-long-stream');

  // Models: the breadcrumb names the project, the page explains its words, Back returns to the same clip and frame.
  await page.getByTestId('open-models').click();
  await expect(page.getByTestId('models-title')).toBeVisible();
  await expect(page.getByTestId('project-title')).toHaveText(projectName);
  await expect(page.getByTestId('models-explained')).toContainText('In plain words');
  for (const word of ['stride', 'Fusion', 'λ', 'L2']) await expect(page.getByTestId('models-explained')).toContainText(word);
  await snap(page, testInfo, '02-models-screen-from-project');
  await page.reload();
  await expect(page.getByTestId('project-title')).toHaveText(projectName);
  await page.getByTestId('models-back').click();
  await expect(page.getByTestId('models-title')).toHaveCount(0);
  await expect(page.getByTestId('project-title')).toHaveText(projectName);
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-frame-index', String(patternClip.frameCount - 1));
  // Via the breadcrumb too.
  await page.getByTestId('open-models').click();
  await page.getByTestId('project-title').click();
  await expect(page.getByTestId('models-title')).toHaveCount(0);
  await expect(page.getByTestId('clip-item')).toHaveCount(1);
});

test('a second export into the same folder gets a free folder name instead of failing', async ({ page }, testInfo) => {
  test.setTimeout(240_000); // painting, two exports and a shared two-core machine
  await openApp(page);
  await createProject(page, uniqueProjectName('Export twice'));
  await importSquareClip(page);
  await page.getByTestId('add-object-mask').click();
  await page.getByTestId('brush-size').fill(String(squareBrushPx));
  await paintSquare(page, 0);
  await expectAllSaved(page);

  const destination = join(fixturesDirectory(), `export-twice-${Date.now().toString(36)}`);
  mkdirSync(destination);
  await page.getByTestId('open-export').click();
  const dialog = page.getByRole('dialog', { name: 'Export annotations' });
  await dialog.locator('[data-testid="format-option"][data-format="davis"]').click();
  await dialog.getByTestId('export-destination').fill(destination);
  await dialog.getByTestId('export-destination').press('Enter');
  await expect(dialog.getByText('This folder is empty.')).toBeVisible();
  await expect(dialog.getByTestId('export-folder-name')).toHaveValue('square-davis');
  await dialog.getByTestId('start-export').click();
  await expect(dialog.getByTestId('export-path')).toHaveText(join(destination, 'square-davis'));

  // Export again: the suggestion moves past the folder just written, and the export succeeds.
  await dialog.getByTestId('export-again').click();
  await expect(dialog.getByTestId('export-folder-name')).toHaveValue('square-davis-2');
  await snap(page, testInfo, '01-second-export-suggests-free-name');
  await dialog.getByTestId('start-export').click();
  await expect(dialog.getByTestId('export-path')).toHaveText(join(destination, 'square-davis-2'));

  // A typed name that exists is pointed out, with a free one to take.
  await dialog.getByTestId('export-again').click();
  await dialog.getByTestId('export-folder-name').fill('square-davis');
  await expect(dialog.getByTestId('export-folder-taken')).toContainText('“square-davis” already exists');
  await dialog.getByTestId('export-use-free-name').click();
  await expect(dialog.getByTestId('export-folder-name')).toHaveValue('square-davis-3');
  await snap(page, testInfo, '02-taken-name-warning');
});
