import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from './projectStore.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const childScript = path.join(import.meta.dirname, 'fixtures', 'crashChild.ts');
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'correspond-crash-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Starts the child and resolves with its stdout once it reports READY (or rejects if it exits first). */
function runChildUntilReady(filePath: string, clipId: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, filePath, clipId, String(count)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /READY (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then(({ code }) => reject(new Error(`child exited (${code}) before READY:\n${stdout}\n${stderr}`)));
  });
  return { child, ready, exited };
}

describe('crash safety', () => {
  it('after kill -9 inside an open transaction, reopening shows exactly the committed rows and a sound file', async () => {
    const filePath = path.join(directory, 'crash.correspond');
    const setup = ProjectStore.create(filePath, { name: 'crash test' });
    const clip = setup.addClip({ name: 'clip', sourcePath: '/c.mp4', sourceKind: 'video', fps: 25, width: 64, height: 48, frameCount: 200 });
    setup.close();

    const { child, ready, exited } = runChildUntilReady(filePath, clip.id, 40);
    const committed = await ready;
    expect(committed).toBe(40);
    // The open transaction has spilled pages into the WAL, so recovery really has to discard uncommitted frames.
    expect(statSync(`${filePath}-wal`).size).toBeGreaterThan(8 * 1024 * 1024);
    child.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });

    const store = ProjectStore.open(filePath);
    try {
      expect(store.checkIntegrity()).toEqual({ ok: true, messages: ['ok'] });
      const names = store.listObjects(clip.id).map((object) => object.name);
      expect(names).toHaveLength(committed);
      expect(names).toEqual(Array.from({ length: committed }, (_, index) => `committed ${index}`));
      expect(store.listThumbnailFrames(clip.id)).toEqual([]);
      const last = store.listAnnotationsForObject(store.listObjects(clip.id)[committed - 1]!.id);
      expect(last).toHaveLength(1);
      expect(last[0]!.kind === 'labels' && last[0]!.labels.data.reduce((sum, value) => sum + value, 0)).toBe(committed);
    } finally {
      store.close();
    }
  });
});
