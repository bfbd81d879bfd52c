/*
 * Opening and creating the SQLite file behind a project: header checks (is it ours, which schema), connection
 * pragmas, migrations. ProjectStore builds on the connection this returns.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { applyMigrations, correspondApplicationId, currentSchemaVersion } from './migrations.ts';
import { StoreError } from './storeError.ts';
import type { StoreOptions } from './types.ts';

export const defaultBusyTimeoutMs = 5000;

export interface OpenedDatabase {
  db: Database.Database;
  schemaVersion: number;
  /** The schema version the file had before this open upgraded it; null when no upgrade ran. */
  migratedFrom: number | null;
}

function connect(filePath: string, options: StoreOptions, mustExist: boolean): Database.Database {
  return new Database(filePath, {
    fileMustExist: mustExist,
    timeout: options.busyTimeoutMs ?? defaultBusyTimeoutMs,
    nativeBinding: options.nativeBinding,
  });
}

/**
 * WAL lets the UI read while a propagation run writes; synchronous=FULL makes every commit survive power loss
 * (WAL's default NORMAL may lose the last commits); foreign keys are per connection and drive the cascades.
 */
function configureConnection(db: Database.Database, filePath: string): void {
  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (journalMode !== 'wal') {
    throw new StoreError('CORRUPT_DATA', `cannot switch ${filePath} to WAL journaling (got '${String(journalMode)}')`, filePath);
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/**
 * Opens `filePath` read-write and checks its header before anything writes to it, so a foreign or newer file is
 * never modified. Returns the connection and the schema version found; the caller closes it on error.
 */
export function connectToExistingProject(
  filePath: string,
  options: StoreOptions,
): { db: Database.Database; foundVersion: number } {
  if (!existsSync(filePath)) throw new StoreError('NOT_FOUND', `project file ${filePath} does not exist`, filePath);
  const stats = statSync(filePath);
  if (!stats.isFile()) throw new StoreError('NOT_A_PROJECT', `${filePath} is not a file, so not a Correspond project`, filePath);
  if (stats.size === 0) throw new StoreError('NOT_A_PROJECT', `${filePath} is empty (0 bytes), not a Correspond project`, filePath);
  const db = connect(filePath, options, true);
  try {
    let applicationId: number;
    let foundVersion: number;
    try {
      applicationId = db.pragma('application_id', { simple: true }) as number;
      foundVersion = db.pragma('user_version', { simple: true }) as number;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
        throw new StoreError('NOT_A_PROJECT', `${filePath} is not a SQLite database, so not a Correspond project`, filePath, { cause: error });
      }
      throw error;
    }
    if (applicationId !== correspondApplicationId) {
      throw new StoreError(
        'NOT_A_PROJECT',
        `${filePath} is a SQLite database but not a Correspond project (application_id ${applicationId})`,
        filePath,
      );
    }
    if (foundVersion > currentSchemaVersion) {
      throw new StoreError(
        'SCHEMA_TOO_NEW',
        `project ${filePath} has schema version ${foundVersion}, but this Correspond understands up to version ${currentSchemaVersion}; open it with a newer Correspond`,
        filePath,
      );
    }
    if (foundVersion < 1) {
      throw new StoreError('NOT_A_PROJECT', `${filePath} is marked as a Correspond project but has no schema (user_version 0)`, filePath);
    }
    return { db, foundVersion };
  } catch (error) {
    db.close();
    throw error;
  }
}

export function openProjectDatabase(filePath: string, options: StoreOptions = {}): OpenedDatabase {
  const { db, foundVersion } = connectToExistingProject(filePath, options);
  try {
    configureConnection(db, filePath);
    const schemaVersion = applyMigrations(db, filePath, foundVersion);
    const projectRows = (db.prepare('SELECT count(*) AS count FROM project').get() as { count: number }).count;
    if (projectRows !== 1) {
      throw new StoreError('CORRUPT_DATA', `project file ${filePath} holds ${projectRows} project rows instead of 1`, filePath);
    }
    return { db, schemaVersion, migratedFrom: schemaVersion === foundVersion ? null : foundVersion };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Creates a new project file: schema and project row in one transaction. On failure the half-made file is
 * removed, so a retry does not meet ALREADY_EXISTS.
 */
export function createProjectDatabase(
  filePath: string,
  project: { id: string; name: string; createdAt: string },
  options: StoreOptions = {},
): OpenedDatabase {
  if (existsSync(filePath)) throw new StoreError('ALREADY_EXISTS', `cannot create project: ${filePath} already exists`, filePath);
  mkdirSync(path.dirname(filePath), { recursive: true });
  const db = connect(filePath, options, false);
  try {
    configureConnection(db, filePath);
    db.transaction(() => {
      db.pragma(`application_id = ${correspondApplicationId}`);
      applyMigrations(db, filePath, 0);
      db.prepare('INSERT INTO project (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
        project.id,
        project.name,
        project.createdAt,
        project.createdAt,
      );
    })();
    return { db, schemaVersion: currentSchemaVersion, migratedFrom: null };
  } catch (error) {
    db.close();
    removeDatabaseFiles(filePath);
    throw error;
  }
}

/** Removes a database file with its WAL and shared-memory companions. */
export function removeDatabaseFiles(filePath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(filePath + suffix, { force: true });
}
