/**
 * One clip through the propagation protocol from its first-frame mask to DAVIS PNGs: what `propagate` runs, and
 * what `bench davis` runs per sequence.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './cliCommand.ts';
import { readClipFeaturesNpy } from '../core/engine/clipFeatures.ts';
import { FeatureCache, featureCacheKey } from '../core/engine/featureCache.ts';
import type { FeatureMap } from '../core/engine/featureMap.ts';
import { decodeImageLikeOpenCv } from '../core/engine/jpegFrames.ts';
import { decodePrediction, encodeLabelMap } from '../core/engine/labelEncoding.ts';
import type { PropagationSettings } from '../core/engine/propagationKernel.ts';
import { PropagationSession } from '../core/engine/propagationSession.ts';
import { createKernelRunner, type KernelKind } from '../core/engine/kernelRunners.ts';
import { readIndexedPng, writeIndexedPng } from '../core/formats/png.ts';
import { openFeatureStream, type OpenedStream } from '../core/models/featureStreams.ts';
import { OnnxSessionPool } from '../core/models/onnxRuntime.ts';
import { FrameSource, probeSource } from '../core/video/index.ts';

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

  let frameCount: number;
  let features: (frameIndex: number) => FeatureMap | Promise<FeatureMap>;
  let source: FrameSource | undefined;
  let pool: OnnxSessionPool | undefined;
  let stream: OpenedStream | undefined;
  let cache: FeatureCache | undefined;
  if (featuresFile) {
    const clip = readClipFeaturesNpy(featuresFile);
    if (clip.height !== labels.height || clip.width !== labels.width) {
      throw new UsageError(`features are ${clip.width}×${clip.height} cells but ${labelsFile} needs ${labels.width}×${labels.height}`);
    }
    frameCount = clip.frameCount;
    features = (t) => clip.frame(t);
  } else {
    const info = await probeSource(framesPath!);
    if (info.width !== first.width || info.height !== first.height) {
      throw new UsageError(`frames are ${info.width}×${info.height} but ${labelsFile} is ${first.width}×${first.height}`);
    }
    pool = new OnnxSessionPool({ threads });
    const opened = await openFeatureStream(streamName, { pool, appRoot, allowModelFiles: true });
    stream = opened;
    frameCount = info.frameCount;
    const files = info.files;
    let extract: (t: number) => Promise<FeatureMap>;
    if (info.kind === 'images' && files && files.every((file) => /\.jpe?g$/i.test(file))) {
      // JPEG folders: decode like the reference's OpenCV/libjpeg (SPEC §5.7), not through swscale.
      extract = async (t) => opened.extract(await decodeImageLikeOpenCv(files[t]));
    } else {
      source = new FrameSource(info);
      extract = async (t) => opened.extract(await source!.getFrame(t));
    }
    if (cacheRoot) {
      const key = featureCacheKey({ frames: info.path, frameCount, width: info.width, height: info.height, modified: sourceModified(info.path, files), stream: opened.id, models: opened.modelHashes.join(',') });
      const clipCache = new FeatureCache(resolve(cacheRoot), key);
      cache = clipCache;
      features = (t) => clipCache.get(t, () => extract(t));
    } else {
      features = extract;
    }
  }

  mkdirSync(outDir, { recursive: true });
  const runner = createKernelRunner({ threads, kind: options.kernel });
  const session = new PropagationSession({ frameCount, features, settings, runner });
  const start = performance.now();
  try {
    session.setKeyframe(0, labels);
    await session.propagate({
      from: 0,
      to: frameCount - 1,
      direction: 'forward',
      onFrame: (frameIndex, result) => {
        const indices = decodePrediction(result.labels, labelSet, first.width, first.height);
        writeIndexedPng(join(outDir, `${String(frameIndex).padStart(5, '0')}.png`), { width: first.width, height: first.height, indices });
      },
      onProgress: ({ done, total }) => {
        if (options.verbose !== false) process.stderr.write(`frame ${done}/${total}  ${((performance.now() - start) / done).toFixed(0)} ms/frame\n`);
      },
    });
  } finally {
    await session.close();
    source?.close();
    await pool?.release();
  }
  const ms = performance.now() - start;
  return {
    frames: frameCount,
    ms: Math.round(ms),
    msPerFrame: Math.round(ms / frameCount),
    out: outDir,
    stream: featuresFile ? 'npy' : streamName,
    ...(stream ? { streamDescription: stream.description, device: pool!.describeComputeDevice().label } : {}),
    ...(cache ? { cache: { folder: cache.folder, ...cache.stats } } : {}),
    threads: runner.threads,
    settings,
    labelIds: labelSet.ids,
  };
}
