import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { checkReplaceable, markPartial, removeStalePartials, unmarkPartial, writeExportManifest } from './exportFolders.ts';
import { FormatError } from './formatError.ts';
import { checkPathComponent } from './safeNames.ts';

/** Appends to one file through a buffer, so many small writes (JSON, XML) cost few system calls. */
export class FileSink {
  private readonly buffer = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private fd: number | undefined;
  bytesWritten = 0;

  constructor(readonly filePath: string) {
    this.fd = openSync(filePath, 'wx');
  }

  write(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (this.fd === undefined) throw new FormatError('BAD_INPUT', 'write after close', this.filePath);
    if (bytes.length > this.buffer.length - this.used) this.flush();
    if (bytes.length >= this.buffer.length) this.writeAll(bytes);
    else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.bytesWritten += bytes.length;
  }

  /** Overwrites bytes already written at `position` (e.g. a length field), flushing first. */
  patch(position: number, bytes: Uint8Array): void {
    this.flush();
    writeSync(this.fd!, bytes, 0, bytes.length, position);
  }

  /** Flushes and closes. The descriptor is closed even when the flush fails (ENOSPC), and the error still thrown. */
  close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      const fd = this.fd;
      this.fd = undefined;
      this.used = 0;
      closeSync(fd);
    }
  }

  private flush(): void {
    if (this.used > 0) this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd!, bytes, offset, bytes.length - offset);
  }
}

const scratchFolderName = '.scratch';

function isEmptyDirectory(folder: string): boolean {
  return statSync(folder).isDirectory() && readdirSync(folder).length === 0;
}

/**
 * Writes an export into a hidden temporary folder next to the destination and renames it into place at the end,
 * so an interrupted export leaves no half-written result. Paths are given as components, each checked
 * (no separators, `..` or control characters), so nothing is written outside the folder. The finished export
 * carries a manifest (exportFolders.ts): `overwrite` replaces only a folder holding nothing but an earlier export.
 * Starting an export removes stale temporary folders that killed exports left in the same parent folder.
 */
export class ExportWriter {
  readonly destination: string;
  readonly temporaryFolder: string;
  readonly files: string[] = [];
  private readonly openSinks = new Set<FileSink>();
  private finished = false;

  private constructor(destination: string, private readonly overwrite: boolean) {
    this.destination = destination;
    const parent = path.dirname(destination);
    this.temporaryFolder = path.join(parent, `.${path.basename(destination)}.partial-${randomBytes(4).toString('hex')}`);
    mkdirSync(this.temporaryFolder);
    markPartial(this.temporaryFolder);
  }

  /**
   * Checks the destination (its parent must exist; it must be absent or empty, or with `overwrite` an earlier
   * export and nothing else) and starts.
   */
  static start(destination: string, options: { overwrite?: boolean } = {}): ExportWriter {
    const absolute = ExportWriter.checkDestination(destination, options);
    removeStalePartials(path.dirname(absolute));
    return new ExportWriter(absolute, options.overwrite ?? false);
  }

  /** The checks of `start` alone (nothing is created): throws the error `start` would; returns the absolute path. */
  static checkDestination(destination: string, options: { overwrite?: boolean } = {}): string {
    const absolute = path.resolve(destination);
    const parent = path.dirname(absolute);
    if (!existsSync(parent) || !statSync(parent).isDirectory()) {
      throw new FormatError('NOT_FOUND', 'the folder to export into does not exist', parent);
    }
    if (existsSync(absolute)) {
      if (!statSync(absolute).isDirectory()) throw new FormatError('DESTINATION_EXISTS', 'exists and is not a folder', absolute);
      if (!isEmptyDirectory(absolute)) {
        if (!options.overwrite) throw new FormatError('DESTINATION_EXISTS', 'exists and is not empty; choose a new folder or allow overwriting', absolute);
        checkReplaceable(absolute);
      }
    }
    return absolute;
  }

  /** Absolute temporary path of `components`, creating the folders above it. */
  private prepare(components: readonly string[]): string {
    if (this.finished) throw new FormatError('BAD_INPUT', 'the export is already finished', this.destination);
    if (components.length === 0) throw new FormatError('UNSAFE_PATH', 'no file name given');
    components.forEach(checkPathComponent);
    const target = path.join(this.temporaryFolder, ...components);
    const relative = path.relative(this.temporaryFolder, target);
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw new FormatError('UNSAFE_PATH', `${relative} leaves the export folder`);
    mkdirSync(path.dirname(target), { recursive: true });
    this.files.push(components.join('/'));
    return target;
  }

  /** Creates (empty) folder `components` in the export, e.g. for an external encoder to fill. */
  folder(components: readonly string[]): string {
    components.forEach(checkPathComponent);
    const target = path.join(this.temporaryFolder, ...components);
    mkdirSync(target, { recursive: true });
    return target;
  }

  writeFile(components: readonly string[], bytes: Uint8Array | string): void {
    const sink = new FileSink(this.prepare(components));
    try {
      sink.write(bytes);
    } finally {
      sink.close();
    }
  }

  /** A buffered appending writer for one file; closed by `commit`/`abort` if the caller did not. */
  openFile(components: readonly string[]): FileSink {
    const sink = new FileSink(this.prepare(components));
    this.openSinks.add(sink);
    return sink;
  }

  /**
   * A working file that is not part of the result (e.g. one CVAT track's shapes, concatenated later): kept in a
   * scratch folder inside the temporary folder and removed before the export is moved into place.
   */
  scratchFile(name: string): FileSink {
    if (this.finished) throw new FormatError('BAD_INPUT', 'the export is already finished', this.destination);
    const folder = path.join(this.temporaryFolder, scratchFolderName);
    mkdirSync(folder, { recursive: true });
    const sink = new FileSink(path.join(folder, checkPathComponent(name)));
    this.openSinks.add(sink);
    return sink;
  }

  /** Records files an external process wrote into a folder made by `folder()`. */
  noteFiles(components: readonly string[]): void {
    this.files.push(components.join('/'));
  }

  /** Moves the finished export into place (replacing the old destination only now, when overwriting). */
  commit(): void {
    for (const sink of this.openSinks) sink.close();
    this.finished = true;
    rmSync(path.join(this.temporaryFolder, scratchFolderName), { recursive: true, force: true });
    const { destination } = this;
    let previous: string | undefined;
    try {
      writeExportManifest(this.temporaryFolder);
      if (existsSync(destination)) {
        if (isEmptyDirectory(destination)) rmdirSync(destination);
        else if (this.overwrite) {
          // Checked again: the folder may have changed since start().
          checkReplaceable(destination);
          previous = `${this.temporaryFolder}-previous`;
          renameSync(destination, previous);
          try {
            markPartial(previous);
          } catch {
            // Without its owner file a leftover copy is never cleaned up, but it is never lost either.
          }
        } else throw new FormatError('DESTINATION_EXISTS', 'was filled while exporting; nothing was replaced', destination);
      }
    } catch (error) {
      this.abort();
      throw error;
    }
    try {
      unmarkPartial(this.temporaryFolder);
      renameSync(this.temporaryFolder, destination);
    } catch (error) {
      if (previous) {
        unmarkPartial(previous);
        renameSync(previous, destination);
      }
      this.abort();
      throw error;
    }
    if (previous) rmSync(previous, { recursive: true, force: true });
  }

  /** Removes the temporary folder; the destination is untouched. */
  abort(): void {
    for (const sink of this.openSinks) {
      try {
        sink.close();
      } catch {
        // closing is best effort; the folder goes anyway
      }
    }
    this.finished = true;
    rmSync(this.temporaryFolder, { recursive: true, force: true });
  }
}
