import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MatFileError, readMatFile } from '../formats/matFile.ts';
import { decodeRgbPng } from '../formats/png.ts';
import { EvalError } from './evalError.ts';
import { computePck, JHMDB_JOINT_COUNT, PCK_THRESHOLDS, type PoseSequence } from './pck.ts';

export { PCK_THRESHOLDS } from './pck.ts';

/**
 * Keypoint results file (what `propagate-pose` writes, what `eval jhmdb` reads):
 * `{"videos": {"<class>/<video>": {"width": W, "height": H, "keypoints": T×15×[x, y]}}}` with x, y in pixels of
 * the original frame, 0-based (pixel centre of the top-left pixel = (0, 0)), one entry per frame from frame 0
 * (`00001.png`); a joint with x < 0 (write (−1, −1)) is not visible. W, H are the original frame size.
 */
export interface JhmdbVideoKeypoints {
  width: number;
  height: number;
  /** T×15×[x, y] */
  keypoints: number[][][];
}

export interface JhmdbReport {
  /** percent, one per PCK_THRESHOLDS entry, mean over the 15 joints */
  pck: number[];
  /** percent, [threshold][joint] */
  perJoint: number[][];
  videoCount: number;
  /** frames scored (frame 0 of each video excluded) */
  scoredFrameCount: number;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Validates and converts the results JSON; every error names the file and the video. */
export function parseJhmdbResults(text: string, file: string): Map<string, { width: number; height: number; pose: PoseSequence }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EvalError('BAD_INPUT', `not valid JSON (${(error as Error).message})`, file);
  }
  const videos = (json as { videos?: unknown })?.videos;
  if (typeof videos !== 'object' || videos === null || Array.isArray(videos)) {
    throw new EvalError('BAD_INPUT', 'expected {"videos": {"<class>/<video>": {...}}}', file);
  }
  const parsed = new Map<string, { width: number; height: number; pose: PoseSequence }>();
  for (const [key, value] of Object.entries(videos)) {
    const fail = (problem: string): never => {
      throw new EvalError('BAD_INPUT', `video "${key}": ${problem}`, file);
    };
    const segments = key.split('/');
    if (segments.length !== 2 || segments.some((s) => s === '' || s === '.' || s === '..')) fail('the key must be "<class>/<video>"');
    const { width, height, keypoints } = (value ?? {}) as Partial<JhmdbVideoKeypoints>;
    if (!isNumber(width) || !isNumber(height) || width <= 0 || height <= 0) fail('"width" and "height" must be positive numbers');
    if (!Array.isArray(keypoints) || keypoints.length === 0) fail('"keypoints" must be a non-empty T×15×[x, y] array');
    const coordinates = new Float64Array(keypoints!.length * JHMDB_JOINT_COUNT * 2);
    keypoints!.forEach((frame, frameIndex) => {
      if (!Array.isArray(frame) || frame.length !== JHMDB_JOINT_COUNT) fail(`frame ${frameIndex} must hold ${JHMDB_JOINT_COUNT} [x, y] pairs`);
      frame.forEach((point, joint) => {
        if (!Array.isArray(point) || point.length !== 2 || !isNumber(point[0]) || !isNumber(point[1])) {
          fail(`frame ${frameIndex}, joint ${joint} must be [x, y] numbers`);
        }
        coordinates.set(point, (frameIndex * JHMDB_JOINT_COUNT + joint) * 2);
      });
    });
    parsed.set(key, { width: width!, height: height!, pose: { frameCount: keypoints!.length, jointCount: JHMDB_JOINT_COUNT, coordinates } });
  }
  if (parsed.size === 0) throw new EvalError('BAD_INPUT', 'no videos in the results', file);
  return parsed;
}

/** GT keypoints of `<class>/<video>`: `pos_img` (2×15×T, 1-based) minus 1 (SPEC §3.4). */
export function readJhmdbGroundTruth(jhmdbRoot: string, videoKey: string): PoseSequence {
  const file = join(jhmdbRoot, 'joint_positions', videoKey, 'joint_positions.mat');
  if (!existsSync(file)) throw new EvalError('MISSING_FILE', `ground truth of video "${videoKey}" is missing`, file);
  // Official files also hold scale/viewpoint variables we do not need, whatever their type.
  const positions = readMatFile(file, { skipUnsupported: true }).get('pos_img');
  if (!positions) throw new MatFileError('BAD_INPUT', 'no pos_img variable', file);
  const [rows, joints, frames] = positions.dims;
  if (rows !== 2 || joints !== JHMDB_JOINT_COUNT || positions.dims.length > 3) {
    throw new MatFileError('BAD_INPUT', `pos_img is ${positions.dims.join('×')}, expected 2×${JHMDB_JOINT_COUNT}×T`, file);
  }
  // Column-major 2×15×T is already T×15×[x, y] in memory.
  return { frameCount: frames ?? 1, jointCount: JHMDB_JOINT_COUNT, coordinates: positions.data.map((v) => v - 1) };
}

/** Scores a results file against `<root>/joint_positions`, pooling all videos as eval_pck.py. */
export function evaluateJhmdbResults(input: { jhmdbRoot: string; resultsFile: string }): JhmdbReport {
  const results = parseJhmdbResults(readFileSync(input.resultsFile, 'utf8'), input.resultsFile);
  const videos: Array<{ gt: PoseSequence; prediction: PoseSequence }> = [];
  for (const [key, { width, height, pose }] of results) {
    const gt = readJhmdbGroundTruth(input.jhmdbRoot, key);
    const firstFrame = join(input.jhmdbRoot, 'Rename_Images', key, '00001.png');
    if (existsSync(firstFrame)) {
      const image = decodeRgbPng(readFileSync(firstFrame), firstFrame);
      if (image.width !== width || image.height !== height) {
        throw new EvalError('SIZE_MISMATCH', `video "${key}" is ${width}×${height} in the results but ${firstFrame} is ${image.width}×${image.height}`, input.resultsFile);
      }
    }
    if (gt.frameCount !== pose.frameCount) {
      throw new EvalError('FRAME_COUNT_MISMATCH', `video "${key}" has ${pose.frameCount} frames of keypoints, the ground truth has ${gt.frameCount}`, input.resultsFile);
    }
    videos.push({ gt, prediction: pose });
  }
  const perThreshold = computePck(videos, PCK_THRESHOLDS);
  return {
    pck: perThreshold.map((r) => r.mean),
    perJoint: perThreshold.map((r) => r.perJoint),
    videoCount: videos.length,
    scoredFrameCount: videos.reduce((sum, v) => sum + v.gt.frameCount - 1, 0),
  };
}
