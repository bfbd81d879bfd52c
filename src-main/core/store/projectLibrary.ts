import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectToExistingProject, removeDatabaseFiles } from './projectDatabase.ts';
import { ProjectStore } from './projectStore.ts';
import { StoreError } from './storeError.ts';
import { checkName } from './storeValidation.ts';
import type { ProjectRecord, ProjectSummary, StoreOptions } from './types.ts';

export const projectFileExtension = '.correspond';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `$CORRESPOND_HOME`, else `$XDG_DATA_HOME/correspond/projects`, else `~/.local/share/correspond/projects`. */
export function defaultLibraryDirectory(env: NodeJS.ProcessEnv = process.env, homeDirectory: string = os.homedir()): string {
  if (env.CORRESPOND_HOME) return path.resolve(env.CORRESPOND_HOME);
  // The XDG spec says relative values are invalid and must be ignored.
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homeDirectory, '.local', 'share');
  return path.join(dataHome, 'correspond', 'projects');
}

/**
 * A directory of projects, one `<id>.correspond` file each, plus a `<id>.cache/` directory for derived data.
 * Keeps one open ProjectStore per project, so every caller shares one connection.
 */
export class ProjectLibrary {
  readonly directory: string;
  private readonly options: StoreOptions;
  private readonly openStores = new Map<string, ProjectStore>();

  constructor(directory: string, options: StoreOptions = {}) {
    this.directory = path.resolve(directory);
    this.options = options;
  }

  /** Every project in the directory, most recently changed first. Unreadable files are listed with `error`. */
  list(): ProjectSummary[] {
    if (!existsSync(this.directory)) return [];
    const summaries = readdirSync(this.directory)
      .filter((fileName) => fileName.endsWith(projectFileExtension))
      .map((fileName) => fileName.slice(0, -projectFileExtension.length))
      .filter((id) => uuidPattern.test(id))
      .map((id) => this.summarize(id));
    return summaries.sort((left, right) => right.updatedAt.localeCompare(left.updatedAt));
  }

  /** Creates a project and returns its (cached, open) store. */
  create(name: string): ProjectStore {
    const checkedName = this.checkProjectName(name);
    const id = randomUUID();
    mkdirSync(this.directory, { recursive: true });
    const store = ProjectStore.create(this.filePath(id), { name: checkedName, id }, this.options);
    this.openStores.set(id, store);
    return store;
  }

  /** The project's store, opened (and upgraded) on first use and shared afterwards. */
  open(id: string): ProjectStore {
    const filePath = this.filePath(id);
    const cached = this.openStores.get(id);
    if (cached?.isOpen) return cached;
    if (!existsSync(filePath)) {
      throw new StoreError('NOT_FOUND', `project ${id} does not exist in library ${this.directory}`, filePath);
    }
    const store = ProjectStore.open(filePath, this.options);
    this.openStores.set(id, store);
    return store;
  }

  rename(id: string, name: string): ProjectRecord {
    const checkedName = this.checkProjectName(name);
    return this.open(id).renameProject(checkedName);
  }

  /** Closes the project and removes its file, WAL companions and cache directory. */
  delete(id: string): void {
    const filePath = this.filePath(id);
    const cacheDirectory = this.cacheDirectoryPath(id);
    if (!existsSync(filePath) && !existsSync(cacheDirectory)) {
      throw new StoreError('NOT_FOUND', `project ${id} does not exist in library ${this.directory}`, filePath);
    }
    this.openStores.get(id)?.close();
    this.openStores.delete(id);
    removeDatabaseFiles(filePath);
    rmSync(cacheDirectory, { recursive: true, force: true });
  }

  /** The project's cache directory (created if missing) for data that can be rebuilt, e.g. features. */
  cacheDir(id: string): string {
    const cacheDirectory = this.cacheDirectoryPath(id);
    mkdirSync(cacheDirectory, { recursive: true });
    return cacheDirectory;
  }

  /** Closes every open store. The library stays usable; later calls reopen. */
  close(): void {
    for (const store of this.openStores.values()) store.close();
    this.openStores.clear();
  }

  private filePath(id: string): string {
    this.checkId(id);
    return path.join(this.directory, id + projectFileExtension);
  }

  private cacheDirectoryPath(id: string): string {
    this.checkId(id);
    return path.join(this.directory, `${id}.cache`);
  }

  /** Ids become file names, so anything but a UUID (e.g. '../x') is refused. */
  private checkId(id: string): void {
    if (typeof id !== 'string' || !uuidPattern.test(id)) {
      throw new StoreError('INVALID_INPUT', `project id must be a UUID, got ${JSON.stringify(id)} (library ${this.directory})`, this.directory);
    }
  }

  private checkProjectName(name: string): string {
    try {
      return checkName(name, 'project name');
    } catch (error) {
      throw new StoreError('INVALID_INPUT', `${(error as Error).message} (library ${this.directory})`, this.directory);
    }
  }

  private summarize(id: string): ProjectSummary {
    const filePath = this.filePath(id);
    try {
      const cached = this.openStores.get(id);
      if (cached?.isOpen) {
        const project = cached.getProject();
        return { id, filePath, name: project.name, updatedAt: project.updatedAt, clipCount: cached.listClips().length };
      }
      return { id, filePath, ...peekProject(filePath, this.options) };
    } catch (error) {
      const code = error instanceof StoreError ? error.code : 'CORRUPT_DATA';
      const message = error instanceof StoreError ? error.message : `cannot read project ${filePath}: ${(error as Error).message}`;
      let updatedAt = new Date(0).toISOString();
      try {
        updatedAt = statSync(filePath).mtime.toISOString();
      } catch {
        // The file vanished between readdir and stat; the epoch sorts it last.
      }
      return { id, filePath, name: path.basename(filePath), updatedAt, clipCount: 0, error: { code, message } };
    }
  }
}

/**
 * Reads name, updatedAt and clip count without upgrading or otherwise writing the file (only WAL recovery after
 * a crash writes). Works on any schema version that has the v1 project and clip tables.
 */
function peekProject(filePath: string, options: StoreOptions): Pick<ProjectSummary, 'name' | 'updatedAt' | 'clipCount'> {
  const { db } = connectToExistingProject(filePath, options);
  try {
    const project = db.prepare('SELECT name, updated_at FROM project').get() as { name: string; updated_at: string } | undefined;
    if (!project) throw new StoreError('CORRUPT_DATA', `project file ${filePath} has no project row`, filePath);
    const clipCount = db.prepare('SELECT count(*) FROM clip').pluck().get() as number;
    return { name: project.name, updatedAt: project.updated_at, clipCount };
  } finally {
    db.close();
  }
}
