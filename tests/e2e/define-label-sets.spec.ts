import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { clickFrame, drag, expectAllSaved, importSquareClip, readJoints, seekFrame, snapStep, waitForPropagationProgress } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { fixturesDirectory, squareAt } from './e2eEnvironment.ts';

skipWithoutChromium();

/** A mouse's skeleton: 5 joints, bones to the neck, the ears as a left/right pair. */
const mouseJoints = ['nose', 'left ear', 'right ear', 'neck', 'tail base'];
const mouseEdges: [number, number][] = [[0, 3], [1, 3], [2, 3], [3, 4]];
/** Where the joints go on frame 0, from the square's top-left corner. */
const jointsInSquare: [number, number][] = [[64, 16], [40, 36], [88, 36], [64, 60], [64, 110]];

function labelSetsDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Label sets' });
}

/** Starts a new set of a kind in the label set dialog and names its entries (adding rows as needed). */
async function defineLabelSet(page: Page, kind: 'skeleton' | 'parts', name: string, entries: string[]): Promise<void> {
  const dialog = labelSetsDialog(page);
  await dialog.getByTestId('label-set-new-kind').selectOption(`new:${kind}`);
  await dialog.getByTestId('label-set-new').click();
  await dialog.getByTestId('label-set-name').fill(name);
  const names = dialog.getByTestId('label-set-entry-name');
  while ((await names.count()) < entries.length) await dialog.getByTestId('label-set-add-entry').click();
  for (const [index, entry] of entries.entries()) await names.nth(index).fill(entry);
}

test('an annotator defines an animal skeleton and a part set, labels, propagates, renames a joint and exports COCO', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  // The weight-free stream (the Models screen's saved choice) and no background readying keep the spec lean: what
  // is tested is the vocabulary, not the features (the keypoint spec measures where joints land).
  await page.addInitScript(() => {
    const storage = (globalThis as unknown as { localStorage: { setItem(key: string, value: string): void } }).localStorage;
    storage.setItem('correspond.streamSpec', 'pixels');
    storage.setItem('correspond.prepareRuns', 'off');
  });
  await openApp(page);
  await createProject(page, uniqueProjectName('Mouse lab'));
  await importSquareClip(page);

  // Project settings: a 5-joint skeleton with its bones and ear pair, and a part set of 3 classes.
  await page.getByTestId('open-label-sets').click();
  const dialog = labelSetsDialog(page);
  await expect(dialog.getByTestId('label-set-item')).toHaveText([/JHMDB joints/, /VIP parts/]);
  await defineLabelSet(page, 'skeleton', 'mouse', mouseJoints);
  const edges = dialog.getByTestId('label-set-edges');
  while ((await edges.count()) < mouseEdges.length) await dialog.getByTestId('label-set-add-edges').click();
  for (const [index, [from, to]] of mouseEdges.entries()) {
    await edges.nth(index).getByTestId('pair-from').selectOption(String(from));
    await edges.nth(index).getByTestId('pair-to').selectOption(String(to));
  }
  await dialog.getByTestId('label-set-add-flipPairs').click();
  await dialog.getByTestId('label-set-flipPairs').getByTestId('pair-from').selectOption('1');
  await dialog.getByTestId('label-set-flipPairs').getByTestId('pair-to').selectOption('2');
  await snapStep(page, testInfo, '01-skeleton-defined');
  await dialog.getByTestId('label-set-save').click();
  await expect(dialog.locator('[data-testid="label-set-item"][data-name="mouse"]')).toContainText('Skeleton · 5 joints · 0 objects');
  await defineLabelSet(page, 'parts', 'fish', ['background', 'body', 'fin', 'tail']);
  await expect(dialog).toContainText('at most 255 classes plus background');
  await dialog.getByTestId('label-set-save').click();
  await expect(dialog.locator('[data-testid="label-set-item"][data-name="fish"]')).toContainText('Part classes · 3 classes');
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();

  // New objects take the chosen sets: the joint list and the part picker are the annotator's own.
  await page.getByTestId('new-skeleton').selectOption({ label: 'mouse' });
  await page.getByTestId('new-part-set').selectOption({ label: 'fish' });
  await page.getByTestId('add-object-keypoints').click();
  const mouse = page.locator('[data-testid="object-item"][data-object-kind="keypoints"]');
  const mouseId = (await mouse.getAttribute('data-object-id'))!;
  await expect(page.getByTestId('joint-list').locator('li')).toHaveText([/nose/, /left ear/, /right ear/, /neck/, /tail base/]);
  await expect(page.getByTestId('keypoint-hint')).toContainText('Click places nose');
  const square = squareAt(0);
  for (const [joint, [dx, dy]] of jointsInSquare.entries()) {
    await clickFrame(page, square.left + dx, square.top + dy);
    await expect(page.locator(`[data-testid="skeleton"][data-object-id="${mouseId}"] [data-testid="joint"]`)).toHaveCount(joint + 1);
  }
  await expect(page.locator(`[data-testid="skeleton"][data-object-id="${mouseId}"] line`)).toHaveCount(mouseEdges.length);

  await page.getByTestId('add-object-part').click();
  await expect(page.getByTestId('part-classes').locator('button')).toHaveText([/body/, /fin/, /tail/]);
  await page.getByTestId('part-classes').locator('[data-class-id="2"]').click();
  await expect(page.getByTestId('toolbar-part-class')).toContainText('fin');
  await drag(page, [{ x: square.left + 20, y: square.top + 80 }, { x: square.left + 100, y: square.top + 80 }]);
  await expectAllSaved(page);
  await snapStep(page, testInfo, '02-frame-0-labelled');

  // The mouse propagates with its own 5 joints; a few frames show it (cancel keeps them, and keeps the spec lean).
  await mouse.getByTestId('object-propagate').check();
  await page.getByTestId('propagate-forward').click();
  await waitForPropagationProgress(page);
  await page.getByTestId('cancel-propagation').click();
  await expect(page.getByTestId('propagation-progress')).toHaveCount(0);
  await expect(page.getByTestId('propagation-error')).toHaveCount(0);
  await seekFrame(page, 1);
  await mouse.getByTestId('object-name').click();
  await expect(page.getByTestId('frame-is-keyframe')).toHaveCount(0);
  expect((await readJoints(page, mouseId)).every((joint) => joint.joint < mouseJoints.length)).toBe(true);
  await expect(page.getByTestId('joint-list').locator('li')).toHaveCount(5);

  // Renaming a joint is free: no question, labels untouched, the joint list follows.
  await page.getByTestId('open-label-sets').click();
  await dialog.locator('[data-testid="label-set-item"][data-name="mouse"]').click();
  await dialog.getByTestId('label-set-entry-name').nth(4).fill('tail');
  await dialog.getByTestId('label-set-save').click();
  await expect(dialog.locator('[data-testid="label-set-item"][data-name="mouse"]')).toContainText('1 object');
  await expect(page.getByTestId('label-set-impact')).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(page.getByTestId('joint-list').locator('li').nth(4)).toContainText('tail');

  // COCO: the category of the mouse names the joints and edges as defined.
  const destination = join(fixturesDirectory(), `label-sets-${Date.now().toString(36)}`);
  mkdirSync(destination);
  await page.getByTestId('open-export').click();
  const exportDialog = page.getByRole('dialog', { name: 'Export annotations' });
  await expect(exportDialog.locator('[data-format="jhmdb"] input')).toBeDisabled();
  await expect(exportDialog.locator('[data-format="jhmdb"]')).toHaveAttribute('title', /JHMDB holds the 15 JHMDB joints; "Pose 1" uses skeleton "mouse" of 5 joints/);
  await exportDialog.locator('[data-testid="format-option"][data-format="coco"]').click();
  await exportDialog.getByTestId('export-destination').fill(destination);
  await exportDialog.getByTestId('export-destination').press('Enter');
  await exportDialog.getByTestId('start-export').click();
  await expect(exportDialog.getByTestId('export-success')).toBeVisible();
  const folder = (await exportDialog.getByTestId('export-path').textContent())!;
  const coco = JSON.parse(readFileSync(join(folder, 'annotations', 'instances_default.json'), 'utf8'));
  const category = coco.categories.find((entry: { keypoints?: string[] }) => entry.keypoints);
  expect(category.keypoints).toEqual(['nose', 'left ear', 'right ear', 'neck', 'tail']);
  expect(category.skeleton).toEqual(mouseEdges.map(([a, b]) => [a + 1, b + 1]));
  expect(category.label_set.flipPairs).toEqual([[1, 2]]);
  // Every saved skeleton of the mouse, keyframe and propagated, holds its 5 joints.
  const poses = coco.annotations.filter((annotation: { category_id: number }) => annotation.category_id === category.id);
  expect(poses.length).toBeGreaterThan(1);
  for (const pose of poses) expect(pose.keypoints).toHaveLength(5 * 3);
  await snapStep(page, testInfo, '03-exported');
  await exportDialog.getByTestId('export-done').click();

  // Removing a joint labels use asks first and says what goes; undo brings the joint and its positions back.
  await page.getByTestId('open-label-sets').click();
  await dialog.locator('[data-testid="label-set-item"][data-name="mouse"]').click();
  await dialog.getByTestId('label-set-remove-entry').nth(4).click();
  await dialog.getByTestId('label-set-save').click();
  const confirm = page.getByRole('dialog', { name: 'Remove from the label set?' });
  await expect(confirm.getByTestId('label-set-impact')).toHaveText(new RegExp(`^Removes joint "tail" and its positions from ${poses.length} annotations of 1 object\\.$`));
  await snapStep(page, testInfo, '04-remove-joint-asks');
  await confirm.getByTestId('label-set-confirm-remove').click();
  await expect(dialog.locator('[data-testid="label-set-item"][data-name="mouse"]')).toContainText('4 joints');
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(page.getByTestId('joint-list').locator('li')).toHaveCount(4);
  await expect(page.getByTestId('history-undo')).toHaveAttribute('title', 'Undo edit label set "mouse" (Ctrl+Z)');
  await page.getByTestId('history-undo').click();
  await expect(page.getByTestId('joint-list').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('joint-list').locator('li').nth(4)).toContainText('tail');
});
