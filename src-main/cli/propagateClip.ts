/**
 * One clip through the propagation protocol from its first-frame mask to DAVIS PNGs: what `propagate` runs, and
 * what `bench davis` runs per sequence.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './cliCommand.ts';
import { readClipFeaturesNpy } from '../core/engine/clipFeatures.ts';
import { decodePrediction, encodeLabelMap } from '../core/engine/labelEncoding.ts';
import type { PropagationSettings } from '../core/engine/propagationKernel.ts';
import { createKernelRunner, type KernelKind } from '../core/engine/kernelRunners.ts';
import { readIndexedPng, writeIndexedPng } from '../core/formats/png.ts';
import { type ClipFeatureSource, type ClipPipeline, openClipPipeline, openStandaloneStream, propagateForward, type StandaloneStream } from '../core/pipeline/clipPipeline.ts';
import { probeSource } from '../core/video/index.ts';

const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Latest modification time of a clip: the file's, or the newest of a folder's frames and the folder itself. */
function sourceModified(sourcePath: string, files?: string[]): number {
  let latest = statSync(sourcePath).mtimeMs;
  for (const file of files ?? []) latest = Math.max(latest, statSync(file).mtimeMs);
  return Math.round(latest);
}

export interface PropagateClipOptions {
  labelsFile: string;
  outDir: string;
  featuresFile?: string;
  framesPath?: string;
  /** Stream spec (see featureStreams.ts); ignored with featuresFile. */
  stream: string;
  cacheRoot?: string;
  settings: PropagationSettings;
  threads: number;
  kernel?: KernelKind;
  /** Progress lines to stderr (default true). */
  verbose?: boolean;
}

export async function propagateClip(options: PropagateClipOptions) {
  const { labelsFile, outDir, featuresFile, framesPath, cacheRoot, settings, threads } = options;
  const streamName = options.stream;
  const first = readIndexedPng(labelsFile);
  const { labelSet, labels } = encodeLabelMap(first);

  let clip: ClipFeatureSource;
  let opened: StandaloneStream | undefined;
  let pipeline: ClipPipeline | undefined;
  if (featuresFile) {
    const npy = readClipFeaturesNpy(featuresFile);
    if (npy.height !== labels.height || npy.width !== labels.width) {
      throw new UsageError(`features are ${npy.width}×${npy.height} cells but ${labelsFile} needs ${labels.width}×${labels.height}`);
    }
    clip = { frameCount: npy.frameCount, features: (t) => npy.frame(t) };
  } else {
    const info = await probeSource(framesPath!);
    if (info.width !== first.width || info.height !== first.height) {
      throw new UsageError(`frames are ${info.width}×${info.height} but ${labelsFile} is ${first.width}×${first.height}`);
    }
    opened = await openStandaloneStream(streamName, { threads, appRoot, allowModelFiles: true });
    const identity = { frames: info.path, frameCount: info.frameCount, width: info.width, height: info.height, modified: sourceModified(info.path, info.files) };
    clip = pipeline = openClipPipeline({ frames: info, stream: opened.stream, input: { kind: 'reference' }, cache: cacheRoot ? { root: resolve(cacheRoot), identity } : undefined });
  }

  mkdirSync(outDir, { recursive: true });
  const runner = createKernelRunner({ threads, kind: options.kernel });
  const { frameCount } = clip;
  const start = performance.now();
  try {
    await propagateForward(clip, {
      from: 0,
      to: frameCount - 1,
      labels,
      settings,
      runner,
      onFrame: (frameIndex, result) => {
        const indices = decodePrediction(result.labels, labelSet, first.width, first.height);
        writeIndexedPng(join(outDir, `${String(frameIndex).padStart(5, '0')}.png`), { width: first.width, height: first.height, indices });
      },
      onProgress: ({ done, total }) => {
        if (options.verbose !== false) process.stderr.write(`frame ${done}/${total}  ${((performance.now() - start) / done).toFixed(0)} ms/frame\n`);
      },
    });
  } finally {
    pipeline?.close();
    await opened?.release();
  }
  const ms = performance.now() - start;
  const cache = pipeline?.cache;
  return {
    frames: frameCount,
    ms: Math.round(ms),
    msPerFrame: Math.round(ms / frameCount),
    out: outDir,
    stream: featuresFile ? 'npy' : streamName,
    ...(opened ? { streamDescription: opened.stream.description, device: opened.device } : {}),
    ...(cache ? { cache: { folder: cache.folder, ...cache.stats } } : {}),
    threads: runner.threads,
    settings,
    labelIds: labelSet.ids,
  };
}
