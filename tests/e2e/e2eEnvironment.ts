import { existsSync } from 'node:fs';

/**
 * Facts shared by playwright.config.ts, the global setup and the specs. The browser host runs with a fixed token
 * (CORRESPOND_TOKEN) so the specs can build the page URL; the host is reachable only on loopback anyway.
 */
/** 5177 unless CORRESPOND_E2E_PORT is set (lets two checkouts run their suites side by side). */
export const e2ePort = Number(process.env.CORRESPOND_E2E_PORT ?? 5177);
export const e2eToken = 'e2e-fixed-token-0123456789abcdef';
export const e2eOrigin = `http://127.0.0.1:${e2ePort}`;
export const appPath = `/?token=${e2eToken}`;

export const chromiumPath = '/usr/bin/chromium';
export const chromiumMissingReason = `Debian Chromium is not installed at ${chromiumPath} (apt-get install chromium); the browser tests need it.`;
export const chromiumIsMissing = !existsSync(chromiumPath);

/** The generated test clip (see globalSetup.ts): frame n is a dark field with a bright 8 px bar at x = 5n. */
export const patternClip = { fileName: 'pattern.mp4', width: 160, height: 120, frameCount: 30, fps: 10, barWidthPx: 8, barStepPx: 5 } as const;

/**
 * The annotation clip (see globalSetup.ts): a bright textured square of `squareSizePx` moving over a static textured
 * background; in frame n its top-left corner is at (squareX0 + squareStepX·n, squareY0 + squareStepY·n). The engine
 * labels 8×8-pixel feature cells, so a propagated edge can sit up to half a cell (4 px) from the true one; the
 * square is large enough that IoU stays ≥ 0.9 even then ((124·126)/(2·128² − 124·126) ≈ 0.91).
 */
export const squareClip = {
  fileName: 'square.mp4', width: 320, height: 256, frameCount: 30, fps: 10,
  squareSizePx: 128, squareX0: 32, squareY0: 48, squareStepX: 4, squareStepY: 2,
} as const;

/** The square's pixel rectangle in frame n: x in [left, left+size), y in [top, top+size). */
export function squareAt(frameIndex: number): { left: number; top: number; size: number } {
  const { squareX0, squareY0, squareStepX, squareStepY, squareSizePx } = squareClip;
  return { left: squareX0 + squareStepX * frameIndex, top: squareY0 + squareStepY * frameIndex, size: squareSizePx };
}

/** A DAVIS-style image-sequence folder (see globalSetup.ts). */
export const imageSequence = { folderName: 'sequence', width: 176, height: 144, frameCount: 12 } as const;

/** Where the global setup put its files; set before the workers start, so they inherit it. */
export function fixturesDirectory(): string {
  const directory = process.env.CORRESPOND_E2E_FIXTURES;
  if (!directory) throw new Error('CORRESPOND_E2E_FIXTURES is not set: run the specs through playwright.config.ts');
  return directory;
}

/** The browser host's project library for this run (CORRESPOND_HOME of the served app). */
export function libraryDirectory(): string {
  const root = process.env.CORRESPOND_E2E_ROOT;
  if (!root) throw new Error('CORRESPOND_E2E_ROOT is not set: run the specs through playwright.config.ts');
  return `${root}/library`;
}
