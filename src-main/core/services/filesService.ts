import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { ApiError } from '../api/apiError.ts';
import type { DirectoryEntry, DirectoryEntryKind, DirectoryListing, FilesService } from '../api/contract.ts';

const videoExtensions = new Set(['.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.mpg', '.mpeg', '.wmv', '.flv', '.ogv', '.mts', '.ts']);
const imageExtensions = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff']);

export function classifyFile(name: string): DirectoryEntryKind {
  const extension = extname(name).toLowerCase();
  if (videoExtensions.has(extension)) return 'video';
  if (imageExtensions.has(extension)) return 'image';
  return 'other';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The app's own file picker reads folders of the machine that runs the engine (the same machine in both hosts). */
export class LocalFilesService implements FilesService {
  async listDirectory(args: { path?: string }): Promise<DirectoryListing> {
    const path = resolve(args.path ?? homedir());
    let names: string[];
    try {
      const info = await stat(path);
      if (!info.isDirectory()) throw new ApiError('NOT_A_DIRECTORY', `${path} is not a folder.`);
      names = await readdir(path);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ApiError('NOT_FOUND', `${path} does not exist.`);
      if (code === 'EACCES' || code === 'EPERM') throw new ApiError('PERMISSION_DENIED', `${path} cannot be read (permission denied).`);
      throw new ApiError('IO_ERROR', `${path} cannot be read: ${(error as Error).message}`);
    }
    const entries: DirectoryEntry[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const entryPath = join(path, name);
      let kind: DirectoryEntryKind;
      try {
        kind = (await stat(entryPath)).isDirectory() ? 'directory' : classifyFile(name);
      } catch {
        continue; // dangling symlink or vanished entry
      }
      entries.push({ name, path: entryPath, kind });
    }
    entries.sort((a, b) => {
      if ((a.kind === 'directory') !== (b.kind === 'directory')) return a.kind === 'directory' ? -1 : 1;
      return collator.compare(a.name, b.name);
    });
    const parent = dirname(path);
    return {
      path,
      parent: parent === path ? null : parent,
      entries,
      imageCount: entries.filter((entry) => entry.kind === 'image').length,
    };
  }
}
