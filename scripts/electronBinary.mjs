// Where the Electron binary is, WITHOUT require('electron'): that call downloads the binary when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function electronPackageDir(appRoot) {
  return join(appRoot, 'node_modules/electron');
}

/** Absolute path of the Electron executable, or undefined when it has not been downloaded yet. */
export function installedElectronBinary(appRoot) {
  const dir = electronPackageDir(appRoot);
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

export function electronVersion(appRoot) {
  return JSON.parse(readFileSync(join(electronPackageDir(appRoot), 'package.json'), 'utf8')).version;
}

/** The better-sqlite3 binary built for this Electron's ABI (made by scripts/start-electron.mjs). */
export function electronSqliteBindingPath(appRoot) {
  return join(appRoot, '.cache/electron-native', `electron-${electronVersion(appRoot)}`, 'better_sqlite3.node');
}

/** The oldest Node the installed Electron's installer supports, from its package's `engines` (e.g. "22.12.0"). */
export function electronRequiredNode(appRoot) {
  const engines = JSON.parse(readFileSync(join(electronPackageDir(appRoot), 'package.json'), 'utf8')).engines?.node ?? '';
  return /(\d+(?:\.\d+){0,2})/.exec(engines)?.[1];
}

/** True when version `a` ("20.19.2", "v22.12.0") is older than `b`. */
export function isOlderVersion(a, b) {
  const parts = (text) => text.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
  return false;
}

/**
 * Downloads the Electron binary (electron's own install.js) with its output captured, so a machine without network
 * gets one sentence instead of a stack trace. Returns the binary's path, or `{ problem }` with the last line the
 * installer printed.
 */
export function fetchElectronBinary(appRoot, { env = process.env, timeoutMs = 600_000 } = {}) {
  const installed = installedElectronBinary(appRoot);
  if (installed) return { binary: installed };
  const result = spawnSync(process.execPath, [join(electronPackageDir(appRoot), 'install.js')], { env, encoding: 'utf8', timeout: timeoutMs });
  const binary = installedElectronBinary(appRoot);
  if (result.status === 0 && binary) return { binary };
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('at '));
  const reason = lines.find((line) => /error|failed/i.test(line)) ?? lines[0] ?? (result.error?.message || `exit code ${result.status}`);
  const offline = /fetch failed|ENOTFOUND|ECONNREFUSED|ECONNRESET|EAI_AGAIN|ETIMEDOUT|getaddrinfo/i.test(reason);
  return { problem: offline ? `no connection to its download server: ${reason}` : reason };
}
