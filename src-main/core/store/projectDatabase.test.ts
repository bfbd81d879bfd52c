import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectV1Contents as v1 } from './fixtures/projectV1Contents.ts';
import { applyMigrations, correspondApplicationId, currentSchemaVersion, migrations, type Migration } from './migrations.ts';
import { ProjectStore } from './projectStore.ts';
import { StoreError } from './storeError.ts';

const fixturePath = path.join(import.meta.dirname, 'fixtures', 'project-v1.correspond');
let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'correspond-db-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function openError(filePath: string): StoreError {
  try {
    ProjectStore.open(filePath).close();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error(`ProjectStore.open accepted ${filePath}`);
}

describe('opening files that are not current projects', () => {
  it('refuses a project whose schema is newer than this app, naming the file and both versions, and leaves it untouched', () => {
    const filePath = path.join(directory, 'future.correspond');
    ProjectStore.create(filePath, { name: 'future' }).close();
    const db = new Database(filePath);
    db.pragma(`user_version = ${currentSchemaVersion + 5}`);
    db.close();
    const before = readFileSync(filePath);
    const error = openError(filePath);
    expect(error.code).toBe('SCHEMA_TOO_NEW');
    expect(error.file).toBe(filePath);
    expect(error.message).toContain(filePath);
    expect(error.message).toContain(`schema version ${currentSchemaVersion + 5}`);
    expect(error.message).toContain(`up to version ${currentSchemaVersion}`);
    expect(readFileSync(filePath).equals(before)).toBe(true);
  });

  it('refuses a text file as not a project', () => {
    const filePath = path.join(directory, 'notes.correspond');
    writeFileSync(filePath, 'these are my notes, not a database\n'.repeat(50));
    const error = openError(filePath);
    expect(error.code).toBe('NOT_A_PROJECT');
    expect(error.message).toContain(filePath);
    expect(error.message).toContain('not a SQLite database');
  });

  it('refuses a 0-byte file as not a project without writing to it', () => {
    const filePath = path.join(directory, 'empty.correspond');
    writeFileSync(filePath, '');
    const error = openError(filePath);
    expect(error.code).toBe('NOT_A_PROJECT');
    expect(error.message).toContain(`${filePath} is empty`);
    expect(readFileSync(filePath).length).toBe(0);
  });

  it('refuses a SQLite database of another application', () => {
    const filePath = path.join(directory, 'other.correspond');
    const db = new Database(filePath);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    const error = openError(filePath);
    expect(error.code).toBe('NOT_A_PROJECT');
    expect(error.message).toMatch(/is a SQLite database but not a Correspond project/);
  });

  it('reports a missing file as NOT_FOUND', () => {
    const error = openError(path.join(directory, 'missing.correspond'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('missing.correspond does not exist');
  });
});

describe('migrations', () => {
  it('are numbered 1..n in order, and the current schema needs more than one', () => {
    expect(migrations.map((migration) => migration.version)).toEqual(migrations.map((_, index) => index + 1));
    expect(currentSchemaVersion).toBeGreaterThanOrEqual(2);
  });

  it('the committed fixture is a version 1 Correspond project', () => {
    const db = new Database(fixturePath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(correspondApplicationId);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'thumbnail'").pluck().get()).toBe(0);
    db.close();
  });

  it('upgrade the v1 fixture to the current version keeping every row', () => {
    const filePath = path.join(directory, 'old.correspond');
    copyFileSync(fixturePath, filePath);
    const store = ProjectStore.open(filePath);
    try {
      expect(store.schemaVersion).toBe(currentSchemaVersion);
      expect(store.migratedFrom).toBe(1);
      expect(store.getProject()).toEqual({ id: v1.project.id, name: v1.project.name, createdAt: v1.timestamp, updatedAt: v1.timestamp });
      const clips = store.listClips();
      expect(clips.map((clip) => clip.id)).toEqual([v1.videoClip.id, v1.imageClip.id]);
      expect(clips[0]).toMatchObject({ sourceKind: 'video', fps: 25, width: 4, height: 3, frameCount: 10, sourceDetails: { codec: 'h264' }, imageFiles: null });
      expect(clips[1]!.imageFiles).toEqual(v1.imageClip.imageFiles);
      expect(store.listObjects(v1.videoClip.id).map((object) => [object.id, object.kind, object.paletteIndex])).toEqual([
        [v1.maskObject.id, 'mask', 1],
        [v1.keypointsObject.id, 'keypoints', 2],
      ]);
      const masks = store.listAnnotationsForObject(v1.maskObject.id);
      expect(masks.map((annotation) => [annotation.frameIndex, annotation.source, annotation.runId, annotation.confidence])).toEqual([
        [0, 'user', null, null],
        [1, 'propagated', v1.run.id, 0.75],
      ]);
      expect(masks[0]!.kind === 'labels' && Array.from(masks[0]!.labels.data)).toEqual(v1.mask);
      expect(store.getAnnotation(v1.keypointsObject.id, 0)).toMatchObject({ kind: 'keypoints', keypoints: v1.keypoints });
      expect(store.listFrameStates(v1.videoClip.id)).toEqual([{ clipId: v1.videoClip.id, frameIndex: 1, reviewed: true, confidence: 0.75 }]);
      expect(store.listRuns(v1.videoClip.id)).toMatchObject([{ id: v1.run.id, status: 'finished', modelId: v1.model.id, params: v1.run.params }]);
      // Columns added by migration 2 get their defaults on old rows; its table is usable.
      expect(store.listModels()).toEqual([
        { ...v1.model, stride: null, channels: null, metadata: {}, registeredAt: v1.timestamp },
      ]);
      store.putThumbnails(v1.videoClip.id, [{ frameIndex: 0, jpeg: Uint8Array.of(0xff, 0xd8, 0) }]);
      expect(store.listThumbnailFrames(v1.videoClip.id)).toEqual([0]);
      expect(store.checkIntegrity()).toEqual({ ok: true, messages: ['ok'] });
    } finally {
      store.close();
    }
    const reopened = ProjectStore.open(filePath);
    expect(reopened.migratedFrom).toBeNull();
    reopened.close();
  });

  it('leave the file at its old version when a migration fails part-way', () => {
    const filePath = path.join(directory, 'old.correspond');
    copyFileSync(fixturePath, filePath);
    const db = new Database(filePath);
    const failing: Migration = {
      version: currentSchemaVersion + 1,
      description: 'fails after changing things',
      up(connection) {
        connection.exec('DELETE FROM annotation');
        throw new Error('disk on fire');
      },
    };
    expect(() => applyMigrations(db, filePath, 1, [...migrations, failing])).toThrow(
      new RegExp(`from schema 1 to ${currentSchemaVersion + 1}: migration ${currentSchemaVersion + 1} failed \\(disk on fire\\)`),
    );
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'thumbnail'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM annotation').pluck().get()).toBe(3);
    db.close();
    expect(existsSync(filePath)).toBe(true);
  });
});
