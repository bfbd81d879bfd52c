import { rmSync } from 'node:fs';
import { ApiError } from '../api/apiError.ts';
import type { CallOptions, ClipSummary, ClipsService, FrameImage, Thumbnail } from '../api/contract.ts';
import { throwIfCancelled } from '../base/cancellation.ts';
import { clipFeatureCacheFolder } from '../engine/featureCache.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ClipRecord, JsonObject } from '../store/types.ts';
import { FrameSource, generateThumbnails, keepReadableFrames, probeSource, sourceInfoOf, VideoError, type SourceInfo } from '../video/index.ts';
import { toClipSummary } from './clipSummary.ts';
import { plainBytes } from './plainBytes.ts';

/** Decoders kept open at once; each holds its own bounded LRU of decoded frames. */
const maxOpenFrameSources = 4;
/**
 * Decoded frames the app keeps for scrubbing, counted in bytes across the open clips: 512 MiB, a quarter per clip
 * (about 5 frames of 4K, 100 of 480p, every frame of a small clip). A frame count would hold 1.2 GB per 4K clip.
 */
export const FRAME_CACHE_BYTES = 512 * 1024 * 1024;

export class ProjectClipsService implements ClipsService {
  /** Open decoders by clip id, most recently used last. */
  private readonly frameSources = new Map<string, FrameSource>();

  constructor(private readonly library: ProjectLibrary) {}

  async import(
    args: { projectId: string; sourcePath: string; name?: string },
    options: CallOptions = {},
  ): Promise<ClipSummary> {
    const { signal, onProgress } = options;
    const store = this.library.open(args.projectId);
    // Probe + verify first; the project is touched only by the single transaction at the end, so a bad file or a
    // cancel leaves it unchanged.
    onProgress?.({ done: 0, total: 100, message: 'Reading the source…' });
    let info = await probeSource(args.sourcePath, { signal });
    onProgress?.({ done: 10, total: 100, message: `${info.frameCount} frames, ${info.width}×${info.height}` });
    const thumbnailsOf = (source: SourceInfo) =>
      generateThumbnails(source, {
        signal,
        onProgress: (progress) =>
          onProgress?.({
            done: 10 + Math.round((85 * progress.done) / Math.max(1, progress.total)),
            total: 100,
            message: 'Making timeline thumbnails…',
          }),
      });
    let thumbnails: Thumbnail[];
    try {
      thumbnails = await thumbnailsOf(info);
    } catch (error) {
      // The last frame decoded on its own, but a decode from the start ends early: keep the frames it yields.
      if (!(error instanceof VideoError && error.code === 'TRUNCATED') || info.kind !== 'video') throw error;
      const readable = await keepReadableFrames(info, signal);
      if (!readable) throw error;
      info = readable;
      thumbnails = await thumbnailsOf(info);
    }
    throwIfCancelled(signal);
    const { files, ...probe } = info;
    const clip = store.transaction(() => {
      const added = store.addClip({
        name: args.name?.trim() || info.name,
        sourcePath: info.path,
        sourceKind: info.kind,
        fps: info.fps,
        width: info.width,
        height: info.height,
        frameCount: info.frameCount,
        ...(files ? { imageFiles: files } : {}),
        sourceDetails: { probe: JSON.parse(JSON.stringify(probe)) as JsonObject },
      });
      store.putThumbnails(added.id, thumbnails);
      return added;
    });
    const lost = info.lostFrameCount ?? 0;
    onProgress?.({ done: 100, total: 100, message: lost ? `Imported ${info.frameCount} frames; ${lost} did not decode.` : 'Imported.' });
    return toClipSummary(clip);
  }

  async rename(args: { projectId: string; clipId: string; name: string }): Promise<ClipSummary> {
    const store = this.library.open(args.projectId);
    this.clipOf(args.projectId, args.clipId);
    return toClipSummary(store.transaction(() => store.renameClip(args.clipId, args.name)));
  }

  async remove(args: { projectId: string; clipId: string }): Promise<void> {
    const store = this.library.open(args.projectId);
    const clip = this.clipOf(args.projectId, args.clipId);
    // A run still writing would lose its frames mid-way (and fail on the missing clip): it is cancelled first.
    if (store.history.status(clip.id).busy) {
      throw new ApiError('BUSY', `A propagation run of "${clip.name}" is still writing: cancel it, then delete the clip.`);
    }
    this.closeFrameSource(clip.id);
    store.transaction(() => store.removeClip(clip.id));
    // Features can be rebuilt, so they go after the clip: a failure here leaves only stale cache files.
    rmSync(clipFeatureCacheFolder(this.library.cacheDir(args.projectId), clip.id), { recursive: true, force: true });
  }

  async getFrame(args: { projectId: string; clipId: string; frameIndex: number }): Promise<FrameImage> {
    const clip = this.clipOf(args.projectId, args.clipId);
    if (args.frameIndex >= clip.frameCount) {
      throw new ApiError('OUT_OF_RANGE', `Frame ${args.frameIndex} is past the end of "${clip.name}" (${clip.frameCount} frames).`);
    }
    const frame = await this.frameSourceOf(clip).getFrame(args.frameIndex);
    return { frameIndex: args.frameIndex, width: frame.width, height: frame.height, rgb: frame.data };
  }

  async getThumbnails(args: { projectId: string; clipId: string }): Promise<Thumbnail[]> {
    const store = this.library.open(args.projectId);
    this.clipOf(args.projectId, args.clipId);
    return store.listThumbnailFrames(args.clipId).map((frameIndex) => ({ frameIndex, jpeg: plainBytes(store.getThumbnail(args.clipId, frameIndex)!) }));
  }

  /** Releases the decoders of a project's clips (before the project is deleted). */
  closeProject(projectId: string): void {
    let clips: ClipRecord[] = [];
    try {
      clips = this.library.open(projectId).listClips();
    } catch {
      return;
    }
    for (const clip of clips) this.closeFrameSource(clip.id);
  }

  dispose(): void {
    for (const source of this.frameSources.values()) source.close();
    this.frameSources.clear();
  }

  private clipOf(projectId: string, clipId: string): ClipRecord {
    const clip = this.library.open(projectId).getClip(clipId);
    if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${clipId}.`);
    return clip;
  }

  private frameSourceOf(clip: ClipRecord): FrameSource {
    let source = this.frameSources.get(clip.id);
    if (source) {
      this.frameSources.delete(clip.id);
    } else {
      source = new FrameSource(sourceInfoOf(clip), { cacheBytes: FRAME_CACHE_BYTES / maxOpenFrameSources });
      if (this.frameSources.size >= maxOpenFrameSources) {
        const [oldestId] = this.frameSources.keys();
        this.closeFrameSource(oldestId);
      }
    }
    this.frameSources.set(clip.id, source);
    return source;
  }

  private closeFrameSource(clipId: string): void {
    this.frameSources.get(clipId)?.close();
    this.frameSources.delete(clipId);
  }
}
