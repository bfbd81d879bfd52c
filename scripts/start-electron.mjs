// `npm start`: the desktop app. Native modules are compiled per ABI: node_modules/better-sqlite3 stays built for
// Node (CLI, browser host, tests), and a second copy is built once for Electron's ABI into .cache/electron-native/
// and handed to the main process by path (better-sqlite3's `nativeBinding` option). So `npm test` and `npm start`
// both work without a manual rebuild, and switching between them never recompiles.
// What can stop it (Node too old for Electron's installer, no network to fetch Electron or its headers) is said in
// one line that points to `npm run web`, the same app in the browser; the tools' own output goes to a log file.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { electronRequiredNode, electronSqliteBindingPath, electronVersion, fetchElectronBinary, isOlderVersion } from './electronBinary.mjs';

const appRoot = resolve(import.meta.dirname, '..');
const logFile = join(appRoot, '.cache/electron-native/last-build.log');
const webHint = 'Run `npm run web` to use the same app in your browser.';

function stop(reason) {
  console.error(`npm start: ${reason}. ${webHint}`);
  process.exit(1);
}

/** Runs a build tool quietly; its output is kept in the log file for whoever wants the details. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: appRoot, encoding: 'utf8', ...options });
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, `$ ${[command, ...args].join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}`, { flag: 'a' });
  return result.status === 0;
}

function ensureElectronSqlite(version) {
  const target = electronSqliteBindingPath(appRoot);
  if (existsSync(target)) return target;
  console.log(`Building better-sqlite3 for Electron ${version} (once)…`);
  rmSync(logFile, { force: true });
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
    if (!ok) stop(`could not build better-sqlite3 for Electron ${version} (no prebuilt binary could be fetched and node-gyp failed; details in ${logFile})`);
  }
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(work, 'build/Release/better_sqlite3.node'), target);
  return target;
}

const version = electronVersion(appRoot);
const requiredNode = electronRequiredNode(appRoot);
if (requiredNode && isOlderVersion(process.versions.node, requiredNode)) {
  stop(`Electron ${version} needs Node ${requiredNode} or newer, this is Node ${process.versions.node}`);
}
const electron = fetchElectronBinary(appRoot);
if (!electron.binary) stop(`could not download Electron ${version} (${electron.problem})`);
const binding = ensureElectronSqlite(version);
if (!run(process.execPath, [join(appRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { stdio: 'inherit' })) process.exit(1);
const child = spawn(electron.binary, [appRoot, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CORRESPOND_SQLITE_BINDING: binding },
});
child.on('exit', (code) => process.exit(code ?? 0));
