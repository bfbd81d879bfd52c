/**
 * What marks a folder as written by Correspond's exporter, so `overwrite` replaces only such a folder (never a
 * folder that holds anything else), and how hidden `.<name>.partial-<id>` folders left by a killed export are found
 * and removed (only ours: they carry an owner file; only stale: the owner process is gone, or it is a day old).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { FormatError } from './formatError.ts';

/** Written into every finished export: the entries the export made, so a later overwrite can check them. */
export const exportManifestName = '.correspond-export.json';
/** Inside a temporary export folder while it is being written: who writes it, since when. */
export const partialOwnerName = '.correspond-partial.json';
/** `.<name>.partial-<8 hex>` (the export being written) or `…-previous` (the old export while it is replaced). */
const partialFolderPattern = /^\.(.+)\.partial-[0-9a-f]{8}(-previous)?$/;
/** A temporary folder this old is stale even when its owner's pid is alive again (pids are reused). */
export const stalePartialAgeMs = 24 * 60 * 60 * 1000;

interface ExportManifest {
  writtenBy: 'correspond';
  createdAt: string;
  /** Every file and folder of the export, relative, '/'-separated (folders end with '/'). */
  entries: string[];
}

interface PartialOwner {
  writtenBy: 'correspond';
  pid: number;
  host: string;
  startedAt: number;
}

/** Every file and folder below `folder`, relative with '/' separators, folders with a trailing '/'; never follows links. */
function listEntries(folder: string, prefix = ''): string[] {
  const entries: string[] = [];
  for (const name of readdirSync(folder)) {
    const full = path.join(folder, name);
    if (lstatSync(full).isDirectory()) entries.push(`${prefix}${name}/`, ...listEntries(full, `${prefix}${name}/`));
    else entries.push(`${prefix}${name}`);
  }
  return entries;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Records what the finished export in `folder` holds (called just before it is renamed into place). */
export function writeExportManifest(folder: string): void {
  const entries = listEntries(folder).filter((entry) => entry !== exportManifestName && entry !== partialOwnerName);
  const manifest: ExportManifest = { writtenBy: 'correspond', createdAt: new Date().toISOString(), entries };
  writeFileSync(path.join(folder, exportManifestName), `${JSON.stringify(manifest, null, 1)}\n`, { flag: 'wx' });
}

/**
 * Throws unless `destination` is a folder an earlier export wrote and holds nothing else: its manifest must be
 * there and list every file and folder in it. So `overwrite` never deletes a document the user put there.
 */
export function checkReplaceable(destination: string): void {
  const manifest = readJson(path.join(destination, exportManifestName)) as Partial<ExportManifest> | undefined;
  if (manifest?.writtenBy !== 'correspond' || !Array.isArray(manifest.entries)) {
    throw new FormatError('DESTINATION_EXISTS', 'is not empty and is not a folder Correspond exported; nothing was replaced (choose a new or empty folder)', destination);
  }
  const ours = new Set(manifest.entries);
  const foreign = listEntries(destination).filter((entry) => entry !== exportManifestName && !ours.has(entry));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
    throw new FormatError('DESTINATION_EXISTS', `holds files Correspond did not export (${shown}); nothing was replaced`, destination);
  }
}

/** Marks a temporary folder as this process's, so a later export can tell a stale one from a running one. */
export function markPartial(folder: string): void {
  const owner: PartialOwner = { writtenBy: 'correspond', pid: process.pid, host: hostname(), startedAt: Date.now() };
  writeFileSync(path.join(folder, partialOwnerName), JSON.stringify(owner));
}

export function unmarkPartial(folder: string): void {
  rmSync(path.join(folder, partialOwnerName), { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(owner: PartialOwner, now: number): boolean {
  if (now - owner.startedAt > stalePartialAgeMs) return true;
  return owner.host === hostname() && owner.pid !== process.pid && !isProcessAlive(owner.pid);
}

/**
 * Removes the stale temporary folders of killed exports in `parent`. A stale `…-previous` folder (an old export
 * moved aside while being replaced) whose destination is missing is put back instead, so it is never lost.
 * Folders without our owner file, or whose owner still runs, are left alone. Returns the names it cleaned.
 */
export function removeStalePartials(parent: string, now = Date.now()): string[] {
  const cleaned: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return cleaned;
  }
  for (const name of names) {
    const match = partialFolderPattern.exec(name);
    if (!match) continue;
    const folder = path.join(parent, name);
    try {
      if (!lstatSync(folder).isDirectory()) continue;
      const owner = readJson(path.join(folder, partialOwnerName)) as Partial<PartialOwner> | undefined;
      const valid = owner?.writtenBy === 'correspond' && Number.isInteger(owner.pid) && typeof owner.host === 'string' && Number.isFinite(owner.startedAt);
      if (!valid || !isStale(owner as PartialOwner, now)) continue;
      const destination = path.join(parent, match[1]);
      if (match[2] && !existsSync(destination)) {
        unmarkPartial(folder);
        renameSync(folder, destination);
      } else rmSync(folder, { recursive: true, force: true });
      cleaned.push(name);
    } catch {
      // Cleaning is best effort: a folder we cannot read or remove stays, and the export goes on.
    }
  }
  return cleaned;
}
