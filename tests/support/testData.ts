import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Repository root (the directory holding package.json), from this file's location. */
export const repoRoot = resolve(import.meta.dirname, '../..');

/** Shared read-only data: `../shared/data` next to the repo, or $CORRESPOND_SHARED_DATA. */
export const sharedDataDir = process.env.CORRESPOND_SHARED_DATA ?? resolve(repoRoot, '../shared/data');

export const propagationReferenceDir = join(sharedDataDir, 'reference', 'propagation');

export function hasSharedData(path: string): boolean {
  return existsSync(path) && existsSync(dirname(path));
}
