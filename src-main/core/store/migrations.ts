import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from './storeError.ts';

export interface Migration {
  version: number;
  description: string;
  /** Runs inside the migration transaction; must not change PRAGMA foreign_keys or journal_mode. */
  up(db: BetterSqlite3.Database): void;
}

/** `PRAGMA application_id` of every Correspond project: ASCII 'CRSP'. Tells our files from other SQLite files. */
export const correspondApplicationId = 0x43525350;

/*
 * Released migrations are frozen: never edit one, append a new one. Each runs once, in order, and all pending ones
 * run in a single transaction with the user_version bump, so a crash mid-upgrade leaves the old version intact.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'initial schema: project, clip, object, annotation, frame state, propagation run, model',
    up(db) {
      db.exec(`
        CREATE TABLE project (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL CHECK (length(trim(name)) > 0),
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE clip (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL,
          source_path TEXT NOT NULL,
          source_kind TEXT NOT NULL CHECK (source_kind IN ('video', 'images')),
          fps REAL NOT NULL CHECK (fps > 0),
          width INTEGER NOT NULL CHECK (width > 0),
          height INTEGER NOT NULL CHECK (height > 0),
          frame_count INTEGER NOT NULL CHECK (frame_count > 0),
          source_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(source_json)),
          imported_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE object (
          id TEXT PRIMARY KEY NOT NULL,
          clip_id TEXT NOT NULL REFERENCES clip (id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('mask', 'part', 'keypoints')),
          palette_index INTEGER NOT NULL CHECK (palette_index BETWEEN 1 AND 255),
          first_frame INTEGER NOT NULL DEFAULT 0 CHECK (first_frame >= 0),
          last_frame INTEGER CHECK (last_frame IS NULL OR last_frame >= first_frame),
          hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
          created_at TEXT NOT NULL,
          UNIQUE (id, clip_id)
        ) STRICT;
        CREATE INDEX object_by_clip ON object (clip_id);

        CREATE TABLE propagation_run (
          id TEXT PRIMARY KEY NOT NULL,
          clip_id TEXT NOT NULL REFERENCES clip (id) ON DELETE CASCADE,
          params_json TEXT NOT NULL CHECK (json_valid(params_json)),
          model_id TEXT REFERENCES model (id) ON DELETE SET NULL,
          direction TEXT NOT NULL CHECK (direction IN ('forward', 'backward', 'both')),
          status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),
          error_message TEXT,
          started_at TEXT NOT NULL,
          finished_at TEXT CHECK ((status = 'running') = (finished_at IS NULL)),
          UNIQUE (id, clip_id)
        ) STRICT;
        CREATE INDEX propagation_run_by_clip ON propagation_run (clip_id);

        -- The composite keys tie an annotation to an object and a run of the same clip.
        CREATE TABLE annotation (
          clip_id TEXT NOT NULL REFERENCES clip (id) ON DELETE CASCADE,
          frame_index INTEGER NOT NULL CHECK (frame_index >= 0),
          object_id TEXT NOT NULL,
          mask_rle BLOB,
          mask_width INTEGER CHECK (mask_width > 0),
          mask_height INTEGER CHECK (mask_height > 0),
          keypoints_json TEXT CHECK (keypoints_json IS NULL OR json_valid(keypoints_json)),
          source TEXT NOT NULL CHECK (source IN ('user', 'propagated')),
          run_id TEXT,
          confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
          updated_at TEXT NOT NULL,
          PRIMARY KEY (clip_id, frame_index, object_id),
          FOREIGN KEY (object_id, clip_id) REFERENCES object (id, clip_id) ON DELETE CASCADE,
          FOREIGN KEY (run_id, clip_id) REFERENCES propagation_run (id, clip_id) ON DELETE CASCADE,
          CHECK ((mask_rle IS NULL) != (keypoints_json IS NULL)),
          CHECK ((mask_rle IS NULL) = (mask_width IS NULL) AND (mask_rle IS NULL) = (mask_height IS NULL)),
          CHECK ((source = 'user') = (run_id IS NULL))
        ) STRICT;
        CREATE INDEX annotation_by_object ON annotation (object_id, frame_index);
        CREATE INDEX annotation_by_run ON annotation (run_id) WHERE run_id IS NOT NULL;

        CREATE TABLE frame_state (
          clip_id TEXT NOT NULL REFERENCES clip (id) ON DELETE CASCADE,
          frame_index INTEGER NOT NULL CHECK (frame_index >= 0),
          reviewed INTEGER NOT NULL DEFAULT 0 CHECK (reviewed IN (0, 1)),
          confidence REAL CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 1),
          PRIMARY KEY (clip_id, frame_index)
        ) STRICT;

        CREATE TABLE model (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('semantic', 'fine-grained', 'pixels')),
          file_path TEXT NOT NULL,
          sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
          registered_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    description: 'frame thumbnails; model stride, channels and metadata',
    up(db) {
      db.exec(`
        CREATE TABLE thumbnail (
          clip_id TEXT NOT NULL REFERENCES clip (id) ON DELETE CASCADE,
          frame_index INTEGER NOT NULL CHECK (frame_index >= 0),
          jpeg BLOB NOT NULL,
          PRIMARY KEY (clip_id, frame_index)
        ) STRICT;

        ALTER TABLE model ADD COLUMN stride INTEGER CHECK (stride IS NULL OR stride > 0);
        ALTER TABLE model ADD COLUMN channels INTEGER CHECK (channels IS NULL OR channels > 0);
        ALTER TABLE model ADD COLUMN metadata_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata_json));
      `);
    },
  },
  {
    version: 3,
    description: 'edit history: undoable steps per clip with the before and after rows of what each changed',
    up(db) {
      db.exec(`
        -- One undoable step: an edit, or a whole propagation run ('open' while the run is still writing).
        -- AUTOINCREMENT keeps ids growing after pruning, so id order is history order.
        CREATE TABLE edit_step (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          clip_id TEXT NOT NULL REFERENCES clip (id) ON DELETE CASCADE,
          kind TEXT NOT NULL CHECK (kind IN ('edit', 'propagation')),
          label TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('open', 'done', 'undone')),
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX edit_step_by_clip ON edit_step (clip_id, id);

        -- One row a step changed, before and after (NULL json = the row did not exist). object_id is '' for frame
        -- states and frame_index -1 for objects, so the key stays unique; masks keep their RLE blob as stored.
        CREATE TABLE edit_change (
          step_id INTEGER NOT NULL REFERENCES edit_step (id) ON DELETE CASCADE,
          target TEXT NOT NULL CHECK (target IN ('object', 'annotation', 'frame_state')),
          object_id TEXT NOT NULL,
          frame_index INTEGER NOT NULL,
          before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
          before_mask BLOB,
          after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
          after_mask BLOB,
          PRIMARY KEY (step_id, target, object_id, frame_index)
        ) STRICT;
        CREATE INDEX edit_change_by_key ON edit_change (object_id, frame_index);
      `);
    },
  },
  {
    version: 4,
    description: "label sets: the project's object classes, part classes and skeletons; objects use one (JHMDB/VIP for today's)",
    up(db) {
      // Frozen: the JHMDB skeleton and VIP parts exactly as the editor, the exporters and SPEC §3.1/§4 had them fixed.
      const vocHex = (index: number): string => {
        let [red, green, blue, rest] = [0, 0, 0, index];
        for (let bit = 7; bit >= 0; bit--) {
          red |= (rest & 1) << bit;
          green |= ((rest >> 1) & 1) << bit;
          blue |= ((rest >> 2) & 1) << bit;
          rest >>= 3;
        }
        return `#${[red, green, blue].map((value) => value.toString(16).padStart(2, '0')).join('')}`;
      };
      const jhmdbJoints = ['neck', 'belly', 'face', 'right shoulder', 'left shoulder', 'right hip', 'left hip', 'right elbow',
        'left elbow', 'right knee', 'left knee', 'right wrist', 'left wrist', 'right ankle', 'left ankle'];
      const jhmdbParents = [1, -1, 0, 0, 0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10];
      const vipParts = ['background', 'hat', 'hair', 'sun-glasses', 'upper-clothes', 'dress', 'coat', 'socks', 'pants', 'gloves',
        'scarf', 'skirt', 'torso-skin', 'face', 'right-arm', 'left-arm', 'right-leg', 'left-leg', 'right-shoe', 'left-shoe'];
      const jhmdb = {
        classes: [],
        joints: jhmdbJoints.map((name) => ({ name, defaultVisibility: 2 })),
        edges: jhmdbParents.flatMap((parent, child) => (parent < 0 ? [] : [[child, parent]])),
        flipPairs: [[4, 3], [6, 5], [8, 7], [10, 9], [12, 11], [14, 13]],
      };
      const vip = { classes: vipParts.map((name, index) => ({ name, color: vocHex(index) })), joints: [], edges: [], flipPairs: [] };
      db.exec(`
        CREATE TABLE label_set (
          id TEXT PRIMARY KEY NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('classes', 'parts', 'skeleton')),
          name TEXT NOT NULL CHECK (length(trim(name)) > 0),
          preset TEXT,
          definition_json TEXT NOT NULL CHECK (json_valid(definition_json)),
          created_at TEXT NOT NULL
        ) STRICT;

        -- Part and keypoints objects always name their set; mask objects may have a class of a 'classes' set.
        ALTER TABLE object ADD COLUMN label_set_id TEXT REFERENCES label_set (id);
        ALTER TABLE object ADD COLUMN class_index INTEGER CHECK (class_index IS NULL OR class_index >= 0);
        CREATE INDEX object_by_label_set ON object (label_set_id) WHERE label_set_id IS NOT NULL;

        -- Undo steps may now change a label set (target 'label_set', object_id = its id, frame_index -1).
        CREATE TABLE edit_change_v4 (
          step_id INTEGER NOT NULL REFERENCES edit_step (id) ON DELETE CASCADE,
          target TEXT NOT NULL CHECK (target IN ('object', 'annotation', 'frame_state', 'label_set')),
          object_id TEXT NOT NULL,
          frame_index INTEGER NOT NULL,
          before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
          before_mask BLOB,
          after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
          after_mask BLOB,
          PRIMARY KEY (step_id, target, object_id, frame_index)
        ) STRICT;
        INSERT INTO edit_change_v4 SELECT * FROM edit_change;
        DROP TABLE edit_change;
        ALTER TABLE edit_change_v4 RENAME TO edit_change;
        CREATE INDEX edit_change_by_key ON edit_change (object_id, frame_index);
      `);
      const at = new Date().toISOString();
      const insert = db.prepare('INSERT INTO label_set (id, kind, name, preset, definition_json, created_at) VALUES (?, ?, ?, ?, ?, ?)');
      insert.run('4a484d44-4200-4000-8000-000000000015', 'skeleton', 'JHMDB joints', 'jhmdb', JSON.stringify(jhmdb), at);
      insert.run('56495000-0000-4000-8000-000000000020', 'parts', 'VIP parts', 'vip', JSON.stringify(vip), at);
      db.exec(`
        UPDATE object SET label_set_id = '4a484d44-4200-4000-8000-000000000015' WHERE kind = 'keypoints';
        UPDATE object SET label_set_id = '56495000-0000-4000-8000-000000000020' WHERE kind = 'part';
      `);
    },
  },
  {
    version: 5,
    description: 'concurrent editing and training runs: a revision per object and frame, the editing session of each undo step, the project\'s training runs',
    up(db) {
      db.exec(`
        -- Bumped by triggers on every write of an object's label on a frame (insert, update, delete, from any path:
        -- edits, runs, undo, imports). Kept after a delete, so a label drawn, erased and drawn again never comes back
        -- to an old revision. A save based on an older revision is refused (two windows on one project).
        CREATE TABLE annotation_revision (
          clip_id TEXT NOT NULL,
          frame_index INTEGER NOT NULL,
          object_id TEXT NOT NULL,
          revision INTEGER NOT NULL CHECK (revision > 0),
          PRIMARY KEY (clip_id, frame_index, object_id)
        ) STRICT, WITHOUT ROWID;
        CREATE TRIGGER annotation_revision_on_insert AFTER INSERT ON annotation BEGIN
          INSERT INTO annotation_revision (clip_id, frame_index, object_id, revision) VALUES (new.clip_id, new.frame_index, new.object_id, 1)
          ON CONFLICT DO UPDATE SET revision = revision + 1;
        END;
        CREATE TRIGGER annotation_revision_on_update AFTER UPDATE ON annotation BEGIN
          INSERT INTO annotation_revision (clip_id, frame_index, object_id, revision) VALUES (new.clip_id, new.frame_index, new.object_id, 1)
          ON CONFLICT DO UPDATE SET revision = revision + 1;
        END;
        CREATE TRIGGER annotation_revision_on_delete AFTER DELETE ON annotation BEGIN
          INSERT INTO annotation_revision (clip_id, frame_index, object_id, revision) VALUES (old.clip_id, old.frame_index, old.object_id, 1)
          ON CONFLICT DO UPDATE SET revision = revision + 1;
        END;
        CREATE TRIGGER annotation_revision_on_clip_delete AFTER DELETE ON clip BEGIN
          DELETE FROM annotation_revision WHERE clip_id = old.id;
        END;

        -- The editing session (one window or tab) that made a step; NULL for steps made before this version or
        -- outside the app (command line). Undo asks before reverting another session's step.
        ALTER TABLE edit_step ADD COLUMN session_id TEXT;

        -- Training runs of the project's FC, newest last: a run still 'running' when no worker runs it was
        -- interrupted (the app quit or was killed) and resumes from checkpoint_step.
        CREATE TABLE training_run (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          clip_ids_json TEXT NOT NULL CHECK (json_valid(clip_ids_json)),
          total_steps INTEGER NOT NULL CHECK (total_steps > 0),
          state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'cancelled', 'failed')),
          step INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),
          checkpoint_step INTEGER NOT NULL DEFAULT 0 CHECK (checkpoint_step >= 0),
          message TEXT,
          started_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];

export const currentSchemaVersion: number = migrations[migrations.length - 1]!.version;

/**
 * Brings `db` from `fromVersion` to the last version in `steps`, all in one transaction (the user_version bump
 * included), then checks foreign keys before committing. Returns the new version.
 */
export function applyMigrations(
  db: BetterSqlite3.Database,
  filePath: string,
  fromVersion: number,
  steps: readonly Migration[] = migrations,
): number {
  assertOrdered(steps);
  const pending = steps.filter((step) => step.version > fromVersion);
  if (pending.length === 0) return fromVersion;
  const targetVersion = pending[pending.length - 1]!.version;
  let current = fromVersion;
  try {
    db.transaction(() => {
      for (const step of pending) {
        current = step.version;
        step.up(db);
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) throw new Error(`${violations.length} foreign key violations after migrating`);
      db.pragma(`user_version = ${targetVersion}`);
    })();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      'MIGRATION_FAILED',
      `cannot upgrade project ${filePath} from schema ${fromVersion} to ${targetVersion}: migration ${current} failed (${reason}); the file is unchanged`,
      filePath,
      { cause: error },
    );
  }
  return targetVersion;
}

function assertOrdered(steps: readonly Migration[]): void {
  steps.forEach((step, index) => {
    if (step.version !== index + 1) {
      throw new Error(`migration list is out of order: entry ${index} has version ${step.version}, expected ${index + 1}`);
    }
  });
}
