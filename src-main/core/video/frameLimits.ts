/**
 * The largest frame Correspond reads, for video frames, image sequences and every label map (PNG, COCO RLE, CVAT
 * masks): 8192×8192 pixels (67 megapixels: 8K UHD 7680×4320 fits twice), no side over 16384. A real clip never
 * comes near it; a file that declares more is refused from its header, before anything is decoded or allocated
 * (an RGB frame at the cap is 192 MiB, a label map 64 MiB).
 */
export const MAX_FRAME_PIXELS = 8192 * 8192;
export const MAX_FRAME_SIDE_PX = 16384;

/** Why `width`×`height` cannot be a frame, or undefined when it can. */
export function frameSizeProblem(width: number, height: number): string | undefined {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    return `declares a frame size of ${width}×${height}, which is not a size`;
  }
  if (width > MAX_FRAME_SIDE_PX || height > MAX_FRAME_SIDE_PX || width * height > MAX_FRAME_PIXELS) {
    return `declares ${width}×${height} pixels; Correspond reads frames of at most 8192×8192 pixels (67 megapixels, sides up to ${MAX_FRAME_SIDE_PX})`;
  }
  return undefined;
}
