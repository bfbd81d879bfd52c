import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectV1Contents } from './fixtures/projectV1Contents.ts';
import { currentSchemaVersion } from './migrations.ts';
import { defaultLibraryDirectory, ProjectLibrary } from './projectLibrary.ts';
import { StoreError } from './storeError.ts';
import Database from 'better-sqlite3';

let directory: string;
let library: ProjectLibrary;

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'correspond-library-'));
  library = new ProjectLibrary(path.join(directory, 'projects'));
});

afterEach(() => {
  library.close();
  rmSync(directory, { recursive: true, force: true });
});

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return (error as StoreError).code;
  }
  throw new Error('expected a StoreError');
}

describe('ProjectLibrary', () => {
  it('lists nothing for a directory that does not exist yet', () => {
    expect(library.list()).toEqual([]);
  });

  it('creates projects as <uuid>.correspond and lists them newest first with clip counts', async () => {
    const first = library.create('First');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = library.create('Second');
    second.addClip({ name: 'c', sourcePath: '/c.mp4', sourceKind: 'video', fps: 25, width: 2, height: 2, frameCount: 3 });
    const firstId = first.getProject().id;
    expect(first.filePath).toBe(path.join(directory, 'projects', `${firstId}.correspond`));
    const summaries = library.list();
    expect(summaries.map((summary) => [summary.name, summary.clipCount])).toEqual([
      ['Second', 1],
      ['First', 0],
    ]);
    expect(summaries[1]).toEqual({ id: firstId, filePath: first.filePath, name: 'First', updatedAt: first.getProject().updatedAt, clipCount: 0 });
  });

  it('shares one open store per project and reopens after close', () => {
    const created = library.create('Shared');
    const id = created.getProject().id;
    expect(library.open(id)).toBe(created);
    library.close();
    expect(created.isOpen).toBe(false);
    const reopened = library.open(id);
    expect(reopened).not.toBe(created);
    expect(reopened.getProject().name).toBe('Shared');
    expect(library.open(id)).toBe(reopened);
  });

  it('lists closed projects by reading them, without upgrading old schemas or leaving WAL files behind', () => {
    const id = library.create('Closed').getProject().id;
    library.close();
    const oldId = '22222222-3333-4444-8555-666666666666';
    const oldPath = path.join(directory, 'projects', `${oldId}.correspond`);
    copyFileSync(path.join(import.meta.dirname, 'fixtures', 'project-v1.correspond'), oldPath);
    const summaries = library.list();
    expect(summaries.find((summary) => summary.id === id)).toMatchObject({ name: 'Closed', clipCount: 0 });
    expect(summaries.find((summary) => summary.id === oldId)).toMatchObject({ name: projectV1Contents.project.name, clipCount: 2 });
    const db = new Database(oldPath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
    expect(readdirSync(path.join(directory, 'projects')).sort()).toEqual([`${id}.correspond`, `${oldId}.correspond`].sort());
    expect(library.open(oldId).migratedFrom).toBe(1);
  });

  it('lists a corrupt or too-new file with an error instead of failing the whole list', () => {
    library.create('Good');
    const projects = path.join(directory, 'projects');
    const brokenId = '11111111-2222-4333-8444-555555555555';
    writeFileSync(path.join(projects, `${brokenId}.correspond`), 'garbage');
    const futureId = library.create('Future').getProject().id;
    library.close();
    const db = new Database(path.join(projects, `${futureId}.correspond`));
    db.pragma(`user_version = ${currentSchemaVersion + 1}`);
    db.close();
    writeFileSync(path.join(projects, 'readme.txt'), 'not a project');
    const summaries = library.list();
    expect(summaries).toHaveLength(3);
    const broken = summaries.find((summary) => summary.id === brokenId)!;
    expect(broken.error).toMatchObject({ code: 'NOT_A_PROJECT' });
    expect(broken.error!.message).toContain(`${brokenId}.correspond`);
    expect(broken.name).toBe(`${brokenId}.correspond`);
    expect(summaries.find((summary) => summary.id === futureId)!.error).toMatchObject({ code: 'SCHEMA_TOO_NEW' });
    expect(summaries.find((summary) => summary.name === 'Good')!.error).toBeUndefined();
  });

  it('renames with validation', () => {
    const id = library.create('Old').getProject().id;
    expect(library.rename(id, '  New  ').name).toBe('New');
    expect(library.list()[0]!.name).toBe('New');
    expect(codeOf(() => library.rename(id, ' '))).toBe('INVALID_INPUT');
    expect(codeOf(() => library.create('y'.repeat(201)))).toBe('INVALID_INPUT');
    expect(library.create('z'.repeat(200)).getProject().name).toHaveLength(200);
  });

  it('deletes the project file, its WAL companions and its cache directory', () => {
    const store = library.create('Doomed');
    const id = store.getProject().id;
    const keptId = library.create('Kept').getProject().id;
    const cacheDirectory = library.cacheDir(id);
    expect(cacheDirectory).toBe(path.join(directory, 'projects', `${id}.cache`));
    writeFileSync(path.join(cacheDirectory, 'features.bin'), 'x');
    expect(existsSync(`${store.filePath}-wal`)).toBe(true);
    library.delete(id);
    expect(store.isOpen).toBe(false);
    const remaining = readdirSync(path.join(directory, 'projects')).filter((name) => name.startsWith(id));
    expect(remaining).toEqual([]);
    expect(library.list().map((summary) => summary.id)).toEqual([keptId]);
    expect(codeOf(() => library.open(id))).toBe('NOT_FOUND');
    expect(codeOf(() => library.delete(id))).toBe('NOT_FOUND');
  });

  it('refuses ids that are not UUIDs, so no path can escape the library', () => {
    expect(codeOf(() => library.open('../../etc/passwd'))).toBe('INVALID_INPUT');
    expect(codeOf(() => library.cacheDir('x'))).toBe('INVALID_INPUT');
    expect(codeOf(() => library.delete('..'))).toBe('INVALID_INPUT');
  });

  it('passes store options through to the stores it opens', () => {
    const withBadBinding = new ProjectLibrary(path.join(directory, 'other'), { nativeBinding: path.join(directory, 'missing.node') });
    expect(() => withBadBinding.create('x')).toThrow(/missing\.node|Cannot find|ENOENT/);
    withBadBinding.close();
  });
});

describe('defaultLibraryDirectory', () => {
  it('prefers CORRESPOND_HOME, then an absolute XDG_DATA_HOME, then ~/.local/share', () => {
    expect(defaultLibraryDirectory({ CORRESPOND_HOME: '/data/c', XDG_DATA_HOME: '/xdg' }, '/home/u')).toBe('/data/c');
    expect(defaultLibraryDirectory({ XDG_DATA_HOME: '/xdg' }, '/home/u')).toBe('/xdg/correspond/projects');
    expect(defaultLibraryDirectory({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/share/correspond/projects');
    expect(defaultLibraryDirectory({}, '/home/u')).toBe('/home/u/.local/share/correspond/projects');
  });
});
