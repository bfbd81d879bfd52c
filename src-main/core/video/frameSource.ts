import { DecodeRun, canSeekByTimestamp, type LocateMode } from './decodeRun.ts';
import { LruCache } from './lruCache.ts';
import type { IndexedRgbFrame, RgbFrame, SourceInfo } from './sourceInfo.ts';
import { CancelledError } from '../base/cancellation.ts';
import { VideoError } from './videoError.ts';

export interface FrameSourceOptions {
  /** Most decoded frames kept in memory; default fits about `cacheBytes`. */
  cacheFrames?: number;
  /** Most bytes of decoded frames kept in memory (default DEFAULT_CACHE_BYTES); at least one frame is kept. */
  cacheBytes?: number;
  /** Consecutive video frames decoded per ffmpeg call on a cache miss (default 16). */
  chunkFrames?: number;
}

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_CHUNK_FRAMES = 16;

interface PendingChunk {
  startIndex: number;
  endIndex: number;
  frames: Promise<Map<number, RgbFrame>>;
}

/** Random and sequential access to the RGB frames of one clip, with a bounded LRU of decoded frames. */
export class FrameSource {
  readonly cacheCapacityFrames: number;
  private readonly chunkFrames: number;
  private readonly cache: LruCache<number, RgbFrame>;
  private readonly pending = new Set<PendingChunk>();
  private readonly running = new Set<DecodeRun>();
  private closed = false;
  /** ffmpeg processes started so far (lets tests see that chunks are shared and reused). */
  decodeProcessCount = 0;

  constructor(
    readonly info: SourceInfo,
    options: FrameSourceOptions = {},
  ) {
    const frameBytes = info.width * info.height * 3;
    // Frames of one clip all have one size, so a frame count is a byte budget; a chunk never outgrows the cache.
    this.cacheCapacityFrames = Math.max(1, Math.floor(options.cacheFrames ?? (options.cacheBytes ?? DEFAULT_CACHE_BYTES) / frameBytes));
    this.chunkFrames = Math.max(1, Math.min(options.chunkFrames ?? DEFAULT_CHUNK_FRAMES, this.cacheCapacityFrames));
    this.cache = new LruCache(this.cacheCapacityFrames);
  }

  /** Indices of the frames currently cached, least recently used first. */
  get cachedFrameIndices(): number[] {
    return this.cache.keys();
  }

  /** Frame `frameIndex` (0-based, the N-th frame a full decode yields) as H×W×3 RGB. */
  async getFrame(frameIndex: number): Promise<RgbFrame> {
    this.checkIndex(frameIndex);
    const cached = this.cache.get(frameIndex);
    if (cached) return cached;
    const covering = [...this.pending].find((chunk) => frameIndex >= chunk.startIndex && frameIndex < chunk.endIndex);
    const chunk = covering ?? this.startChunk(frameIndex);
    const frame = (await chunk.frames).get(frameIndex);
    if (frame) return frame;
    if (this.closed) throw this.closedError();
    // The chunk was started for another frame and ended early; ask again for this one.
    return this.loadChunk(frameIndex, frameIndex, 1, canSeekByTimestamp(this.info) ? 'seek' : 'count').then(
      (frames) => frames.get(frameIndex) ?? Promise.reject(this.missingFrameError(frameIndex)),
    );
  }

  /**
   * Frames `startIndex … startIndex+count-1` in order from a single ffmpeg process (rawvideo on a pipe), for
   * whole-clip passes such as feature extraction. Frames are not cached; breaking out of the loop stops ffmpeg.
   */
  async *readFrames(
    startIndex = 0,
    count = this.info.frameCount - startIndex,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<IndexedRgbFrame> {
    this.checkIndex(startIndex);
    if (!Number.isInteger(count) || count < 0 || startIndex + count > this.info.frameCount) {
      throw new VideoError(
        'FRAME_OUT_OF_RANGE',
        `cannot read ${count} frames from frame ${startIndex}: the clip has ${this.info.frameCount}`,
        this.info.path,
      );
    }
    let nextIndex = startIndex;
    let mode: LocateMode = canSeekByTimestamp(this.info) ? 'seek' : 'count';
    while (nextIndex < startIndex + count) {
      const run = this.startRun({ startIndex: nextIndex, count: startIndex + count - nextIndex, mode, ...options });
      let missed = false;
      try {
        for await (const frame of run.frames()) {
          if (frame.frameIndex >= 0 && frame.frameIndex < nextIndex) continue; // a seek that started early
          if (frame.frameIndex !== nextIndex) {
            missed = true; // the seek landed after the frame or on an unknown time: restart by counting
            break;
          }
          nextIndex += 1;
          yield frame;
          if (nextIndex === startIndex + count) break;
        }
      } finally {
        this.running.delete(run);
      }
      if (options.signal?.aborted) throw new CancelledError(options.signal);
      if (this.closed) throw this.closedError();
      if (!missed && nextIndex < startIndex + count) throw this.missingFrameError(nextIndex);
      if (missed && mode === 'count') throw this.missingFrameError(nextIndex);
      mode = 'count';
    }
  }

  /** Kills running ffmpeg processes and drops the cache; later calls reject with VideoError `CLOSED`. */
  close(): void {
    this.closed = true;
    for (const run of this.running) run.kill(this.closedError());
    this.running.clear();
    this.cache.clear();
  }

  private startChunk(frameIndex: number): PendingChunk {
    const { frameCount } = this.info;
    let startIndex = frameIndex;
    let count = 1;
    if (this.info.kind === 'video') {
      // Stepping backwards (next frame cached, previous not): decode the chunk that ends here instead.
      const steppingBack = this.cache.has(frameIndex + 1) && !this.cache.has(frameIndex - 1);
      startIndex = steppingBack ? Math.max(0, frameIndex - this.chunkFrames + 1) : frameIndex;
      count = Math.min(this.chunkFrames, frameCount - startIndex);
    }
    const mode: LocateMode = canSeekByTimestamp(this.info) ? 'seek' : 'count';
    const chunk: PendingChunk = {
      startIndex,
      endIndex: startIndex + count,
      frames: this.loadChunk(startIndex, frameIndex, count, mode),
    };
    this.pending.add(chunk);
    const forget = () => this.pending.delete(chunk);
    chunk.frames.then(forget, forget);
    return chunk;
  }

  /** Decodes a chunk into the cache; a seek that misses `wantedIndex` is redone by counting frames. */
  private async loadChunk(startIndex: number, wantedIndex: number, count: number, mode: LocateMode) {
    const frames = new Map<number, RgbFrame>();
    const run = this.startRun({ startIndex, count, mode });
    try {
      for await (const { frameIndex, width, height, data } of run.frames()) {
        if (frameIndex < startIndex || frameIndex >= startIndex + count) continue; // seek slack, or unknown time
        const frame: RgbFrame = { width, height, data };
        frames.set(frameIndex, frame);
        if (!this.closed) this.cache.set(frameIndex, frame);
      }
    } finally {
      this.running.delete(run);
    }
    if (this.closed) throw this.closedError();
    if (!frames.has(wantedIndex) && mode === 'seek') {
      const counted = await this.loadChunk(wantedIndex, wantedIndex, Math.min(count, this.info.frameCount - wantedIndex), 'count');
      for (const [frameIndex, frame] of counted) frames.set(frameIndex, frame);
    }
    if (!frames.has(wantedIndex)) throw this.missingFrameError(wantedIndex);
    return frames;
  }

  private startRun(request: ConstructorParameters<typeof DecodeRun>[1]): DecodeRun {
    if (this.closed) throw this.closedError();
    const run = new DecodeRun(this.info, request);
    this.running.add(run);
    this.decodeProcessCount += 1;
    return run;
  }

  private checkIndex(frameIndex: number): void {
    if (this.closed) throw this.closedError();
    if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= this.info.frameCount) {
      throw new VideoError(
        'FRAME_OUT_OF_RANGE',
        `frame ${frameIndex} does not exist: the clip has frames 0…${this.info.frameCount - 1}`,
        this.info.path,
      );
    }
  }

  private closedError(): VideoError {
    return new VideoError('CLOSED', 'the frame source was closed', this.info.path);
  }

  private missingFrameError(frameIndex: number): VideoError {
    const file = this.info.files?.[frameIndex] ?? this.info.path;
    return new VideoError('DECODE_FAILED', `frame ${frameIndex} could not be decoded`, file);
  }
}
