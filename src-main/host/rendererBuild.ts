import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time (ms) of any file under `dir`, skipping node_modules. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when out/renderer is missing or older than the renderer sources or the contract it is compiled against. */
export function rendererBuildIsStale(appRoot: string): boolean {
  const index = join(appRoot, 'out/renderer/index.html');
  if (!existsSync(index)) return true;
  const builtAt = statSync(index).mtimeMs;
  const sources = [join(appRoot, 'src-renderer'), join(appRoot, 'src-main/core/api')];
  return sources.some((dir) => existsSync(dir) && newestMtime(dir) > builtAt);
}

/** Runs `electron-vite build` (main, preload and renderer) and resolves when it succeeds. */
export function buildApp(appRoot: string, log: (line: string) => void): Promise<void> {
  const cli = join(appRoot, 'node_modules/electron-vite/bin/electron-vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'build'], { cwd: appRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`building the app failed (electron-vite exit ${code}):\n${output.slice(-4000)}`));
    });
    log('Building the app (electron-vite)…');
  });
}
