// Where the Electron binary is, WITHOUT require('electron'): that call downloads the binary when it is missing.
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
