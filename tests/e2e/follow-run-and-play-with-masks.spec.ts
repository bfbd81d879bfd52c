import { expect, type Page } from '@playwright/test';
import { clientPoint, expectAllSaved, importSquareClip, overlayMask, readOverlay, seekFrame, snapStep } from './annotationDriver.ts';
import { createProject, openApp, skipWithoutChromium, test, uniqueProjectName } from './appDriver.ts';
import { squareAt, squareClip } from './e2eEnvironment.ts';

skipWithoutChromium();

/** The playhead's frame, read from the counter. */
async function playhead(page: Page): Promise<number> {
  return Number(await page.getByTestId('frame-input').inputValue());
}

test('Follow the run moves the view with the run; playback shows each frame with its masks at the clip frame rate once decoded', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  // Calls the page sends to the engine, by "service.method" (the WebSocket message header is JSON).
  const calls: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      const header = /"service":"(\w+)","method":"(\w+)"/.exec(Buffer.from(payload).toString('latin1'));
      if (header) calls.push(`${header[1]}.${header[2]}`);
    }),
  );
  await openApp(page);
  await createProject(page, uniqueProjectName('Follow and play'));
  await importSquareClip(page);
  await page.getByTestId('add-object-mask').click();
  await page.keyboard.press('p');
  const { left, top, size } = squareAt(0);
  for (const [x, y] of [[left, top], [left + size, top], [left + size, top + size], [left, top + size]]) {
    const point = await clientPoint(page, x, y);
    await page.mouse.click(point.x, point.y);
  }
  await page.keyboard.press('Enter');
  await expectAllSaved(page);

  // Follow the run: the playhead goes with the frames the run saves, and each shows with its mask.
  await page.getByTestId('follow-run').check();
  await page.getByTestId('propagate-forward').click();
  await expect.poll(() => playhead(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  const followed = await playhead(page);
  await expect(page.getByTestId('overlay-canvas')).toHaveAttribute('data-frame-index', String(followed), { timeout: 5_000 }).catch(async () => {
    // The run may have moved on meanwhile: the overlay then shows a later frame.
    expect(Number(await page.getByTestId('overlay-canvas').getAttribute('data-frame-index'))).toBeGreaterThanOrEqual(followed);
  });
  await snapStep(page, testInfo, '01-following-the-run');
  await expect(page.getByTestId('propagation-progress')).toHaveCount(0, { timeout: 240_000 });
  await expect(page.getByTestId('frame-input')).toHaveValue(String(squareClip.frameCount - 1));
  // The option is remembered by the page.
  await page.reload();
  await expect(page.getByTestId('follow-run')).toBeChecked();

  // First playthrough decodes the frames; the second plays them from the page at the clip's 10 fps, masks on.
  await seekFrame(page, 0);
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-playing', 'false', { timeout: 120_000 });
  await seekFrame(page, 0);
  // The page notes which frames the canvas and the mask overlay hold each time either changes (reading pixels back
  // from here would slow the page being measured).
  await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="frame-canvas"]');
    const overlay = document.querySelector('[data-testid="overlay-canvas"]');
    window.playSamples = [];
    window.playObserver = new MutationObserver(() => window.playSamples.push([Number(canvas.dataset.frameIndex), Number(overlay.dataset.frameIndex)]));
    for (const element of [canvas, overlay]) window.playObserver.observe(element, { attributes: true, attributeFilter: ['data-frame-index'] });
  })()`);
  const callsBefore = calls.length;
  const started = Date.now();
  await page.keyboard.press(' ');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('data-playing', 'false', { timeout: 60_000 });
  const seconds = (Date.now() - started) / 1000;
  const samples = (await page.evaluate('window.playObserver.disconnect(), window.playSamples')) as [number, number][];
  testInfo.annotations.push({ type: 'second playthrough', description: `${seconds.toFixed(1)} s for ${squareClip.frameCount} frames at ${squareClip.fps} fps` });
  await expect(page.getByTestId('frame-input')).toHaveValue(String(squareClip.frameCount - 1));
  // Frames and labels already read play from the page, at the player's frame-rate timer: the engine is asked for
  // none of them again (the old player decoded each frame as it came, at about 2.5 fps).
  const during = calls.slice(callsBefore);
  expect(during.filter((call) => call === 'clips.getFrame' || call === 'annotations.getFrame'), during.join(' ')).toEqual([]);
  // Every frame was on screen with its own labels drawn over it, and the last one carries the square's mask.
  for (let frameIndex = 1; frameIndex < squareClip.frameCount; frameIndex++) {
    expect(samples.some(([canvas, overlay]) => canvas === frameIndex && overlay === frameIndex), `frame ${frameIndex} shown with its masks`).toBe(true);
  }
  expect(overlayMask(await readOverlay(page), [128, 0, 0]).some(Boolean)).toBe(true);
  await snapStep(page, testInfo, '02-played-with-masks');
});
