// `npm start`: the desktop app. Native modules are compiled per ABI: node_modules/better-sqlite3 stays built for
// Node (CLI, browser host, tests), and a second copy is built once for Electron's ABI into .cache/electron-native/
// and handed to the main process by path (better-sqlite3's `nativeBinding` option). So `npm test` and `npm start`
// both work without a manual rebuild, and switching between them never recompiles.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { electronSqliteBindingPath, electronVersion } from './electronBinary.mjs';

const appRoot = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: appRoot, ...options });
  return result.status === 0;
}

function ensureElectronSqlite() {
  const target = electronSqliteBindingPath(appRoot);
  if (existsSync(target)) return target;
  const version = electronVersion(appRoot);
  console.log(`Building better-sqlite3 for Electron ${version} (once)…`);
  const work = join(appRoot, '.cache/electron-native/build/better-sqlite3');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(work), { recursive: true });
  cpSync(join(appRoot, 'node_modules/better-sqlite3'), work, {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  });
  const prebuild = join(appRoot, 'node_modules/prebuild-install/bin.js');
  const fromPrebuilt =
    existsSync(prebuild) &&
    run(process.execPath, [prebuild, '--runtime', 'electron', '--target', version, '--arch', process.arch, '--platform', process.platform], { cwd: work });
  if (!fromPrebuilt) {
    // No prebuilt binary for this Electron: compile against Electron's headers.
    const nodeGyp = join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
    const gyp = existsSync(nodeGyp) ? [process.execPath, nodeGyp] : ['npx', 'node-gyp'];
    const ok = run(gyp[0], [...gyp.slice(1), 'rebuild', '--release', `--target=${version}`, '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`], {
      cwd: work,
      env: { ...process.env, npm_config_nodedir: '' },
    });
    if (!ok) throw new Error('could not build better-sqlite3 for Electron (no prebuilt binary and node-gyp failed)');
  }
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(work, 'build/Release/better_sqlite3.node'), target);
  return target;
}

const binding = ensureElectronSqlite();
if (!run(process.execPath, [join(appRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'])) process.exit(1);
// require('electron') returns the binary's path, downloading it on first use.
const electronBinary = require('electron');
const child = spawn(electronBinary, [appRoot, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CORRESPOND_SQLITE_BINDING: binding },
});
child.on('exit', (code) => process.exit(code ?? 0));
