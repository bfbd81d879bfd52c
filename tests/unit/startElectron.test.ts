import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs helpers shared with scripts/start-electron.mjs
import { electronRequiredNode, fetchElectronBinary, installedElectronBinary, isOlderVersion } from '../../scripts/electronBinary.mjs';

const appRoot = resolve(import.meta.dirname, '../..');
const requiredNode: string | undefined = electronRequiredNode(appRoot);
const nodeTooOld = requiredNode !== undefined && isOlderVersion(process.versions.node, requiredNode);
/** A download server that refuses at once: what a machine without network sees, without waiting for timeouts. */
const offlineEnv = { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: resolve(appRoot, '.cache/electron-offline-test') };

function outputLines(result: { stdout: string; stderr: string }): string[] {
  return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
}

describe('npm start', () => {
  it('reads the Node version Electron’s installer needs from its package and compares versions', () => {
    expect(requiredNode).toMatch(/^\d+(\.\d+)*$/);
    expect(isOlderVersion('20.19.2', '22.12.0')).toBe(true);
    expect(isOlderVersion('v22.12.0', '22.12.0')).toBe(false);
    expect(isOlderVersion('22.13.1', '22.12.0')).toBe(false);
    expect(isOlderVersion('22.9.0', '22.12.0')).toBe(true);
  });

  it.skipIf(!nodeTooOld)(`on a Node older than Electron needs says so in one line and points to npm run web${nodeTooOld ? '' : ' (skipped: this Node is new enough)'}`, () => {
    const result = spawnSync(process.execPath, ['scripts/start-electron.mjs'], { cwd: appRoot, env: offlineEnv, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    const lines = outputLines(result);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node ${requiredNode}`);
    expect(lines[0]).toContain('npm run web');
  });

  it.skipIf(nodeTooOld)(`without network says so in one line and points to npm run web${nodeTooOld ? ' (skipped: this Node is too old for Electron; the test above covers it)' : ''}`, () => {
    const result = spawnSync(process.execPath, ['scripts/start-electron.mjs'], { cwd: appRoot, env: offlineEnv, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(1);
    const lines = outputLines(result);
    expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(2); // at most "Building better-sqlite3…" before the reason
    expect(lines.at(-1)).toContain('npm run web');
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
  });

  it.skipIf(Boolean(installedElectronBinary(appRoot)))('turns a failed Electron download into one reason instead of a stack trace', () => {
    const outcome = fetchElectronBinary(appRoot, { env: offlineEnv, timeoutMs: 60_000 }) as { binary?: string; problem?: string };
    expect(outcome.binary).toBeUndefined();
    expect(outcome.problem).toMatch(/no connection to its download server/);
    expect(outcome.problem).not.toContain('\n');
  });
});
