import type { ClipSummary } from '../api/contract.ts';
import type { ClipRecord } from '../store/types.ts';

export function toClipSummary(clip: ClipRecord): ClipSummary {
  return {
    id: clip.id,
    name: clip.name,
    sourcePath: clip.sourcePath,
    sourceKind: clip.sourceKind,
    width: clip.width,
    height: clip.height,
    fps: clip.fps,
    frameCount: clip.frameCount,
    importedAt: clip.importedAt,
  };
}
