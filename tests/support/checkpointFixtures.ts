/**
 * Test support: runs core/models/checkpoints/fixtures/make_checkpoints.py once per script version with a Python
 * that has torch, into a cache folder under the system temp directory, and describes what it wrote. Not used by the app.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPython } from '../../src-main/core/training/findPython.ts';
import { sha256 } from '../../src-main/core/models/embeddedModel.ts';

export const FIXTURE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src-main/core/models/checkpoints/fixtures/make_checkpoints.py');

export interface CheckpointFixtures {
  directory: string;
  torch: string;
  /** Size ("64x96") → uint8 H×W×3 .npy. */
  inputs: Record<string, string>;
  /** Reference network → size → float32 1×C×⌈H/8⌉×⌈W/8⌉ .npy of PyTorch's features. */
  references: Record<string, Record<string, string>>;
  checkpoints: Array<{ file: string; preset: string; reference: string; format: 'zip' | 'zip-deflate' | 'legacy' | 'tar' }>;
  bad: { unknownArchitecture: string; unsafeOsSystem: string; unsafeLoadFromBytes: string; wholeModule: string; marker: string };
}

export type FixtureResult = { available: true; fixtures: CheckpointFixtures } | { available: false; reason: string };

/** Generates (or reuses) the fixtures; `available: false` says why when no Python with torch is found. */
export async function checkpointFixtures(): Promise<FixtureResult> {
  const scriptHash = sha256(readFileSync(FIXTURE_SCRIPT)).slice(0, 12);
  const directory = path.join(tmpdir(), `correspond-checkpoint-fixtures-${scriptHash}`);
  const manifestFile = path.join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) {
    const search = await findPython();
    if (!search.found) return { available: false, reason: `no Python with torch to build the checkpoint fixtures: ${search.message}` };
    const failure = await new Promise<string | undefined>((resolve) => {
      execFile(search.python.executable, [FIXTURE_SCRIPT, directory], { timeout: 600_000, maxBuffer: 16 << 20 }, (error, _stdout, stderr) =>
        resolve(error ? `${error.message.split('\n')[0]}\n${stderr.trim().split('\n').slice(-5).join('\n')}` : undefined),
      );
    });
    if (failure !== undefined) throw new Error(`make_checkpoints.py failed: ${failure}`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Omit<CheckpointFixtures, 'directory'>;
  return { available: true, fixtures: { ...manifest, directory } };
}
