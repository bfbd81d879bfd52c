import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DavisStatistics, davisStatistics } from './davisStatistics.ts';
import { type DavisObjectFrames, evaluateDavisSequence } from './davisSequence.ts';

/** One scored object: the reference names it `<sequence>_<objectId>`. */
export interface DavisObjectResult extends DavisObjectFrames {
  sequence: string;
  name: string;
  j: DavisStatistics;
  f: DavisStatistics;
}

/** Global numbers, fractions 0..1; each is the mean over all objects of all sequences (SPEC §1.6). */
export interface DavisGlobal {
  JF: number;
  J: number;
  JRecall: number;
  JDecay: number;
  F: number;
  FRecall: number;
  FDecay: number;
}

export interface DavisReport {
  global: DavisGlobal;
  /** per sequence: means over its objects of J-Mean and F-Mean, JF = their average */
  sequences: Record<string, { JF: number; J: number; F: number }>;
  objects: DavisObjectResult[];
}

export interface DavisEvaluationInput {
  /** DAVIS root holding `Annotations/480p/<sequence>` */
  davisRoot: string;
  /** folder of `<sequence>/<frame>.png` results */
  resultsDir: string;
  sequences: string[];
  onProgress?: (event: { sequence: string; sequenceIndex: number; sequenceCount: number; scoredIndex: number; scoredCount: number }) => void;
}

/** Sequences the official tool would score: `ImageSets/2017/val.txt` of the root, one name per line. */
export function readDavisValSequences(davisRoot: string): string[] | undefined {
  const file = join(davisRoot, 'ImageSets', '2017', 'val.txt');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Plain mean (np.mean): one NaN object makes the global number NaN, as in the reference. */
function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function summariseDavis(objects: DavisObjectResult[]): DavisReport {
  const jMean = mean(objects.map((o) => o.j.mean));
  const fMean = mean(objects.map((o) => o.f.mean));
  const global: DavisGlobal = {
    JF: (jMean + fMean) / 2,
    J: jMean,
    JRecall: mean(objects.map((o) => o.j.recall)),
    JDecay: mean(objects.map((o) => o.j.decay)),
    F: fMean,
    FRecall: mean(objects.map((o) => o.f.recall)),
    FDecay: mean(objects.map((o) => o.f.decay)),
  };
  const sequences: DavisReport['sequences'] = {};
  for (const sequence of new Set(objects.map((o) => o.sequence))) {
    const own = objects.filter((o) => o.sequence === sequence);
    const j = mean(own.map((o) => o.j.mean));
    const f = mean(own.map((o) => o.f.mean));
    sequences[sequence] = { JF: (j + f) / 2, J: j, F: f };
  }
  return { global, sequences, objects };
}

/** Scores every sequence (SPEC §1.2–1.6), one after another, frames streamed. */
export function evaluateDavis(input: DavisEvaluationInput): DavisReport {
  const objects: DavisObjectResult[] = [];
  input.sequences.forEach((sequence, sequenceIndex) => {
    const frames = evaluateDavisSequence({
      annotationsDir: join(input.davisRoot, 'Annotations', '480p', sequence),
      resultsDir: input.resultsDir,
      sequence,
      onFrame: (scoredIndex, scoredCount) =>
        input.onProgress?.({ sequence, sequenceIndex, sequenceCount: input.sequences.length, scoredIndex, scoredCount }),
    });
    for (const object of frames.objects) {
      objects.push({
        ...object,
        sequence,
        name: `${sequence}_${object.objectId}`,
        j: davisStatistics(object.jPerFrame),
        f: davisStatistics(object.fPerFrame),
      });
    }
  });
  return summariseDavis(objects);
}
