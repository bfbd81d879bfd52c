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
    ...lostFrames(clip),
  };
}

/** The frames a truncated video lost at import (saved with the probe result), when there were any. */
function lostFrames(clip: ClipRecord): { lostFrameCount?: number } {
  const probe = clip.sourceDetails.probe as { lostFrameCount?: unknown } | undefined;
  const count = probe?.lostFrameCount;
  return typeof count === 'number' && count > 0 ? { lostFrameCount: count } : {};
}
