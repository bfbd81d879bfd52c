// Over 400 lines: one class is the whole typed surface of a project file; its parts share statements and guards.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { defaultHistoryLimits, EditHistory } from './editHistory.ts';
import { encodeMaskRle, maskRleHeader } from './maskCodec.ts';
import { createProjectDatabase, openProjectDatabase } from './projectDatabase.ts';
import { StoreError } from './storeError.ts';
import * as rows from './storeRows.ts';
import * as check from './storeValidation.ts';
import { StatementCache } from './statementCache.ts';
import { checkLabelSetDefinition, LabelSetError } from '../vocabulary/labelSets.ts';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import { TrainingRuns } from './trainingRuns.ts';
import {
  annotationSources,
  clipSourceKinds,
  modelRoles,
  objectKinds,
  runDirections,
  RUN_INTERRUPTED_MESSAGE,
  type AnnotationInput,
  type AnnotationRecord,
  type EncodedAnnotationInput,
  type ClipRecord,
  type FrameStatePatch,
  type FrameStateRecord,
  type Keypoint,
  type LabelSetRecord,
  type ModelRecord,
  type NewClip,
  type NewModel,
  type NewObject,
  type NewRun,
  type ObjectPatch,
  type ObjectRecord,
  type ProjectRecord,
  type RunRecord,
  type RunStatus,
  type StoreOptions,
  type ThumbnailInput,
} from './types.ts';

const maxPaletteIndex = 255;
const objectPatchKeys = ['name', 'paletteIndex', 'firstFrame', 'lastFrame', 'hidden', 'labelSetId', 'classIndex'] as const;
const frameStatePatchKeys = ['reviewed', 'confidence'] as const;

function now(): string {
  return new Date().toISOString();
}

/**
 * One open project file. Every mutating method is its own transaction and bumps the project's updatedAt; wrap
 * several calls in `transaction()` to make one user action atomic (nested calls become savepoints).
 * Errors are StoreError; their messages name the project file.
 */
export class ProjectStore {
  readonly filePath: string;
  readonly schemaVersion: number;
  /** Schema version the file had before this open upgraded it; null when it was current. */
  readonly migratedFrom: number | null;
  /** Undo/redo steps of the project's clips; services record each user action and propagation run in it. */
  readonly history: EditHistory;
  /** The project's FC training runs (the training service records them). */
  readonly trainingRuns: TrainingRuns;
  private readonly db: Database.Database;
  private readonly statements: StatementCache;

  private constructor(
    filePath: string,
    opened: { db: Database.Database; schemaVersion: number; migratedFrom: number | null },
    options: StoreOptions,
  ) {
    this.filePath = filePath;
    this.db = opened.db;
    this.statements = new StatementCache(opened.db);
    this.schemaVersion = opened.schemaVersion;
    this.migratedFrom = opened.migratedFrom;
    this.history = new EditHistory(this.db, (fn) => this.transaction(fn), options.historyLimits ?? defaultHistoryLimits);
    this.trainingRuns = new TrainingRuns(this.db, (fn) => this.transaction(fn));
  }

  static create(filePath: string, init: { name: string; id?: string }, options: StoreOptions = {}): ProjectStore {
    let name: string;
    try {
      name = check.checkName(init?.name, 'project name');
    } catch (error) {
      throw new StoreError('INVALID_INPUT', `${(error as Error).message} (project ${filePath})`, filePath);
    }
    const project = { id: init.id ?? randomUUID(), name, createdAt: now() };
    return new ProjectStore(filePath, createProjectDatabase(filePath, project, options), options);
  }

  /** Opens an existing project, upgrading an older schema in one transaction. */
  static open(filePath: string, options: StoreOptions = {}): ProjectStore {
    const store = new ProjectStore(filePath, openProjectDatabase(filePath, options), options);
    try {
      store.history.closeInterruptedSteps();
      store.closeInterruptedRuns();
    } catch (error) {
      store.close();
      throw error;
    }
    return store;
  }

  /**
   * A second connection to a project the app has open (an import worker writes through it while the app's
   * connection keeps serving reads, WAL). Unlike `open`, it leaves open undo steps alone: they may be live.
   */
  static openAlongside(filePath: string, options: StoreOptions = {}): ProjectStore {
    return new ProjectStore(filePath, openProjectDatabase(filePath, options), options);
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Closes the connection (checkpointing the WAL into the file). Safe to call twice. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` as one transaction: all its writes commit together or, if it throws, none do. */
  transaction<T>(fn: () => T): T {
    return this.guard(() =>
      this.db.transaction(() => {
        const result = fn();
        if (typeof (result as { then?: unknown } | null)?.then === 'function') {
          throw new StoreError('INVALID_INPUT', 'transaction callbacks must be synchronous (got a promise); nothing was written');
        }
        return result;
      })(),
    );
  }

  /** `PRAGMA integrity_check`: ok plus SQLite's list of problems (['ok'] when sound). */
  checkIntegrity(): { ok: boolean; messages: string[] } {
    return this.guard(() => {
      const messages = (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
      return { ok: messages.length === 1 && messages[0] === 'ok', messages };
    });
  }

  // ── project ──────────────────────────────────────────────────────────────────────────────────────────────

  getProject(): ProjectRecord {
    return this.guard(() => rows.toProjectRecord(this.statement('SELECT * FROM project').get() as rows.ProjectRow));
  }

  renameProject(name: string): ProjectRecord {
    this.write(() => this.statement('UPDATE project SET name = ?').run(check.checkName(name, 'project name')));
    // Read after the write so updatedAt includes its bump.
    return this.getProject();
  }

  // ── clips ────────────────────────────────────────────────────────────────────────────────────────────────

  addClip(input: NewClip): ClipRecord {
    return this.write(() => {
      const sourceKind = check.checkEnum(input.sourceKind, clipSourceKinds, 'sourceKind');
      const frameCount = check.checkInteger(input.frameCount, 'frameCount', 1);
      const source: rows.ClipSourceJson = {};
      if (sourceKind === 'images') source.imageFiles = check.checkStringList(input.imageFiles, 'imageFiles', frameCount);
      else if (input.imageFiles !== undefined) throw check.invalid('imageFiles is only for image-sequence clips');
      if (input.sourceDetails !== undefined) {
        check.checkJsonObject(input.sourceDetails, 'sourceDetails');
        source.details = input.sourceDetails;
      }
      const row: rows.ClipRow = {
        id: randomUUID(),
        name: check.checkName(input.name, 'clip name'),
        source_path: check.checkText(input.sourcePath, 'sourcePath'),
        source_kind: sourceKind,
        fps: check.checkPositiveNumber(input.fps, 'fps'),
        width: check.checkInteger(input.width, 'width', 1),
        height: check.checkInteger(input.height, 'height', 1),
        frame_count: frameCount,
        source_json: JSON.stringify(source),
        imported_at: now(),
      };
      this.statement(
        `INSERT INTO clip (id, name, source_path, source_kind, fps, width, height, frame_count, source_json, imported_at)
         VALUES (@id, @name, @source_path, @source_kind, @fps, @width, @height, @frame_count, @source_json, @imported_at)`,
      ).run(row);
      return rows.toClipRecord(row);
    });
  }

  listClips(): ClipRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM clip ORDER BY imported_at, rowid').all() as rows.ClipRow[]).map(rows.toClipRecord),
    );
  }

  getClip(clipId: string): ClipRecord | undefined {
    return this.guard(() => {
      const row = this.statement('SELECT * FROM clip WHERE id = ?').get(clipId) as rows.ClipRow | undefined;
      return row && rows.toClipRecord(row);
    });
  }

  /** Renames a clip; the name is trimmed and must not be empty. */
  renameClip(clipId: string, name: string): ClipRecord {
    return this.write(() => {
      this.requireClip(clipId);
      this.statement('UPDATE clip SET name = ? WHERE id = ?').run(check.checkName(name, 'clip name'), clipId);
      return this.requireClip(clipId);
    });
  }

  /** Removes the clip with its objects, annotations, frame states, runs and thumbnails. False if it did not exist. */
  removeClip(clipId: string): boolean {
    return this.write(() => this.statement('DELETE FROM clip WHERE id = ?').run(clipId).changes > 0);
  }

  // ── thumbnails ───────────────────────────────────────────────────────────────────────────────────────────

  /** Stores (or replaces) JPEG thumbnails for frames of a clip, all in one transaction. */
  putThumbnails(clipId: string, items: readonly ThumbnailInput[]): void {
    this.write(() => {
      const clip = this.requireClip(clipId);
      if (!Array.isArray(items)) throw check.invalid('thumbnails must be an array');
      const insert = this.statement('INSERT OR REPLACE INTO thumbnail (clip_id, frame_index, jpeg) VALUES (?, ?, ?)');
      for (const item of items) {
        const frameIndex = check.checkFrameIndex(item.frameIndex, clip.frameCount);
        const jpeg = item.jpeg;
        if (!(jpeg instanceof Uint8Array) || jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) {
          throw check.invalid(`thumbnail for frame ${frameIndex} is not JPEG data (no FF D8 start marker)`);
        }
        insert.run(clipId, frameIndex, jpeg);
      }
    });
  }

  /** JPEG bytes of a frame's thumbnail, or undefined when none is stored. */
  getThumbnail(clipId: string, frameIndex: number): Uint8Array | undefined {
    return this.guard(() => {
      const row = this.statement('SELECT jpeg FROM thumbnail WHERE clip_id = ? AND frame_index = ?').get(clipId, frameIndex) as
        | { jpeg: Uint8Array }
        | undefined;
      return row?.jpeg;
    });
  }

  listThumbnailFrames(clipId: string): number[] {
    return this.guard(() =>
      this.statement('SELECT frame_index FROM thumbnail WHERE clip_id = ? ORDER BY frame_index').pluck().all(clipId) as number[],
    );
  }

  // ── objects ──────────────────────────────────────────────────────────────────────────────────────────────

  addObject(input: NewObject): ObjectRecord {
    return this.write(() => {
      const clip = this.requireClip(input.clipId);
      const paletteIndex = input.paletteIndex ?? this.firstFreePaletteIndex(clip.id);
      const row: rows.ObjectRow = {
        id: randomUUID(),
        clip_id: clip.id,
        name: check.checkName(input.name, 'object name'),
        kind: check.checkEnum(input.kind, objectKinds, 'object kind'),
        palette_index: paletteIndex,
        first_frame: input.firstFrame ?? 0,
        last_frame: input.lastFrame ?? null,
        hidden: check.checkBoolean(input.hidden ?? false, 'hidden') ? 1 : 0,
        created_at: now(),
        label_set_id: input.labelSetId ?? null,
        class_index: input.classIndex ?? null,
      };
      if (row.label_set_id === null && row.kind !== 'mask') row.label_set_id = this.defaultLabelSetId(row.kind === 'part' ? 'parts' : 'skeleton');
      this.checkObjectRow(row, clip);
      this.statement(
        `INSERT INTO object (id, clip_id, name, kind, palette_index, first_frame, last_frame, hidden, created_at, label_set_id, class_index)
         VALUES (@id, @clip_id, @name, @kind, @palette_index, @first_frame, @last_frame, @hidden, @created_at, @label_set_id, @class_index)`,
      ).run(row);
      return rows.toObjectRecord(row);
    });
  }

  listObjects(clipId: string): ObjectRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM object WHERE clip_id = ? ORDER BY created_at, rowid').all(clipId) as rows.ObjectRow[]).map(
        rows.toObjectRecord,
      ),
    );
  }

  getObject(objectId: string): ObjectRecord | undefined {
    return this.guard(() => {
      const row = this.objectRow(objectId);
      return row && rows.toObjectRecord(row);
    });
  }

  updateObject(objectId: string, patch: ObjectPatch): ObjectRecord {
    return this.write(() => {
      check.checkPatchKeys(patch, objectPatchKeys, 'object patch');
      const current = this.objectRow(objectId);
      if (!current) throw new StoreError('NOT_FOUND', `object ${objectId} does not exist`);
      const row: rows.ObjectRow = {
        ...current,
        name: patch.name === undefined ? current.name : check.checkName(patch.name, 'object name'),
        palette_index: patch.paletteIndex ?? current.palette_index,
        first_frame: patch.firstFrame ?? current.first_frame,
        last_frame: patch.lastFrame === undefined ? current.last_frame : patch.lastFrame,
        hidden: patch.hidden === undefined ? current.hidden : check.checkBoolean(patch.hidden, 'hidden') ? 1 : 0,
        label_set_id: patch.labelSetId === undefined ? current.label_set_id : patch.labelSetId,
        class_index: patch.classIndex === undefined ? current.class_index : patch.classIndex,
      };
      this.checkObjectRow(row, this.requireClip(current.clip_id));
      this.statement(
        `UPDATE object SET name = @name, palette_index = @palette_index, first_frame = @first_frame,
         last_frame = @last_frame, hidden = @hidden, label_set_id = @label_set_id, class_index = @class_index WHERE id = @id`,
      ).run(row);
      return rows.toObjectRecord(row);
    });
  }

  /** Deletes the object and its annotations. False if it did not exist. */
  deleteObject(objectId: string): boolean {
    return this.write(() => this.statement('DELETE FROM object WHERE id = ?').run(objectId).changes > 0);
  }

  // ── label sets ───────────────────────────────────────────────────────────────────────────────────────────

  listLabelSets(): LabelSetRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM label_set ORDER BY created_at, rowid').all() as rows.LabelSetRow[]).map(rows.toLabelSetRecord),
    );
  }

  getLabelSet(labelSetId: string): LabelSetRecord | undefined {
    return this.guard(() => {
      const row = this.statement('SELECT * FROM label_set WHERE id = ?').get(labelSetId) as rows.LabelSetRow | undefined;
      return row && rows.toLabelSetRecord(row);
    });
  }

  addLabelSet(definition: LabelSetDefinition, preset: string | null = null, id: string = randomUUID()): LabelSetRecord {
    return this.write(() => {
      const checked = this.checkDefinition(definition);
      const row: rows.LabelSetRow = { id, kind: checked.kind, name: checked.name, preset, definition_json: definitionJson(checked), created_at: now() };
      this.statement('INSERT INTO label_set (id, kind, name, preset, definition_json, created_at) VALUES (@id, @kind, @name, @preset, @definition_json, @created_at)').run(row);
      return rows.toLabelSetRecord(row);
    });
  }

  /** Replaces a set's name and entries (same kind); the caller rewrites labels a removal or move affects first. */
  updateLabelSet(labelSetId: string, definition: LabelSetDefinition): LabelSetRecord {
    return this.write(() => {
      const current = this.getLabelSet(labelSetId);
      if (!current) throw new StoreError('NOT_FOUND', `label set ${labelSetId} does not exist`);
      const checked = this.checkDefinition(definition);
      if (checked.kind !== current.kind) throw check.invalid(`label set "${current.name}" is a ${current.kind} set; it cannot become a ${checked.kind} set`);
      this.statement('UPDATE label_set SET name = ?, definition_json = ? WHERE id = ?').run(checked.name, definitionJson(checked), labelSetId);
      return this.getLabelSet(labelSetId)!;
    });
  }

  /** Deletes an unused label set. False if it did not exist; an error while objects use it. */
  deleteLabelSet(labelSetId: string): boolean {
    return this.write(() => {
      const users = this.objectsUsingLabelSet(labelSetId);
      if (users.length > 0) throw check.invalid(`label set ${labelSetId} is used by ${users.length} object(s); delete or change them first`);
      return this.statement('DELETE FROM label_set WHERE id = ?').run(labelSetId).changes > 0;
    });
  }

  /** Objects of every clip that use a label set. */
  objectsUsingLabelSet(labelSetId: string): ObjectRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM object WHERE label_set_id = ? ORDER BY created_at, rowid').all(labelSetId) as rows.ObjectRow[]).map(rows.toObjectRecord),
    );
  }

  // ── annotations ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Stores (or replaces) the annotation of one object on one frame. Mask and part objects take `labels` at the
   * clip's size (0/1 for masks, class ids for parts); keypoints objects take `keypoints`.
   */
  putAnnotation(input: AnnotationInput): AnnotationRecord {
    return this.write(() => {
      const object = this.objectRow(input.objectId);
      if (!object) throw new StoreError('NOT_FOUND', `object ${input.objectId} does not exist`);
      const clip = this.requireClip(object.clip_id);
      const frameIndex = check.checkFrameIndex(input.frameIndex, clip.frameCount);
      const source = check.checkEnum(input.source, annotationSources, 'annotation source');
      const runId = input.runId ?? null;
      if (source === 'user' && runId !== null) throw check.invalid('user annotations have no runId');
      if (source === 'propagated') {
        if (runId === null) throw check.invalid('propagated annotations need the runId of the run that produced them');
        const run = this.statement('SELECT clip_id FROM propagation_run WHERE id = ?').get(runId) as { clip_id: string } | undefined;
        if (!run) throw new StoreError('NOT_FOUND', `propagation run ${runId} does not exist`);
        if (run.clip_id !== clip.id) throw check.invalid(`run ${runId} belongs to another clip than object ${object.id}`);
      }
      const row: rows.AnnotationRow = {
        clip_id: clip.id,
        frame_index: frameIndex,
        object_id: object.id,
        ...this.encodePayload(input, object, clip),
        source,
        run_id: runId,
        confidence: check.checkConfidence(input.confidence),
        updated_at: now(),
      };
      this.statement(
        `INSERT INTO annotation (clip_id, frame_index, object_id, mask_rle, mask_width, mask_height, keypoints_json,
           source, run_id, confidence, updated_at)
         VALUES (@clip_id, @frame_index, @object_id, @mask_rle, @mask_width, @mask_height, @keypoints_json,
           @source, @run_id, @confidence, @updated_at)
         ON CONFLICT (clip_id, frame_index, object_id) DO UPDATE SET mask_rle = excluded.mask_rle,
           mask_width = excluded.mask_width, mask_height = excluded.mask_height, keypoints_json = excluded.keypoints_json,
           source = excluded.source, run_id = excluded.run_id, confidence = excluded.confidence,
           updated_at = excluded.updated_at`,
      ).run(row);
      // Built from the input rather than re-read, so a propagation run does not decode every mask it writes.
      const payload =
        input.kind === 'labels'
          ? { kind: 'labels' as const, labels: { width: clip.width, height: clip.height, data: input.labels.data } }
          : { kind: 'keypoints' as const, keypoints: JSON.parse(row.keypoints_json!) as Keypoint[] };
      return {
        clipId: row.clip_id,
        frameIndex: row.frame_index,
        objectId: row.object_id,
        source: row.source,
        runId: row.run_id,
        confidence: row.confidence,
        updatedAt: row.updated_at,
        ...payload,
      };
    });
  }

  /**
   * Stores (or replaces) annotations already encoded as the store keeps them (mask RLE / keypoints JSON), as one
   * transaction: an import encodes its frames beforehand, so this is only checks of headers and inserts.
   * Returns the number of rows written.
   */
  putEncodedAnnotations(inputs: readonly EncodedAnnotationInput[]): number {
    return this.write(() => {
      const objects = new Map<string, { object: rows.ObjectRow; clip: ClipRecord }>();
      const runs = new Map<string, string>();
      const insert = this.statement(
        `INSERT INTO annotation (clip_id, frame_index, object_id, mask_rle, mask_width, mask_height, keypoints_json,
           source, run_id, confidence, updated_at)
         VALUES (@clip_id, @frame_index, @object_id, @mask_rle, @mask_width, @mask_height, @keypoints_json,
           @source, @run_id, NULL, @updated_at)
         ON CONFLICT (clip_id, frame_index, object_id) DO UPDATE SET mask_rle = excluded.mask_rle,
           mask_width = excluded.mask_width, mask_height = excluded.mask_height, keypoints_json = excluded.keypoints_json,
           source = excluded.source, run_id = excluded.run_id, confidence = NULL, updated_at = excluded.updated_at`,
      );
      const updatedAt = now();
      for (const input of inputs) {
        let owner = objects.get(input.objectId);
        if (!owner) {
          const object = this.objectRow(input.objectId);
          if (!object) throw new StoreError('NOT_FOUND', `object ${input.objectId} does not exist`);
          owner = { object, clip: this.requireClip(object.clip_id) };
          objects.set(input.objectId, owner);
        }
        const { object, clip } = owner;
        const frameIndex = check.checkFrameIndex(input.frameIndex, clip.frameCount);
        const source = check.checkEnum(input.source, annotationSources, 'annotation source');
        const runId = input.runId ?? null;
        if ((source === 'user') !== (runId === null)) throw check.invalid('user annotations have no runId; propagated ones need one');
        if (runId !== null && !runs.has(runId)) {
          const run = this.statement('SELECT clip_id FROM propagation_run WHERE id = ?').get(runId) as { clip_id: string } | undefined;
          if (!run) throw new StoreError('NOT_FOUND', `propagation run ${runId} does not exist`);
          runs.set(runId, run.clip_id);
        }
        if (runId !== null && runs.get(runId) !== clip.id) throw check.invalid(`run ${runId} belongs to another clip than object ${object.id}`);
        let size: { width: number; height: number } | null = null;
        if (object.kind === 'keypoints') {
          if (typeof input.keypointsJson !== 'string' || input.maskRle !== null) throw check.invalid(`object '${object.name}' takes keypoints only`);
        } else {
          if (input.keypointsJson !== null || !(input.maskRle instanceof Uint8Array)) throw check.invalid(`object '${object.name}' takes a mask only`);
          const header = maskRleHeader(input.maskRle);
          if (header.width !== clip.width || header.height !== clip.height || (object.kind === 'mask' && !header.binary)) {
            throw check.invalid(`frame ${frameIndex} of object '${object.name}': a ${header.width}×${header.height} ${header.binary ? 'mask' : 'label map'} does not fit clip '${clip.name}' (${clip.width}×${clip.height})`);
          }
          size = header;
        }
        insert.run({
          clip_id: clip.id,
          frame_index: frameIndex,
          object_id: object.id,
          mask_rle: input.maskRle,
          mask_width: size?.width ?? null,
          mask_height: size?.height ?? null,
          keypoints_json: input.keypointsJson,
          source,
          run_id: runId,
          updated_at: updatedAt,
        });
      }
      return inputs.length;
    });
  }

  getAnnotation(objectId: string, frameIndex: number): AnnotationRecord | undefined {
    return this.guard(() => {
      const row = this.statement('SELECT * FROM annotation WHERE object_id = ? AND frame_index = ?').get(objectId, frameIndex) as
        | rows.AnnotationRow
        | undefined;
      return row && rows.toAnnotationRecord(row);
    });
  }

  /**
   * Revision of each object's label on a frame (0 = never written): bumped by the schema's triggers on every write,
   * so a save based on an older revision can be refused.
   */
  annotationRevisions(clipId: string, frameIndex: number): Map<string, number> {
    return this.guard(
      () =>
        new Map(
          (
            this.statement('SELECT object_id, revision FROM annotation_revision WHERE clip_id = ? AND frame_index = ?').all(clipId, frameIndex) as Array<{
              object_id: string;
              revision: number;
            }>
          ).map((row) => [row.object_id, row.revision]),
        ),
    );
  }

  /** Revision of one object's label on a frame (0 = never written). */
  annotationRevision(clipId: string, objectId: string, frameIndex: number): number {
    return this.guard(
      () =>
        (this.statement('SELECT revision FROM annotation_revision WHERE clip_id = ? AND frame_index = ? AND object_id = ?')
          .pluck()
          .get(clipId, frameIndex, objectId) as number | undefined) ?? 0,
    );
  }

  /** All objects' annotations on one frame, in object creation order. */
  listAnnotationsForFrame(clipId: string, frameIndex: number): AnnotationRecord[] {
    return this.guard(() =>
      (
        this.statement(
          `SELECT annotation.* FROM annotation JOIN object ON object.id = annotation.object_id
           WHERE annotation.clip_id = ? AND annotation.frame_index = ? ORDER BY object.created_at, object.rowid`,
        ).all(clipId, frameIndex) as rows.AnnotationRow[]
      ).map(rows.toAnnotationRecord),
    );
  }

  /** One object's annotations in frame order; only its user keyframes (or only propagated ones) when `source` says. */
  listAnnotationsForObject(objectId: string, source?: AnnotationRecord['source']): AnnotationRecord[] {
    return this.guard(() => {
      const found = source
        ? this.statement('SELECT * FROM annotation WHERE object_id = ? AND source = ? ORDER BY frame_index').all(objectId, source)
        : this.statement('SELECT * FROM annotation WHERE object_id = ? ORDER BY frame_index').all(objectId);
      return (found as rows.AnnotationRow[]).map(rows.toAnnotationRecord);
    });
  }

  deleteAnnotation(objectId: string, frameIndex: number): boolean {
    return this.write(
      () => this.statement('DELETE FROM annotation WHERE object_id = ? AND frame_index = ?').run(objectId, frameIndex).changes > 0,
    );
  }

  // ── frame states ─────────────────────────────────────────────────────────────────────────────────────────

  /** Updates the given fields of a frame's state (unset fields keep their value; new frames start unreviewed). */
  setFrameState(clipId: string, frameIndex: number, patch: FrameStatePatch): FrameStateRecord {
    return this.write(() => {
      check.checkPatchKeys(patch, frameStatePatchKeys, 'frame state patch');
      const clip = this.requireClip(clipId);
      check.checkFrameIndex(frameIndex, clip.frameCount);
      const current = this.statement('SELECT * FROM frame_state WHERE clip_id = ? AND frame_index = ?').get(clipId, frameIndex) as
        | rows.FrameStateRow
        | undefined;
      const row: rows.FrameStateRow = {
        clip_id: clipId,
        frame_index: frameIndex,
        reviewed: patch.reviewed === undefined ? (current?.reviewed ?? 0) : check.checkBoolean(patch.reviewed, 'reviewed') ? 1 : 0,
        confidence: patch.confidence === undefined ? (current?.confidence ?? null) : check.checkConfidence(patch.confidence),
      };
      this.statement(
        `INSERT OR REPLACE INTO frame_state (clip_id, frame_index, reviewed, confidence)
         VALUES (@clip_id, @frame_index, @reviewed, @confidence)`,
      ).run(row);
      return rows.toFrameStateRecord(row);
    });
  }

  listFrameStates(clipId: string): FrameStateRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM frame_state WHERE clip_id = ? ORDER BY frame_index').all(clipId) as rows.FrameStateRow[]).map(
        rows.toFrameStateRecord,
      ),
    );
  }

  // ── propagation runs ─────────────────────────────────────────────────────────────────────────────────────

  startRun(input: NewRun): RunRecord {
    return this.write(() => {
      const clip = this.requireClip(input.clipId);
      const modelId = input.modelId ?? null;
      if (modelId !== null && !this.statement('SELECT 1 FROM model WHERE id = ?').get(modelId)) {
        throw new StoreError('NOT_FOUND', `model ${modelId} is not registered`);
      }
      const row: rows.RunRow = {
        id: randomUUID(),
        clip_id: clip.id,
        params_json: check.checkJsonObject(input.params, 'run params'),
        model_id: modelId,
        direction: check.checkEnum(input.direction, runDirections, 'run direction'),
        status: 'running',
        error_message: null,
        started_at: now(),
        finished_at: null,
      };
      this.statement(
        `INSERT INTO propagation_run (id, clip_id, params_json, model_id, direction, status, error_message, started_at, finished_at)
         VALUES (@id, @clip_id, @params_json, @model_id, @direction, @status, @error_message, @started_at, @finished_at)`,
      ).run(row);
      return rows.toRunRecord(row);
    });
  }

  /** Marks a running run as ended. Finishing a run twice is an error. */
  finishRun(runId: string, status: Exclude<RunStatus, 'running'>, errorMessage?: string): RunRecord {
    return this.write(() => {
      check.checkEnum(status, ['finished', 'cancelled', 'failed'] as const, 'run status');
      const current = this.statement('SELECT * FROM propagation_run WHERE id = ?').get(runId) as rows.RunRow | undefined;
      if (!current) throw new StoreError('NOT_FOUND', `propagation run ${runId} does not exist`);
      if (current.status !== 'running') throw check.invalid(`propagation run ${runId} already ended as '${current.status}'`);
      const row: rows.RunRow = { ...current, status, error_message: errorMessage ?? null, finished_at: now() };
      this.statement('UPDATE propagation_run SET status = @status, error_message = @error_message, finished_at = @finished_at WHERE id = @id').run(row);
      return rows.toRunRecord(row);
    });
  }

  /**
   * Runs a crash or kill left 'running' end as interrupted (cancelled, RUN_INTERRUPTED_MESSAGE), keeping what they
   * saved; called when the project is opened, before any run of this process can start.
   */
  closeInterruptedRuns(): void {
    // Opening a project with nothing to close writes nothing (its updated_at stays).
    const running = this.guard(() => this.statement("SELECT id FROM propagation_run WHERE status = 'running'").pluck().all() as string[]);
    if (running.length === 0) return;
    this.write(() => {
      for (const runId of running) this.finishRun(runId, 'cancelled', RUN_INTERRUPTED_MESSAGE);
    });
  }

  /** How many frames still hold labels the run wrote (later runs and edits replace some). */
  runFrameCount(runId: string): number {
    return this.guard(() => this.statement('SELECT COUNT(DISTINCT frame_index) FROM annotation WHERE run_id = ?').pluck().get(runId) as number);
  }

  /** Runs of one clip, oldest first. */
  listRuns(clipId: string): RunRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM propagation_run WHERE clip_id = ? ORDER BY started_at, rowid').all(clipId) as rows.RunRow[]).map(
        rows.toRunRecord,
      ),
    );
  }

  // ── models ───────────────────────────────────────────────────────────────────────────────────────────────

  registerModel(input: NewModel): ModelRecord {
    return this.write(() => {
      const row: rows.ModelRow = {
        id: randomUUID(),
        name: check.checkName(input.name, 'model name'),
        role: check.checkEnum(input.role, modelRoles, 'model role'),
        file_path: check.checkText(input.filePath, 'model filePath'),
        sha256: check.checkSha256(input.sha256),
        stride: check.checkOptionalPositiveInteger(input.stride, 'stride'),
        channels: check.checkOptionalPositiveInteger(input.channels, 'channels'),
        metadata_json: check.checkJsonObject(input.metadata ?? {}, 'model metadata'),
        registered_at: now(),
      };
      this.statement(
        `INSERT INTO model (id, name, role, file_path, sha256, stride, channels, metadata_json, registered_at)
         VALUES (@id, @name, @role, @file_path, @sha256, @stride, @channels, @metadata_json, @registered_at)`,
      ).run(row);
      return rows.toModelRecord(row);
    });
  }

  listModels(): ModelRecord[] {
    return this.guard(() =>
      (this.statement('SELECT * FROM model ORDER BY registered_at, rowid').all() as rows.ModelRow[]).map(rows.toModelRecord),
    );
  }

  /** Unregisters a model; runs that used it keep their record with modelId null. */
  removeModel(modelId: string): boolean {
    return this.write(() => this.statement('DELETE FROM model WHERE id = ?').run(modelId).changes > 0);
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────────────

  private statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  /** Runs a read, turning every failure into a StoreError that names this file. */
  private guard<T>(fn: () => T): T {
    if (!this.db.open) throw new StoreError('CLOSED', `project ${this.filePath} is closed`, this.filePath);
    try {
      return fn();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Runs a write as a transaction that also bumps project.updated_at. */
  private write<T>(fn: () => T): T {
    return this.guard(() =>
      this.db.transaction(() => {
        const result = fn();
        this.statement('UPDATE project SET updated_at = ?').run(now());
        return result;
      })(),
    );
  }

  private translate(error: unknown): unknown {
    if (error instanceof StoreError) {
      if (error.file !== undefined) return error;
      return new StoreError(error.code, `${error.message} (project ${this.filePath})`, this.filePath, { cause: error });
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT')) {
      return new StoreError('CONSTRAINT', `${(error as Error).message} (${code}, project ${this.filePath})`, this.filePath, { cause: error });
    }
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      return new StoreError('CORRUPT_DATA', `project ${this.filePath} is damaged: ${(error as Error).message}`, this.filePath, { cause: error });
    }
    return error;
  }

  private requireClip(clipId: string): ClipRecord {
    const row = this.statement('SELECT * FROM clip WHERE id = ?').get(clipId) as rows.ClipRow | undefined;
    if (!row) throw new StoreError('NOT_FOUND', `clip ${clipId} does not exist`);
    return rows.toClipRecord(row);
  }

  private objectRow(objectId: string): rows.ObjectRow | undefined {
    return this.statement('SELECT * FROM object WHERE id = ?').get(objectId) as rows.ObjectRow | undefined;
  }

  private firstFreePaletteIndex(clipId: string): number {
    const used = new Set(this.statement('SELECT palette_index FROM object WHERE clip_id = ?').pluck().all(clipId) as number[]);
    for (let index = 1; index <= maxPaletteIndex; index += 1) if (!used.has(index)) return index;
    throw check.invalid(`clip ${clipId} already uses all ${maxPaletteIndex} palette indices`);
  }

  /** Frame range and palette checks shared by addObject and updateObject. */
  private checkObjectRow(row: rows.ObjectRow, clip: ClipRecord): void {
    check.checkInteger(row.palette_index, 'paletteIndex', 1, maxPaletteIndex);
    check.checkFrameIndex(row.first_frame, clip.frameCount, 'firstFrame');
    if (row.last_frame !== null) check.checkInteger(row.last_frame, 'lastFrame', row.first_frame, clip.frameCount - 1);
    const owner = this.statement('SELECT name FROM object WHERE clip_id = ? AND palette_index = ? AND id != ?').pluck().get(
      clip.id,
      row.palette_index,
      row.id,
    ) as string | undefined;
    if (owner !== undefined) throw check.invalid(`palette index ${row.palette_index} is already used by object '${owner}' of this clip`);
    this.checkObjectLabelSet(row);
  }

  /** Part objects need a part set, keypoints objects a skeleton; a mask object's class must exist in its class set. */
  private checkObjectLabelSet(row: rows.ObjectRow): void {
    const wanted = row.kind === 'part' ? 'parts' : row.kind === 'keypoints' ? 'skeleton' : 'classes';
    if (row.label_set_id === null) {
      if (row.kind !== 'mask') throw check.invalid(`${row.kind} object '${row.name}' needs a ${wanted === 'parts' ? 'part set' : 'skeleton'}`);
      if (row.class_index !== null) throw check.invalid(`mask object '${row.name}' has a class but no class set`);
      return;
    }
    const set = this.getLabelSet(row.label_set_id);
    if (!set) throw new StoreError('NOT_FOUND', `label set ${row.label_set_id} does not exist`);
    if (set.kind !== wanted) throw check.invalid(`${row.kind} object '${row.name}' cannot use ${set.kind} set "${set.name}"`);
    if (row.kind !== 'mask') {
      if (row.class_index !== null) throw check.invalid(`only mask objects have a class`);
      return;
    }
    if (row.class_index !== null) check.checkInteger(row.class_index, 'classIndex', 0, set.classes.length - 1);
  }

  /** The project's first label set of a kind: what a new part/keypoints object uses unless told otherwise. */
  private defaultLabelSetId(kind: 'parts' | 'skeleton'): string {
    const id = this.statement('SELECT id FROM label_set WHERE kind = ? ORDER BY created_at, rowid LIMIT 1').pluck().get(kind) as string | undefined;
    if (!id) throw check.invalid(`this project has no ${kind === 'parts' ? 'part set' : 'skeleton'}; define one in the project's label sets first`);
    return id;
  }

  private checkDefinition(definition: LabelSetDefinition): LabelSetDefinition {
    try {
      return checkLabelSetDefinition(definition);
    } catch (error) {
      if (error instanceof LabelSetError) throw check.invalid(error.message);
      throw error;
    }
  }

  /** Classes of the part set a part object's label values must stay within (null for other objects). */
  private labelBounds(object: rows.ObjectRow): { classes: number; name: string } | null {
    if (object.kind !== 'part' || object.label_set_id === null) return null;
    const row = this.statement('SELECT name, definition_json FROM label_set WHERE id = ?').get(object.label_set_id) as { name: string; definition_json: string } | undefined;
    if (!row) return null;
    const body = JSON.parse(row.definition_json) as { classes?: unknown[] };
    return { classes: body.classes?.length ?? 0, name: row.name };
  }

  private encodePayload(
    input: AnnotationInput,
    object: rows.ObjectRow,
    clip: ClipRecord,
  ): Pick<rows.AnnotationRow, 'mask_rle' | 'mask_width' | 'mask_height' | 'keypoints_json'> {
    if (object.kind === 'keypoints') {
      if (input.kind !== 'keypoints') throw check.invalid(`object '${object.name}' is a keypoints object and takes keypoints, not ${input.kind}`);
      const keypoints = check.checkKeypoints(input.keypoints);
      return { mask_rle: null, mask_width: null, mask_height: null, keypoints_json: JSON.stringify(keypoints) };
    }
    if (input.kind !== 'labels') throw check.invalid(`object '${object.name}' is a ${object.kind} object and takes labels, not ${input.kind}`);
    const { width, height, data } = input.labels ?? {};
    if (width !== clip.width || height !== clip.height) {
      throw check.invalid(`labels are ${width}×${height} but clip '${clip.name}' is ${clip.width}×${clip.height}`);
    }
    if (object.kind === 'mask' && data instanceof Uint8Array && data.some((value) => value > 1)) {
      throw check.invalid(`mask object '${object.name}' takes 0/1 labels; found a value above 1`);
    }
    const bounds = this.labelBounds(object);
    if (bounds && data instanceof Uint8Array) {
      let highest = 0;
      // 255 is the datasets' "ignore" value (VIP, DAVIS void): kept as it is, never a class.
      for (const value of data) if (value > highest && value !== 255) highest = value;
      if (highest >= bounds.classes) throw check.invalid(`part object '${object.name}' uses "${bounds.name}" (classes 0..${bounds.classes - 1}); found class ${highest}`);
    }
    return { mask_rle: encodeMaskRle(data, width, height), mask_width: width, mask_height: height, keypoints_json: null };
  }
}

function definitionJson(definition: LabelSetDefinition): string {
  const { classes, joints, edges, flipPairs } = definition;
  return JSON.stringify({ classes, joints, edges, flipPairs });
}
