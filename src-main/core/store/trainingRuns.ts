/*
 * The project's training runs (schema 5): what each run trains on, how far it got and how it ended. The training
 * service records a run when it starts and as it checkpoints, so a run the app never saw end (quit, crash, kill) is
 * still 'running' in the file: the Training screen offers to resume it from its last checkpoint.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './storeError.ts';
import { StatementCache } from './statementCache.ts';

export type TrainingRunState = 'running' | 'finished' | 'cancelled' | 'failed';

export interface TrainingRunRecord {
  id: number;
  clipIds: string[];
  totalSteps: number;
  state: TrainingRunState;
  /** Last step the run reported. */
  step: number;
  /** Step of the last checkpoint it saved (where a resume starts). */
  checkpointStep: number;
  message: string | null;
  startedAt: string;
  updatedAt: string;
}

export interface TrainingRunPatch {
  state?: TrainingRunState;
  step?: number;
  checkpointStep?: number;
  message?: string | null;
}

interface TrainingRunRow {
  id: number;
  clip_ids_json: string;
  total_steps: number;
  state: TrainingRunState;
  step: number;
  checkpoint_step: number;
  message: string | null;
  started_at: string;
  updated_at: string;
}

function toRecord(row: TrainingRunRow): TrainingRunRecord {
  return {
    id: row.id,
    clipIds: JSON.parse(row.clip_ids_json) as string[],
    totalSteps: row.total_steps,
    state: row.state,
    step: row.step,
    checkpointStep: row.checkpoint_step,
    message: row.message,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
  };
}

/** The training_run table of one open project file; each method is one transaction. */
export class TrainingRuns {
  private readonly statements: StatementCache;

  constructor(
    db: Database.Database,
    private readonly transaction: <T>(fn: () => T) => T,
  ) {
    this.statements = new StatementCache(db);
  }

  /** Records a run that starts now and returns its id. */
  begin(run: { clipIds: string[]; totalSteps: number }): number {
    return this.transaction(() => {
      const at = new Date().toISOString();
      return Number(
        this.statements
          .get(
            `INSERT INTO training_run (clip_ids_json, total_steps, state, step, checkpoint_step, started_at, updated_at)
             VALUES (?, ?, 'running', 0, 0, ?, ?)`,
          )
          .run(JSON.stringify(run.clipIds), run.totalSteps, at, at).lastInsertRowid,
      );
    });
  }

  /** Updates the given fields of a run (its progress, or how it ended). */
  update(id: number, patch: TrainingRunPatch): void {
    this.transaction(() => {
      const row = this.statements.get('SELECT * FROM training_run WHERE id = ?').get(id) as TrainingRunRow | undefined;
      if (!row) throw new StoreError('NOT_FOUND', `training run ${id} does not exist`);
      this.statements
        .get('UPDATE training_run SET state = ?, step = ?, checkpoint_step = ?, message = ?, updated_at = ? WHERE id = ?')
        .run(
          patch.state ?? row.state,
          patch.step ?? row.step,
          patch.checkpointStep ?? row.checkpoint_step,
          patch.message === undefined ? row.message : patch.message,
          new Date().toISOString(),
          id,
        );
    });
  }

  /** The project's newest run, if it ever trained. */
  latest(): TrainingRunRecord | undefined {
    return this.transaction(() => {
      const row = this.statements.get('SELECT * FROM training_run ORDER BY id DESC LIMIT 1').get() as TrainingRunRow | undefined;
      return row && toRecord(row);
    });
  }
}
