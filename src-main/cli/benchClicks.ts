/**
 * `bench clicks`: the interactive-segmentation protocol (clickProtocol.ts) on DAVIS frames, for each engine in the
 * same run: NoC@85/90 (clicks to reach IoU 0.85/0.90, max-clicks when never), IoU after 1/3/5 clicks, ms per click
 * (features cached beforehand, as in the app, where the frame's features are usually cached already).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { UsageError } from './cliCommand.ts';
import { FeatureCache, featureCacheKey } from '../core/engine/featureCache.ts';
import type { FeatureMap, RgbFrame } from '../core/engine/featureMap.ts';
import { decodeImageLikeOpenCv } from '../core/engine/jpegFrames.ts';
import { readIndexedPng } from '../core/formats/png.ts';
import { maskIou, nextClick } from '../core/interactive/clickProtocol.ts';
import { type SegmentationClick, segmentByClicks } from '../core/interactive/clickSegmentation.ts';
import { openFeatureStream } from '../core/models/featureStreams.ts';
import { OnnxSessionPool } from '../core/models/onnxRuntime.ts';

export interface ClickBenchFrame {
  sequence: string;
  frameIndex: number;
  frame: RgbFrame;
  truth: Uint8Array;
  features?: FeatureMap;
}

export interface ClickRunResult {
  /** IoU after each click (index 0 = after the first click). */
  ious: number[];
  clickMs: number[];
  /** CPU time of this process per click (the machine may be shared: wall time then waits for other work). */
  clickCpuMs: number[];
  clicks: SegmentationClick[];
}

/** Clicks on one frame by the protocol until IoU ≥ `stopIou` or `maxClicks`, starting from `startMask` if given. */
export function runClickProtocol(
  frame: ClickBenchFrame, maxClicks: number, stopIou: number, useFeatures: boolean, startMask?: Uint8Array,
): ClickRunResult {
  const { width, height } = frame.frame;
  const clicks: SegmentationClick[] = [];
  const ious: number[] = [];
  const clickMs: number[] = [];
  const clickCpuMs: number[] = [];
  let mask = startMask ?? new Uint8Array(width * height);
  for (let n = 0; n < maxClicks; n++) {
    const click = nextClick(mask, frame.truth, width, height);
    if (!click) break;
    clicks.push(click);
    const started = performance.now();
    const cpu = process.cpuUsage();
    mask = segmentByClicks({ frame: frame.frame, features: useFeatures ? frame.features : undefined, clicks, previousMask: n > 0 || startMask ? mask : undefined });
    clickMs.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    clickCpuMs.push((used.user + used.system) / 1000);
    ious.push(maskIou(mask, frame.truth));
    if (ious[ious.length - 1] >= stopIou) break;
  }
  return { ious, clickMs, clickCpuMs, clicks };
}

/** Clicks needed to reach `threshold` (maxClicks when never). */
export function clicksToReach(ious: number[], threshold: number, maxClicks: number): number {
  const index = ious.findIndex((iou) => iou >= threshold);
  return index < 0 ? maxClicks : index + 1;
}

/** IoU after n clicks; a run that stopped early keeps its last IoU. */
export function iouAfter(ious: number[], clicks: number): number {
  if (ious.length === 0) return 0;
  return ious[Math.min(clicks, ious.length) - 1];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}

export interface EngineSummary {
  engine: string;
  frames: number;
  NoC85: number;
  NoC90: number;
  iouAfter: { 1: number; 3: number; 5: number };
  msPerClickMedian: number;
  cpuMsPerClickMedian: number;
  perFrame: Record<string, { NoC85: number; NoC90: number; iou: number[] }>;
}

/** Runs every frame through the protocol (up to IoU 0.90 or maxClicks, IoU 1/3/5 taken before stopping). */
export function summarizeEngine(engine: string, frames: ClickBenchFrame[], maxClicks: number, useFeatures: boolean): EngineSummary {
  const perFrame: EngineSummary['perFrame'] = {};
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let noc85 = 0;
  let noc90 = 0;
  const after = { 1: 0, 3: 0, 5: 0 };
  for (const frame of frames) {
    // Every click up to maxClicks (IoU may still fall after reaching 0.90; NoC counts the first time it is reached).
    const run = runClickProtocol(frame, maxClicks, 2, useFeatures);
    const ious = run.ious;
    const n85 = clicksToReach(ious, 0.85, maxClicks);
    const n90 = clicksToReach(ious, 0.9, maxClicks);
    noc85 += n85;
    noc90 += n90;
    for (const k of [1, 3, 5] as const) after[k] += iouAfter(ious, k);
    times.push(...run.clickMs);
    cpuTimes.push(...run.clickCpuMs);
    perFrame[`${frame.sequence}/${frame.frameIndex}`] = { NoC85: n85, NoC90: n90, iou: ious.map((iou) => Math.round(iou * 1000) / 1000) };
    process.stderr.write(`${engine} ${frame.sequence}/${frame.frameIndex}: NoC85 ${n85}, NoC90 ${n90}, IoU ${ious.map((iou) => iou.toFixed(2)).join(' ')}, ${median(run.clickMs).toFixed(0)} ms/click\n`);
  }
  const count = frames.length;
  return {
    engine,
    frames: count,
    NoC85: noc85 / count,
    NoC90: noc90 / count,
    iouAfter: { 1: after[1] / count, 3: after[3] / count, 5: after[5] / count },
    msPerClickMedian: median(times),
    cpuMsPerClickMedian: median(cpuTimes),
    perFrame,
  };
}

export interface LoadFramesOptions {
  root: string;
  sequences: string[];
  frameIndices: number[];
  stream: string;
  appRoot: string;
  threads: number;
  cacheRoot?: string;
}

/** DAVIS frames with their object masks (any non-zero label) and the stream's features (through a feature cache). */
export async function loadClickFrames(options: LoadFramesOptions): Promise<{ frames: ClickBenchFrame[]; streamDescription: string; featureMs: number[] }> {
  const pool = new OnnxSessionPool({ threads: options.threads, allowCuda: false });
  try {
    const stream = await openFeatureStream(options.stream, { pool, appRoot: options.appRoot, allowModelFiles: true });
    const frames: ClickBenchFrame[] = [];
    const featureMs: number[] = [];
    for (const sequence of options.sequences) {
      const imageFolder = join(options.root, 'JPEGImages', '480p', sequence);
      const maskFolder = join(options.root, 'Annotations', '480p', sequence);
      const images = readdirSync(imageFolder).filter((name) => /\.jpe?g$/i.test(name)).sort();
      const masks = readdirSync(maskFolder).filter((name) => name.endsWith('.png')).sort();
      for (const frameIndex of options.frameIndices) {
        if (!images[frameIndex] || !masks[frameIndex]) throw new UsageError(`${sequence} has no frame ${frameIndex} with an annotation`);
        const frame = await decodeImageLikeOpenCv(join(imageFolder, images[frameIndex]));
        const labels = readIndexedPng(join(maskFolder, masks[frameIndex]));
        if (labels.width !== frame.width || labels.height !== frame.height) throw new UsageError(`${join(maskFolder, masks[frameIndex])} is not the size of its frame`);
        const truth = new Uint8Array(labels.indices.length);
        for (let i = 0; i < truth.length; i++) truth[i] = labels.indices[i] !== 0 && labels.indices[i] !== 255 ? 1 : 0;
        const key = featureCacheKey({ frames: join(imageFolder, images[frameIndex]), frameCount: 1, width: frame.width, height: frame.height, modified: 0, stream: stream.id, models: stream.modelHashes.join(',') });
        const cache = new FeatureCache(options.cacheRoot ?? join(tmpdir(), 'correspond-bench-clicks'), key);
        const started = performance.now();
        const features = await cache.get(0, () => stream.extract(frame));
        featureMs.push(performance.now() - started);
        frames.push({ sequence, frameIndex, frame, truth, features });
      }
    }
    return { frames, streamDescription: stream.description, featureMs };
  } finally {
    await pool.release();
  }
}
