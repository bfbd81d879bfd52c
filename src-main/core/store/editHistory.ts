// Just over 400 lines: recording, applying and pruning steps share one change-row format and its statements.
/*
 * Undo/redo of a project's clips (schema 3). A step records, for every row it changed, the row before and after
 * (objects, annotations with their mask blob as stored, frame states); undo writes the befores back, redo the afters,
 * each in one transaction. Steps are per clip and linear: a new step drops the steps undone before it.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './storeError.ts';
import type { HistoryLimits } from './types.ts';
import { StatementCache } from './statementCache.ts';

export type HistoryStepKind = 'edit' | 'propagation';
export type HistoryStepState = 'open' | 'done' | 'undone';

/** A row a step may change. */
export type HistoryKey =
  | { target: 'object'; objectId: string }
  | { target: 'annotation'; objectId: string; frameIndex: number }
  | { target: 'frame_state'; frameIndex: number }
  | { target: 'label_set'; labelSetId: string };

export interface HistoryStep {
  id: number;
  clipId: string;
  kind: HistoryStepKind;
  label: string;
  state: HistoryStepState;
  createdAt: string;
  /** The editing session (window or tab) that made it; null when unknown (command line, older files). */
  sessionId: string | null;
}

export interface HistoryStatus {
  /** The step undo would revert (the newest not undone), if any. */
  undo: HistoryStep | undefined;
  /** The step redo would apply again (the oldest undone), if any. */
  redo: HistoryStep | undefined;
  /** A step of this clip is still open (a propagation run writing): undo and redo wait. */
  busy: boolean;
}

/** What an undo or redo changed, for the UI to refresh exactly that. */
export interface AppliedStep {
  step: HistoryStep;
  objectIds: string[];
  frames: { first: number; last: number } | null;
  objectsChanged: boolean;
  labelSetsChanged: boolean;
}

/** 200 steps per clip, stretched up to 1000 so the last propagation run stays undoable (see docs/ARCHITECTURE.md). */
export const defaultHistoryLimits: HistoryLimits = { steps: 200, stepsKeepingLastRun: 1000 };

interface StepRow {
  id: number;
  clip_id: string;
  kind: HistoryStepKind;
  label: string;
  state: HistoryStepState;
  created_at: string;
  session_id: string | null;
}

interface ChangeRow {
  step_id: number;
  target: HistoryKey['target'];
  object_id: string;
  frame_index: number;
  before_json: string | null;
  before_mask: Uint8Array | null;
  after_json: string | null;
  after_mask: Uint8Array | null;
}

/** A row as stored: its columns (without the mask blob) as JSON, and the mask blob. null = no such row. */
interface Snapshot {
  json: string;
  mask: Uint8Array | null;
}

interface AnnotationColumns {
  mask_width: number | null;
  mask_height: number | null;
  keypoints_json: string | null;
  source: string;
  run_id: string | null;
  confidence: number | null;
  updated_at: string;
}

const objectColumns = ['id', 'clip_id', 'name', 'kind', 'palette_index', 'first_frame', 'last_frame', 'hidden', 'created_at', 'label_set_id', 'class_index'] as const;
const labelSetColumns = ['id', 'kind', 'name', 'preset', 'definition_json', 'created_at'] as const;
/** The sets schema 4 gave part and keypoints objects (VIP parts, JHMDB joints): what an older snapshot means. */
const schema3LabelSets: Record<string, string | null> = {
  part: '56495000-0000-4000-8000-000000000020',
  keypoints: '4a484d44-4200-4000-8000-000000000015',
  mask: null,
};

function toStep(row: StepRow): HistoryStep {
  return { id: row.id, clipId: row.clip_id, kind: row.kind, label: row.label, state: row.state, createdAt: row.created_at, sessionId: row.session_id };
}

function keyColumns(key: HistoryKey): { target: HistoryKey['target']; objectId: string; frameIndex: number } {
  if (key.target === 'object') return { target: 'object', objectId: key.objectId, frameIndex: -1 };
  if (key.target === 'frame_state') return { target: 'frame_state', objectId: '', frameIndex: key.frameIndex };
  if (key.target === 'label_set') return { target: 'label_set', objectId: key.labelSetId, frameIndex: -1 };
  return { target: 'annotation', objectId: key.objectId, frameIndex: key.frameIndex };
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/**
 * The history tables of one open project file. Every public method is one transaction (a savepoint inside the
 * caller's), run through `transaction` so failures become StoreErrors naming the file.
 */
export class EditHistory {
  private readonly statements: StatementCache;

  constructor(
    db: Database.Database,
    private readonly transaction: <T>(fn: () => T) => T,
    private readonly limits: HistoryLimits = defaultHistoryLimits,
  ) {
    this.statements = new StatementCache(db);
  }

  /**
   * Opens a step on a clip and returns its id; it takes changes through `track` until `finish`. An open step (a
   * propagation run) keeps undo and redo of its clip waiting. `sessionId` names the window or tab that made it.
   */
  begin(clipId: string, kind: HistoryStepKind, label: string, sessionId?: string): number {
    return this.transaction(() => {
      const id = Number(
        this.statement("INSERT INTO edit_step (clip_id, kind, label, state, created_at, session_id) VALUES (?, ?, ?, 'open', ?, ?)").run(
          clipId,
          kind,
          label,
          new Date().toISOString(),
          sessionId ?? null,
        ).lastInsertRowid,
      );
      this.prune(clipId);
      return id;
    });
  }

  /**
   * Runs `write` (the step's change to the given rows) and records each row's state before (the first time the step
   * touches it) and after. Rows `write` left as they were are not recorded.
   */
  track<T>(stepId: number, keys: readonly HistoryKey[], write: () => T): T {
    return this.transaction(() => {
      const step = this.stepRow(stepId);
      if (!step || step.state !== 'open') throw new StoreError('INVALID_INPUT', `history step ${stepId} is not open`);
      const columns = keys.map(keyColumns);
      for (const key of columns) {
        const before = this.snapshot(key, step.clip_id);
        this.statement(
          `INSERT INTO edit_change (step_id, target, object_id, frame_index, before_json, before_mask)
           VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        ).run(stepId, key.target, key.objectId, key.frameIndex, before?.json ?? null, before?.mask ?? null);
      }
      const result = write();
      for (const key of columns) {
        const after = this.snapshot(key, step.clip_id);
        const change = this.statement(
          'SELECT * FROM edit_change WHERE step_id = ? AND target = ? AND object_id = ? AND frame_index = ?',
        ).get(stepId, key.target, key.objectId, key.frameIndex) as ChangeRow;
        if (change.before_json === (after?.json ?? null) && sameBytes(change.before_mask, after?.mask ?? null)) {
          this.statement('DELETE FROM edit_change WHERE step_id = ? AND target = ? AND object_id = ? AND frame_index = ?').run(
            stepId,
            key.target,
            key.objectId,
            key.frameIndex,
          );
        } else {
          this.statement(
            'UPDATE edit_change SET after_json = ?, after_mask = ? WHERE step_id = ? AND target = ? AND object_id = ? AND frame_index = ?',
          ).run(after?.json ?? null, after?.mask ?? null, stepId, key.target, key.objectId, key.frameIndex);
        }
      }
      return result;
    });
  }

  /** Records a row the step has just created (it did not exist before the step). */
  recordCreated(stepId: number, key: HistoryKey): void {
    this.transaction(() => {
      const step = this.stepRow(stepId);
      if (!step || step.state !== 'open') throw new StoreError('INVALID_INPUT', `history step ${stepId} is not open`);
      const columns = keyColumns(key);
      const after = this.snapshot(columns, step.clip_id);
      if (!after) throw new StoreError('NOT_FOUND', `${columns.target} ${columns.objectId} was not created`);
      this.statement(
        `INSERT INTO edit_change (step_id, target, object_id, frame_index, before_json, before_mask, after_json, after_mask)
         VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)`,
      ).run(stepId, columns.target, columns.objectId, columns.frameIndex, after.json, after.mask);
    });
  }

  /**
   * Closes a step with its final label. A step that changed nothing is dropped; one that changed something drops
   * the clip's redo branch (a new edit). Returns whether it was kept.
   */
  finish(stepId: number, label: string): boolean {
    return this.transaction(() => {
      const step = this.stepRow(stepId);
      if (!step || step.state !== 'open') throw new StoreError('INVALID_INPUT', `history step ${stepId} is not open`);
      const changes = this.statement('SELECT count(*) FROM edit_change WHERE step_id = ?').pluck().get(stepId) as number;
      if (changes === 0) {
        this.statement('DELETE FROM edit_step WHERE id = ?').run(stepId);
        return false;
      }
      this.statement("DELETE FROM edit_step WHERE clip_id = ? AND state = 'undone'").run(step.clip_id);
      this.statement("UPDATE edit_step SET label = ?, state = 'done' WHERE id = ?").run(label, stepId);
      return true;
    });
  }

  /** Number of frames whose labels a step changed (a run's size). */
  changedFrames(stepId: number): number {
    return this.transaction(
      () => this.statement("SELECT count(DISTINCT frame_index) FROM edit_change WHERE step_id = ? AND target = 'annotation'").pluck().get(stepId) as number,
    );
  }

  /** Whether a step newer than `stepId` changed this object's label on this frame (an edit made during a run). */
  changedSince(stepId: number, objectId: string, frameIndex: number): boolean {
    return this.transaction(
      () =>
        this.statement(
          `SELECT 1 FROM edit_change WHERE object_id = ? AND frame_index = ? AND target = 'annotation' AND step_id > ? LIMIT 1`,
        ).get(objectId, frameIndex, stepId) !== undefined,
    );
  }

  /** The annotation rows an object has (what deleting it changes besides its own row). */
  annotationKeysOf(objectId: string): HistoryKey[] {
    return this.transaction(() =>
      (this.statement('SELECT frame_index FROM annotation WHERE object_id = ? ORDER BY frame_index').pluck().all(objectId) as number[]).map(
        (frameIndex) => ({ target: 'annotation' as const, objectId, frameIndex }),
      ),
    );
  }

  status(clipId: string): HistoryStatus {
    return this.transaction(() => {
      const undo = this.statement("SELECT * FROM edit_step WHERE clip_id = ? AND state != 'undone' ORDER BY id DESC LIMIT 1").get(clipId) as
        | StepRow
        | undefined;
      const redo = this.statement("SELECT * FROM edit_step WHERE clip_id = ? AND state = 'undone' ORDER BY id LIMIT 1").get(clipId) as
        | StepRow
        | undefined;
      const busy = this.statement("SELECT 1 FROM edit_step WHERE clip_id = ? AND state = 'open' LIMIT 1").get(clipId) !== undefined;
      return { undo: undo && toStep(undo), redo: redo && toStep(redo), busy };
    });
  }

  /** Reverts the clip's newest step; undefined when there is none. Refused while a step of the clip is open. */
  undo(clipId: string): AppliedStep | undefined {
    return this.transaction(() => {
      const { undo, busy } = this.status(clipId);
      this.refuseWhileBusy(busy, 'undo');
      if (!undo) return undefined;
      const applied = this.apply(undo, 'before');
      this.statement("UPDATE edit_step SET state = 'undone' WHERE id = ?").run(undo.id);
      return applied;
    });
  }

  /** Applies the clip's oldest undone step again; undefined when there is none. */
  redo(clipId: string): AppliedStep | undefined {
    return this.transaction(() => {
      const { redo, busy } = this.status(clipId);
      this.refuseWhileBusy(busy, 'redo');
      if (!redo) return undefined;
      const applied = this.apply(redo, 'after');
      this.statement("UPDATE edit_step SET state = 'done' WHERE id = ?").run(redo.id);
      return applied;
    });
  }

  /** Steps a crash left open (a run that never finished) become ordinary steps of what they wrote. */
  closeInterruptedSteps(): void {
    this.transaction(() => {
      const open = this.statement("SELECT id FROM edit_step WHERE state = 'open'").pluck().all() as number[];
      for (const id of open) this.finish(id, `propagation (${this.changedFrames(id)} frames, interrupted)`);
    });
  }

  /** Drops a clip's whole history: after a change made outside it (an annotation import), its steps no longer apply. */
  forgetClip(clipId: string): void {
    this.transaction(() => this.statement('DELETE FROM edit_step WHERE clip_id = ?').run(clipId));
  }

  /** Steps of a clip, oldest first (tests and diagnostics). */
  list(clipId: string): HistoryStep[] {
    return this.transaction(() =>
      (this.statement('SELECT * FROM edit_step WHERE clip_id = ? ORDER BY id').all(clipId) as StepRow[]).map(toStep),
    );
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────────────

  private refuseWhileBusy(busy: boolean, action: string): void {
    if (busy) throw new StoreError('BUSY', `cannot ${action} while a propagation run of this clip is still writing; wait for it or cancel it`);
  }

  /**
   * Writes one side of a step. Objects that exist on that side come first and objects that do not go last, so
   * annotations always have their object (deleting an object cascades to rows the step already set).
   */
  private apply(step: HistoryStep, side: 'before' | 'after'): AppliedStep {
    const changes = this.statement('SELECT * FROM edit_change WHERE step_id = ?').all(step.id) as ChangeRow[];
    const snapshotOf = (change: ChangeRow): Snapshot | null => {
      const json = side === 'before' ? change.before_json : change.after_json;
      return json === null ? null : { json, mask: side === 'before' ? change.before_mask : change.after_mask };
    };
    const labelSets = changes.filter((change) => change.target === 'label_set');
    for (const change of labelSets) {
      const snapshot = snapshotOf(change);
      if (snapshot) this.restoreLabelSet(snapshot);
    }
    const objects = changes.filter((change) => change.target === 'object');
    for (const change of objects) {
      const snapshot = snapshotOf(change);
      if (snapshot) this.restoreObject(snapshot);
    }
    for (const change of changes) {
      if (change.target === 'annotation') this.restoreAnnotation(step.clipId, change.object_id, change.frame_index, snapshotOf(change));
      if (change.target === 'frame_state') this.restoreFrameState(step.clipId, change.frame_index, snapshotOf(change));
    }
    for (const change of objects) if (!snapshotOf(change)) this.statement('DELETE FROM object WHERE id = ?').run(change.object_id);
    for (const change of labelSets) if (!snapshotOf(change)) this.statement('DELETE FROM label_set WHERE id = ?').run(change.object_id);
    this.statement('UPDATE project SET updated_at = ?').run(new Date().toISOString());

    let frames: AppliedStep['frames'] = null;
    for (const change of changes) {
      if (change.target === 'object' || change.target === 'label_set') continue;
      const frame = change.frame_index;
      frames = frames ? { first: Math.min(frames.first, frame), last: Math.max(frames.last, frame) } : { first: frame, last: frame };
    }
    return {
      step,
      objectIds: [...new Set(changes.filter((change) => change.target === 'object' || change.target === 'annotation').map((change) => change.object_id))],
      frames,
      objectsChanged: objects.length > 0,
      labelSetsChanged: labelSets.length > 0,
    };
  }

  private restoreLabelSet(snapshot: Snapshot): void {
    const row = JSON.parse(snapshot.json) as Record<(typeof labelSetColumns)[number], unknown>;
    const assignments = labelSetColumns.filter((column) => column !== 'id').map((column) => `${column} = @${column}`);
    if (this.statement(`UPDATE label_set SET ${assignments.join(', ')} WHERE id = @id`).run(row).changes === 0) {
      this.statement(`INSERT INTO label_set (${labelSetColumns.join(', ')}) VALUES (${labelSetColumns.map((c) => `@${c}`).join(', ')})`).run(row);
    }
  }

  private restoreObject(snapshot: Snapshot): void {
    const stored = JSON.parse(snapshot.json) as Record<string, unknown>;
    // Steps recorded before schema 4 have no label set columns: they mean the sets the migration gave their kind.
    const row = { label_set_id: schema3LabelSets[stored.kind as string] ?? null, class_index: null, ...stored } as Record<(typeof objectColumns)[number], unknown>;
    const assignments = objectColumns.filter((column) => column !== 'id').map((column) => `${column} = @${column}`);
    if (this.statement(`UPDATE object SET ${assignments.join(', ')} WHERE id = @id`).run(row).changes === 0) {
      this.statement(`INSERT INTO object (${objectColumns.join(', ')}) VALUES (${objectColumns.map((c) => `@${c}`).join(', ')})`).run(row);
    }
  }

  private restoreAnnotation(clipId: string, objectId: string, frameIndex: number, snapshot: Snapshot | null): void {
    this.statement('DELETE FROM annotation WHERE object_id = ? AND frame_index = ?').run(objectId, frameIndex);
    if (!snapshot) return;
    const columns = JSON.parse(snapshot.json) as AnnotationColumns;
    // A label set change records annotations of every clip using the set: each goes back to its object's clip.
    const ownClip = this.statement('SELECT clip_id FROM object WHERE id = ?').pluck().get(objectId) as string | undefined;
    clipId = ownClip ?? clipId;
    this.statement(
      `INSERT INTO annotation (clip_id, frame_index, object_id, mask_rle, mask_width, mask_height, keypoints_json, source, run_id,
         confidence, updated_at)
       VALUES (@clip_id, @frame_index, @object_id, @mask_rle, @mask_width, @mask_height, @keypoints_json, @source, @run_id,
         @confidence, @updated_at)`,
    ).run({ ...columns, clip_id: clipId, frame_index: frameIndex, object_id: objectId, mask_rle: snapshot.mask });
  }

  private restoreFrameState(clipId: string, frameIndex: number, snapshot: Snapshot | null): void {
    this.statement('DELETE FROM frame_state WHERE clip_id = ? AND frame_index = ?').run(clipId, frameIndex);
    if (!snapshot) return;
    const { reviewed, confidence } = JSON.parse(snapshot.json) as { reviewed: number; confidence: number | null };
    this.statement('INSERT INTO frame_state (clip_id, frame_index, reviewed, confidence) VALUES (?, ?, ?, ?)').run(
      clipId,
      frameIndex,
      reviewed,
      confidence,
    );
  }

  private snapshot(key: ReturnType<typeof keyColumns>, clipId: string): Snapshot | null {
    if (key.target === 'label_set') {
      const row = this.statement(`SELECT ${labelSetColumns.join(', ')} FROM label_set WHERE id = ?`).get(key.objectId);
      return row ? { json: JSON.stringify(row), mask: null } : null;
    }
    if (key.target === 'object') {
      const row = this.statement(`SELECT ${objectColumns.join(', ')} FROM object WHERE id = ?`).get(key.objectId);
      return row ? { json: JSON.stringify(row), mask: null } : null;
    }
    if (key.target === 'frame_state') {
      const row = this.statement('SELECT reviewed, confidence FROM frame_state WHERE clip_id = ? AND frame_index = ?').get(clipId, key.frameIndex);
      return row ? { json: JSON.stringify(row), mask: null } : null;
    }
    const row = this.statement(
      `SELECT mask_rle, mask_width, mask_height, keypoints_json, source, run_id, confidence, updated_at
       FROM annotation WHERE object_id = ? AND frame_index = ?`,
    ).get(key.objectId, key.frameIndex) as (AnnotationColumns & { mask_rle: Uint8Array | null }) | undefined;
    if (!row) return null;
    const { mask_rle: mask, ...columns } = row;
    return { json: JSON.stringify(columns), mask };
  }

  /**
   * Keeps the newest `limits.steps` steps of the clip, reaching back further (up to `limits.stepsKeepingLastRun`)
   * to keep the last propagation run. Only the oldest steps go, so what is left is still a consistent history.
   */
  private prune(clipId: string): void {
    const newest = this.statement('SELECT id FROM edit_step WHERE clip_id = ? ORDER BY id DESC LIMIT ?').pluck().all(
      clipId,
      this.limits.stepsKeepingLastRun + 1,
    ) as number[];
    if (newest.length <= this.limits.steps) return;
    const lastRun = this.statement("SELECT max(id) FROM edit_step WHERE clip_id = ? AND kind = 'propagation'").pluck().get(clipId) as number | null;
    let keepFrom = newest[this.limits.steps - 1]!;
    if (lastRun !== null && lastRun < keepFrom) keepFrom = lastRun;
    const hardFloor = newest[this.limits.stepsKeepingLastRun - 1];
    if (hardFloor !== undefined && keepFrom < hardFloor) keepFrom = hardFloor;
    this.statement('DELETE FROM edit_step WHERE clip_id = ? AND id < ?').run(clipId, keepFrom);
  }

  private stepRow(stepId: number): StepRow | undefined {
    return this.statement('SELECT * FROM edit_step WHERE id = ?').get(stepId) as StepRow | undefined;
  }

  private statement(sql: string): Database.Statement {
    return this.statements.get(sql);
  }
}
