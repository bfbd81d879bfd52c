// Schema 4 (issue 21): a project file written at schema 3, by running ONLY migrations 1–3, opens unchanged, and its
// part and keypoints objects speak exactly the VIP parts and JHMDB joints they were fixed to before.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labelSetPreset } from '../vocabulary/labelSets.ts';
import { encodeMaskRle } from './maskCodec.ts';
import { applyMigrations, correspondApplicationId, migrations } from './migrations.ts';
import { ProjectStore } from './projectStore.ts';

const at = '2026-01-02T03:04:05.000Z';
const ids = {
  project: '11111111-1111-4111-8111-111111111111',
  clip: '22222222-2222-4222-8222-222222222222',
  mask: '33333333-3333-4333-8333-333333333331',
  part: '33333333-3333-4333-8333-333333333332',
  pose: '33333333-3333-4333-8333-333333333333',
  deletedPart: '33333333-3333-4333-8333-333333333334',
};
const partLabels = Uint8Array.from([0, 1, 19, 2, 0, 5]);
const joints = Array.from({ length: 15 }, (_, j) => ({ x: j, y: 2 * j, visibility: (j % 3) as 0 | 1 | 2 }));

let directory: string;
let filePath: string;

/** A schema-3 project as the previous release wrote it, including an undo step that deleted a part object. */
function writeSchema3Project(): void {
  const db = new Database(filePath);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.transaction(() => {
    db.pragma(`application_id = ${correspondApplicationId}`);
    applyMigrations(db, filePath, 0, migrations.slice(0, 3));
    db.prepare('INSERT INTO project VALUES (?, ?, ?, ?)').run(ids.project, 'old project', at, at);
    db.prepare(`INSERT INTO clip (id, name, source_path, source_kind, fps, width, height, frame_count, imported_at)
      VALUES (?, 'walk', '/v/walk.mp4', 'video', 25, 3, 2, 4, ?)`).run(ids.clip, at);
    const object = db.prepare(`INSERT INTO object (id, clip_id, name, kind, palette_index, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
    object.run(ids.mask, ids.clip, 'car', 'mask', 1, at);
    object.run(ids.part, ids.clip, 'dancer', 'part', 2, at);
    object.run(ids.pose, ids.clip, 'runner', 'keypoints', 3, at);
    const annotation = db.prepare(`INSERT INTO annotation (clip_id, frame_index, object_id, mask_rle, mask_width, mask_height, keypoints_json, source, updated_at)
      VALUES (?, 0, ?, ?, ?, ?, ?, 'user', ?)`);
    annotation.run(ids.clip, ids.part, encodeMaskRle(partLabels, 3, 2), 3, 2, null, at);
    annotation.run(ids.clip, ids.pose, null, null, null, JSON.stringify(joints), at);
    // A step of schema 3: a part object deleted (its snapshot has no label set columns).
    const step = db.prepare("INSERT INTO edit_step (clip_id, kind, label, state, created_at) VALUES (?, 'edit', 'delete \"old part\"', 'done', ?)").run(ids.clip, at).lastInsertRowid;
    const snapshot = { id: ids.deletedPart, clip_id: ids.clip, name: 'old part', kind: 'part', palette_index: 4, first_frame: 0, last_frame: null, hidden: 0, created_at: at };
    db.prepare("INSERT INTO edit_change (step_id, target, object_id, frame_index, before_json) VALUES (?, 'object', ?, -1, ?)").run(step, ids.deletedPart, JSON.stringify(snapshot));
  })();
  db.pragma('user_version = 3');
  db.close();
}

beforeEach(() => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'correspond-label-sets-'));
  filePath = path.join(directory, 'old.correspond');
  writeSchema3Project();
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

describe('schema 4: label sets', () => {
  it('opens a schema-3 project with every object and label unchanged', () => {
    const store = ProjectStore.open(filePath);
    try {
      expect(store.migratedFrom).toBe(3);
      expect(store.listObjects(ids.clip).map((o) => [o.id, o.name, o.kind, o.paletteIndex])).toEqual([
        [ids.mask, 'car', 'mask', 1],
        [ids.part, 'dancer', 'part', 2],
        [ids.pose, 'runner', 'keypoints', 3],
      ]);
      const part = store.getAnnotation(ids.part, 0)!;
      expect(part.kind === 'labels' && Array.from(part.labels.data)).toEqual(Array.from(partLabels));
      expect(store.getAnnotation(ids.pose, 0)).toMatchObject({ kind: 'keypoints', keypoints: joints });
      expect(store.checkIntegrity().ok).toBe(true);
    } finally {
      store.close();
    }
  });

  it('maps part objects to the VIP parts and keypoints objects to the JHMDB joints exactly; mask objects have no class', () => {
    const store = ProjectStore.open(filePath);
    try {
      const sets = store.listLabelSets();
      const [jhmdb, vip] = [sets.find((s) => s.preset === 'jhmdb')!, sets.find((s) => s.preset === 'vip')!];
      const body = ({ kind, classes, joints: j, edges, flipPairs }: typeof jhmdb) => ({ kind, classes, joints: j, edges, flipPairs });
      const preset = (name: string) => body({ ...labelSetPreset(name), id: '', preset: name, createdAt: '' });
      expect(body(jhmdb)).toEqual(preset('jhmdb'));
      expect(body(vip)).toEqual(preset('vip'));
      expect(vip.classes.map((c) => c.name)).toEqual(['background', 'hat', 'hair', 'sun-glasses', 'upper-clothes', 'dress', 'coat', 'socks', 'pants', 'gloves', 'scarf', 'skirt', 'torso-skin', 'face', 'right-arm', 'left-arm', 'right-leg', 'left-leg', 'right-shoe', 'left-shoe']);
      expect(jhmdb.joints).toHaveLength(15);
      const objects = new Map(store.listObjects(ids.clip).map((o) => [o.id, o]));
      expect(objects.get(ids.part)).toMatchObject({ labelSetId: vip.id, classIndex: null });
      expect(objects.get(ids.pose)).toMatchObject({ labelSetId: jhmdb.id, classIndex: null });
      expect(objects.get(ids.mask)).toMatchObject({ labelSetId: null, classIndex: null });
    } finally {
      store.close();
    }
  });

  it('undoes a schema-3 step: the part object it brings back uses the VIP parts', () => {
    const store = ProjectStore.open(filePath);
    try {
      expect(store.history.undo(ids.clip)?.objectsChanged).toBe(true);
      const vip = store.listLabelSets().find((s) => s.preset === 'vip')!;
      expect(store.getObject(ids.deletedPart)).toMatchObject({ name: 'old part', kind: 'part', labelSetId: vip.id });
    } finally {
      store.close();
    }
  });

  it('holds part labels to their set and objects to sets of their kind', () => {
    const store = ProjectStore.open(filePath);
    try {
      expect(() => store.putAnnotation({ objectId: ids.part, frameIndex: 1, source: 'user', kind: 'labels', labels: { width: 3, height: 2, data: Uint8Array.of(0, 0, 20, 0, 0, 0) } })).toThrow(/classes 0\.\.19\); found class 20/);
      const animal = store.addLabelSet({ kind: 'skeleton', name: 'mouse', classes: [], joints: ['nose', 'left ear', 'right ear', 'neck', 'tail base'].map((name) => ({ name, defaultVisibility: 2 })), edges: [[0, 3], [1, 3], [2, 3], [3, 4]], flipPairs: [[1, 2]] });
      const mouse = store.addObject({ clipId: ids.clip, name: 'mouse 1', kind: 'keypoints', labelSetId: animal.id });
      store.putAnnotation({ objectId: mouse.id, frameIndex: 0, source: 'user', kind: 'keypoints', keypoints: joints.slice(0, 5) });
      expect(() => store.addObject({ clipId: ids.clip, name: 'wrong', kind: 'part', labelSetId: animal.id })).toThrow(/cannot use skeleton set "mouse"/);
      expect(() => store.deleteLabelSet(animal.id)).toThrow(/used by 1 object/);
    } finally {
      store.close();
    }
  });
});
