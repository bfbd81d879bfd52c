/**
 * The clip pipeline: one clip's frames → feature stream → feature cache → the features (and shared first-frame
 * selections) a PropagationSession reads. The app's propagation service, `correspond propagate`, `propagate-pose`
 * and the benches open clips only here, so a change to how features reach the engine lands once.
 */
import { bilinearResize } from '../engine/bilinearResize.ts';
import { FeatureCache, featureCacheKey } from '../engine/featureCache.ts';
import type { FeatureMap } from '../engine/featureMap.ts';
import type { SelectionCache } from '../engine/frameSelection.ts';
import { decodeImageLikeOpenCv } from '../engine/jpegFrames.ts';
import type { KernelRunner } from '../engine/kernelRunner.ts';
import type { PropagationSettings } from '../engine/propagationKernel.ts';
import { type FeatureProvider, type FrameResult, PropagationSession, type SessionOptions, type SoftLabels } from '../engine/propagationSession.ts';
import { pixelsFeaturesFromUnitRgb } from '../engine/pixelsStream.ts';
import { openFeatureStream, type OpenedStream } from '../models/featureStreams.ts';
import { OnnxSessionPool } from '../models/onnxRuntime.ts';
import { FrameSource, type RgbFrame, type SourceInfo } from '../video/index.ts';

/** How a clip's frames are decoded and shaped before the stream sees them. */
export type ClipInput =
  /** Frames as ffmpeg decodes them (the app). */
  | { kind: 'decoded' }
  /** JPEG folders decoded like the reference's OpenCV/libjpeg (SPEC §5.7); anything else as ffmpeg decodes it. */
  | { kind: 'reference' }
  /**
   * SPEC §3.2 (pose): RGB/255 resized bilinearly to size×size. The pixels stream reads that float frame, as the
   * reference does; model streams take it rounded back to 8-bit RGB.
   */
  | { kind: 'resized'; size: number };

export interface ClipPipelineOptions {
  /** The clip's frames: a probe result (`probeSource`) or what a project stored (`sourceInfoOf`). */
  frames: SourceInfo;
  stream: OpenedStream;
  /** Default `{ kind: 'decoded' }`. */
  input?: ClipInput;
  /**
   * Float16 feature cache in `root/<key>/`, the key made of `identity` (what names the clip's frames: path, size,
   * count, modification or clip id) and the stream (id and model hashes).
   */
  cache?: { root: string; identity: Record<string, string | number> };
  /** First-frame selections shared by every session of this clip and stream (needs `cache`: its key names the features). */
  selections?: SelectionCache;
}

/** What a session needs of a clip: a pipeline, or features a research user brings (`readClipFeaturesNpy`). */
export interface ClipFeatureSource {
  readonly frameCount: number;
  /** Features of a frame, L2-normalised over channels. */
  readonly features: FeatureProvider;
  readonly selections?: SessionOptions['selections'];
}

export interface ClipPipeline extends ClipFeatureSource {
  readonly stream: OpenedStream;
  /** The feature cache the features go through, when there is one. */
  readonly cache?: FeatureCache;
  /** One decoded frame (RGB, the frame the features are extracted from). */
  frame(frameIndex: number): Promise<RgbFrame>;
  /** Closes the decoder. */
  close(): void;
}

/** A session over a clip's features and shared selections; its close() closes `runner`. */
export function newClipSession(clip: ClipFeatureSource, settings: PropagationSettings, runner: KernelRunner): PropagationSession {
  return new PropagationSession({ frameCount: clip.frameCount, features: clip.features, settings, runner, selections: clip.selections });
}

const isJpeg = (file: string) => /\.jpe?g$/i.test(file);

export function openClipPipeline(options: ClipPipelineOptions): ClipPipeline {
  const { frames, stream } = options;
  const input = options.input ?? { kind: 'decoded' };
  const files = frames.files;
  const likeOpenCv = input.kind === 'reference' && frames.kind === 'images' && files !== undefined && files.every(isJpeg);
  const source = likeOpenCv ? undefined : new FrameSource(frames);
  const frameAt = (frameIndex: number): Promise<RgbFrame> => (source ? source.getFrame(frameIndex) : decodeImageLikeOpenCv(files![frameIndex]));
  const extract =
    input.kind === 'resized'
      ? async (frameIndex: number) => resizedFeatures(await frameAt(frameIndex), input.size, stream)
      : async (frameIndex: number) => stream.extract(await frameAt(frameIndex));

  const key = options.cache && featureCacheKey({ ...options.cache.identity, stream: stream.id, models: stream.modelHashes.join(',') });
  const cache = options.cache && new FeatureCache(options.cache.root, key!);
  const features: FeatureProvider = cache ? (frameIndex) => cache.get(frameIndex, () => extract(frameIndex)) : extract;
  // Sessions of this clip and stream share prepared selections; the feature cache key names the features.
  const selections: SessionOptions['selections'] =
    options.selections && key ? { cache: options.selections, frameKey: (frameIndex) => `${key}/${frameIndex}` } : undefined;
  return { frameCount: frames.frameCount, stream, features, selections, cache, frame: frameAt, close: () => source?.close() };
}

/** SPEC §3.2: float RGB in [0, 1] is resized to size×size with cv2.resize (bilinear) before normalisation. */
function resizedFeatures(frame: RgbFrame, size: number, stream: OpenedStream): Promise<FeatureMap> | FeatureMap {
  const unit = new Float32Array(frame.data.length);
  for (let i = 0; i < unit.length; i++) unit[i] = frame.data[i] / 255;
  const resized = bilinearResize({ width: frame.width, height: frame.height, channels: 3, data: unit }, size, size);
  if (stream.id === 'pixels') return pixelsFeaturesFromUnitRgb(resized);
  // Model streams take 8-bit RGB: the resized frame, rounded back to bytes.
  const bytes = new Uint8Array(resized.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round(resized.data[i] * 255)));
  return stream.extract({ width: size, height: size, data: bytes });
}

/** A stream with an onnxruntime pool of its own, for one command's run; release() frees the pool. */
export interface StandaloneStream {
  stream: OpenedStream;
  /** The compute device's label, for reports. */
  device: string;
  release(): Promise<void>;
}

export async function openStandaloneStream(spec: string, options: { threads: number; appRoot: string; allowModelFiles?: boolean }): Promise<StandaloneStream> {
  const pool = new OnnxSessionPool({ threads: options.threads });
  try {
    const stream = await openFeatureStream(spec, { pool, appRoot: options.appRoot, allowModelFiles: options.allowModelFiles });
    return { stream, device: pool.describeComputeDevice().label, release: () => pool.release() };
  } catch (error) {
    await pool.release();
    throw error;
  }
}

/**
 * One keyframe's labels propagated forward from `from` through `to` in a new session over the pipeline (the
 * reference protocol when `from` is 0 and `to` the last frame); the session and `runner` are closed at the end.
 */
export async function propagateForward(
  clip: ClipFeatureSource,
  options: {
    from: number;
    to: number;
    labels: SoftLabels;
    settings: PropagationSettings;
    runner: KernelRunner;
    signal?: AbortSignal;
    onFrame: (frameIndex: number, result: FrameResult) => void;
    onProgress?: (progress: { done: number; total: number }) => void;
  },
): Promise<void> {
  const session = newClipSession(clip, options.settings, options.runner);
  try {
    session.setKeyframe(options.from, options.labels);
    await session.propagate({ from: options.from, to: options.to, direction: 'forward', signal: options.signal, onFrame: options.onFrame, onProgress: options.onProgress });
  } finally {
    await session.close();
  }
}
