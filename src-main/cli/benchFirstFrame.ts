/**
 * `bench ui`: how soon the first propagated frame shows in the real UI after the Forward click, with features
 * cached, measured by the page itself (User Timing entries of src-renderer/utils/propagationTiming.ts) in Debian's
 * Chromium against the browser host, on a generated 480p clip. The annotator's usual move is reproduced: frame 0 has
 * a mask, the playhead is on frame 1, click Forward; the run is cancelled once frame 1 is shown, and repeated.
 * Two variants side by side in one run: "prepared" (the page readies the run while the playhead rests, as it does
 * for the annotator; each click waits until that happened) and "cold" (preparing switched off in the page).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../core/createServices.ts';
import { hasEncoder } from '../core/video/ffmpegInfo.ts';
import { startBrowserHost } from '../host/browserHost.ts';
import { buildApp, rendererBuildIsStale } from '../host/rendererBuild.ts';
import { appRoot } from './benchmarkRecords.ts';
import { UsageError } from './cliCommand.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Names of the page's measures (kept in step with src-renderer/utils/propagationTiming.ts). */
const RECEIVED_MEASURE = 'correspond:first-frame-received';
const SHOWN_MEASURE = 'correspond:first-frame-shown';
const PREPARED_MARK = 'correspond:prepared';
const PREPARE_MEASURE = 'correspond:prepare';
/** The page's localStorage switch for preparing runs (src-renderer/stores/propagation.ts). */
const PREPARE_STORAGE_KEY = 'correspond.prepareRuns';

export type FirstFrameVariant = 'prepared' | 'cold';

export interface FirstFrameOptions {
  repeats: number;
  width: number;
  height: number;
  frames: number;
  stream: string;
  log: (line: string) => void;
}

export interface FirstFrameResult {
  variant: FirstFrameVariant;
  clip: string;
  stream: string;
  repeats: number;
  receivedMs: number[];
  shownMs: number[];
  medianReceivedMs: number;
  medianShownMs: number;
  maxShownMs: number;
  /** "prepared": the slowest preparation the page measured (the background work; later ones find it done). */
  slowestPrepareMs?: number;
  device: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function makeClip(folder: string, options: FirstFrameOptions): string {
  const file = join(folder, 'first-frame.mp4');
  const codec = hasEncoder('libx264') ? ['-c:v', 'libx264', '-preset', 'ultrafast'] : ['-c:v', 'mpeg4', '-q:v', '2'];
  const result = spawnSync('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${options.width}x${options.height}:rate=25`, '-frames:v', String(options.frames),
    ...codec, '-pix_fmt', 'yuv420p', '-y', file,
  ], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg could not generate the benchmark clip: ${result.stderr || result.error?.message}`);
  return file;
}

export async function benchFirstFrame(options: FirstFrameOptions): Promise<FirstFrameResult[]> {
  if (!existsSync(CHROMIUM_PATH)) throw new UsageError(`bench ui needs Debian's Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  let chromium: typeof import('@playwright/test').chromium;
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    throw new UsageError('bench ui drives the page with @playwright/test, a development dependency: run it from a development checkout');
  }
  if (rendererBuildIsStale(appRoot)) await buildApp(appRoot, options.log);
  const folder = mkdtempSync(join(tmpdir(), 'correspond-bench-ui-'));
  const services = createServices({ libraryDirectory: join(folder, 'library'), host: 'browser', appRoot });
  const host = await startBrowserHost({ dispatcher: services.dispatcher, rendererDir: join(appRoot, 'out/renderer'), port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const { api } = services;
    const project = await api.projects.create({ name: 'First-frame benchmark' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: makeClip(folder, options) });
    const object = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'Object', kind: 'mask' });
    const mask = new Uint8Array(clip.width * clip.height);
    const [top, bottom, left, right] = [clip.height >> 2, (3 * clip.height) >> 2, clip.width >> 2, (3 * clip.width) >> 2];
    for (let y = top; y < bottom; y++) mask.fill(1, y * clip.width + left, y * clip.width + right);
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: object.id, frameIndex: 0, mask });
    // Features of the first frames cached and the kernel runner warm, as after any earlier run on the clip.
    options.log('warming up: features of frames 0–3 and the kernel');
    await api.propagation.run({ projectId: project.id, clipId: clip.id, mode: 'forward', fromFrame: 0, toFrame: 3, stream: options.stream });

    const device = (await api.app.getInfo()).computeDevice.label;
    const results: FirstFrameResult[] = [];
    // Cold first: nothing is prepared on the host yet.
    for (const variant of ['cold', 'prepared'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // The page's own storage (this file is type-checked without DOM types).
      await page.addInitScript(`localStorage.setItem('correspond.streamSpec', ${JSON.stringify(options.stream)}); localStorage.setItem('${PREPARE_STORAGE_KEY}', '${variant === 'cold' ? 'off' : 'on'}')`);
      await page.goto(`${host.url}#/project/${project.id}/clip/${clip.id}?frame=1`);
      await page.locator('[data-testid="overlay-canvas"][data-frame-index="1"]').waitFor({ timeout: 60_000 });
      const forward = page.getByTestId('propagate-forward');
      const receivedMs: number[] = [];
      const shownMs: number[] = [];
      let preparedMarks = 0;
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        if (variant === 'prepared') {
          // The annotator's pause before the click: the page has readied the run (again, after the last one).
          const marks = await page.waitForFunction(
            ([name, seen]: [string, number]) => {
              const count = performance.getEntriesByName(name, 'mark').length;
              return count > seen ? count : undefined;
            },
            [PREPARED_MARK, preparedMarks] as [string, number],
            { timeout: 120_000 },
          );
          preparedMarks = (await marks.jsonValue()) as number;
        }
        await page.evaluate((names: string[]) => names.forEach((name) => performance.clearMeasures(name)), [RECEIVED_MEASURE, SHOWN_MEASURE]);
        await forward.click();
        // No named helpers inside: the TypeScript loader would wrap them in a function the page does not have.
        const handle = await page.waitForFunction(
          (names: string[]) => {
            const [received, shown] = names.map((name) => (performance.getEntriesByName(name, 'measure')[0] as { duration: number } | undefined)?.duration);
            return shown === undefined ? undefined : { received, shown };
          },
          [RECEIVED_MEASURE, SHOWN_MEASURE],
          { timeout: 60_000 },
        );
        const { received, shown } = (await handle.jsonValue()) as { received: number; shown: number };
        receivedMs.push(received);
        shownMs.push(shown);
        options.log(`${variant} run ${repeat + 1}/${options.repeats}: first frame received after ${received.toFixed(0)} ms, shown after ${shown.toFixed(0)} ms`);
        await page.getByTestId('cancel-propagation').click().catch(() => undefined); // the run may already be over
        await page.getByTestId('propagation-progress').waitFor({ state: 'detached', timeout: 120_000 });
      }
      const prepareMs = (await page.evaluate((name: string) => performance.getEntriesByName(name, 'measure').map((entry) => entry.duration), PREPARE_MEASURE)) as number[];
      await page.close();
      results.push({
        ...(variant === 'prepared' && prepareMs.length > 0 ? { slowestPrepareMs: Math.max(...prepareMs) } : {}),
        variant,
        clip: `${clip.width}×${clip.height}, ${clip.frameCount} frames`,
        stream: options.stream,
        repeats: options.repeats,
        receivedMs,
        shownMs,
        medianReceivedMs: median(receivedMs),
        medianShownMs: median(shownMs),
        maxShownMs: Math.max(...shownMs),
        device,
      });
    }
    return results;
  } finally {
    await browser.close();
    await host.close();
    services.dispose();
    rmSync(folder, { recursive: true, force: true });
  }
}
