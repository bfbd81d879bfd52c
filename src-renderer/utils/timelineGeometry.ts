/**
 * The timeline gives every frame an equal cell across the strip: frame n spans [n/T, (n+1)/T) of its width. The
 * playhead sits at the centre of the current frame's cell, so clicking a thumbnail's middle lands on that frame.
 */
export function frameIndexAt(offsetPx: number, widthPx: number, frameCount: number): number {
  if (frameCount <= 0 || widthPx <= 0) return 0;
  const index = Math.floor((offsetPx / widthPx) * frameCount);
  return Math.min(frameCount - 1, Math.max(0, index));
}

/** Centre of a frame's cell as a fraction 0..1 of the strip width. */
export function frameCentreFraction(frameIndex: number, frameCount: number): number {
  if (frameCount <= 0) return 0;
  return (frameIndex + 0.5) / frameCount;
}

/** Clamps a wished frame index into the clip. */
export function clampFrameIndex(frameIndex: number, frameCount: number): number {
  if (frameCount <= 0) return 0;
  return Math.min(frameCount - 1, Math.max(0, Math.round(frameIndex)));
}
