import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type IndexedImage, readIndexedPng } from '../formats/png.ts';
import { emptyMask, labelBoxes, maskOfId } from './binaryMask.ts';
import { boundaryFMeasure, jaccard } from './davisMetrics.ts';
import { EvalError } from './evalError.ts';

/** Per-frame J and F of one object over the scored frames 1..T−2 of a sequence. */
export interface DavisObjectFrames {
  /** object id in the annotation PNGs (1-based) */
  objectId: number;
  /** file names without `.png` of the scored frames, e.g. `00001` */
  frameNames: string[];
  jPerFrame: Float64Array;
  fPerFrame: Float64Array;
}

export interface DavisSequenceFrames {
  sequence: string;
  objects: DavisObjectFrames[];
}

export interface DavisSequenceInput {
  /** `<root>/Annotations/480p/<sequence>` holding `%05d.png` index PNGs */
  annotationsDir: string;
  /** folder holding `<sequence>/<frame>.png` result PNGs */
  resultsDir: string;
  sequence: string;
  /** called after each scored frame */
  onFrame?: (scoredIndex: number, scoredCount: number) => void;
}

const VOID_ID = 255;

function readLabels(file: string, missingWhat: string): IndexedImage {
  if (!existsSync(file)) throw new EvalError('MISSING_FILE', `${missingWhat} is missing`, file);
  return readIndexedPng(file);
}

/** SPEC §1.2 QUIRK: void (255) becomes background and is NOT ignored in the semi-supervised protocol. */
function clearVoid(ids: Uint8Array): Uint8Array {
  for (let i = 0; i < ids.length; i++) if (ids[i] === VOID_ID) ids[i] = 0;
  return ids;
}

function maxId(ids: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] > max) max = ids[i];
  return max;
}

/** Sorted frame names (without `.png`) of a sequence's annotation folder, as the reference's sorted glob. */
export function listAnnotationFrames(annotationsDir: string): string[] {
  if (!existsSync(annotationsDir)) throw new EvalError('MISSING_FILE', 'annotation folder of the sequence is missing', annotationsDir);
  return readdirSync(annotationsDir)
    .filter((name) => name.endsWith('.png'))
    .sort()
    .map((name) => name.slice(0, -'.png'.length));
}

/**
 * Scores one sequence as davis2017-evaluation's semi-supervised path (SPEC §1.2): the object count comes from the
 * first GT frame only, the first and last frames are not scored, result ids above that count abort, missing ids
 * are scored against empty masks. Frames are streamed one at a time, so memory stays at a few frames.
 */
export function evaluateDavisSequence(input: DavisSequenceInput): DavisSequenceFrames {
  const { annotationsDir, resultsDir, sequence } = input;
  const frameNames = listAnnotationFrames(annotationsDir);
  if (frameNames.length < 3) {
    throw new EvalError(
      'BAD_INPUT',
      `sequence "${sequence}" has ${frameNames.length} annotated frames; frames 1..T-2 are scored, so at least 3 are needed`,
      annotationsDir,
    );
  }
  const first = readLabels(join(annotationsDir, `${frameNames[0]}.png`), 'first annotation frame');
  const objectCount = maxId(clearVoid(first.indices));
  const scoredNames = frameNames.slice(1, -1);
  const objects: DavisObjectFrames[] = [];
  for (let o = 0; o < objectCount; o++) {
    objects.push({
      objectId: o + 1,
      frameNames: scoredNames,
      jPerFrame: new Float64Array(scoredNames.length),
      fPerFrame: new Float64Array(scoredNames.length),
    });
  }
  scoredNames.forEach((name, scoredIndex) => {
    const gtFile = join(annotationsDir, `${name}.png`);
    const gt = readLabels(gtFile, 'annotation frame');
    if (gt.width !== first.width || gt.height !== first.height) {
      throw new EvalError('SIZE_MISMATCH', `annotation is ${gt.width}×${gt.height}, the first frame is ${first.width}×${first.height}`, gtFile);
    }
    clearVoid(gt.indices);
    const resultFile = join(resultsDir, sequence, `${name}.png`);
    const result = readLabels(resultFile, `result frame ${name} of sequence "${sequence}"`);
    if (result.width !== gt.width || result.height !== gt.height) {
      throw new EvalError('SIZE_MISMATCH', `result is ${result.width}×${result.height}, the annotation is ${gt.width}×${gt.height}`, resultFile);
    }
    const gtBoxes = labelBoxes(gt.indices, gt.width, gt.height);
    const resultBoxes = labelBoxes(result.indices, gt.width, gt.height);
    const resultMax = resultBoxes.findLastIndex((box) => box !== undefined);
    if (resultMax > objectCount) {
      throw new EvalError(
        'TOO_MANY_OBJECTS',
        `result contains object id ${resultMax} but the first annotation frame of "${sequence}" has only ${objectCount} object(s)`,
        resultFile,
      );
    }
    for (const object of objects) {
      const id = object.objectId;
      const { width, height } = gt;
      const gtMask = gtBoxes[id] ? maskOfId(gt.indices, width, height, id, gtBoxes[id]) : emptyMask(width, height);
      const resultMask = resultBoxes[id] ? maskOfId(result.indices, width, height, id, resultBoxes[id]) : emptyMask(width, height);
      object.jPerFrame[scoredIndex] = jaccard(gtMask, resultMask);
      object.fPerFrame[scoredIndex] = boundaryFMeasure(resultMask, gtMask);
    }
    input.onFrame?.(scoredIndex, scoredNames.length);
  });
  return { sequence, objects };
}
