import { ApiError } from '../api/apiError.ts';
import type { CallOptions, ClipSummary, ClipsService, FrameImage, Thumbnail } from '../api/contract.ts';
import { throwIfCancelled } from '../base/cancellation.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ClipRecord, JsonObject } from '../store/types.ts';
import { FrameSource, generateThumbnails, probeSource, sourceInfoOf } from '../video/index.ts';
import { toClipSummary } from './clipSummary.ts';
import { plainBytes } from './plainBytes.ts';

/** Decoders kept open at once; each holds its own bounded LRU of decoded frames. */
const maxOpenFrameSources = 4;
const framesCachedPerSource = 48;

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
    const info = await probeSource(args.sourcePath, { signal });
    onProgress?.({ done: 10, total: 100, message: `${info.frameCount} frames, ${info.width}×${info.height}` });
    const thumbnails = await generateThumbnails(info, {
      signal,
      onProgress: (progress) =>
        onProgress?.({
          done: 10 + Math.round((85 * progress.done) / Math.max(1, progress.total)),
          total: 100,
          message: 'Making timeline thumbnails…',
        }),
    });
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
    onProgress?.({ done: 100, total: 100, message: 'Imported.' });
    return toClipSummary(clip);
  }

  async remove(args: { projectId: string; clipId: string }): Promise<void> {
    this.closeFrameSource(args.clipId);
    const store = this.library.open(args.projectId);
    store.transaction(() => store.removeClip(args.clipId));
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
      source = new FrameSource(sourceInfoOf(clip), { cacheFrames: framesCachedPerSource });
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
