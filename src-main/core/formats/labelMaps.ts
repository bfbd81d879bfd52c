import type { AnnotatedObject, FrameAnnotation } from './annotationSource.ts';

/**
 * Paints object masks into one index map (DAVIS / YouTube-VOS PNG): each object's palette index where its mask is
 * 1, in ascending palette order (a later index wins on overlap, so void 255 is painted last). Returns the map and
 * how many pixels were claimed twice, which the export reports.
 */
export function composeIndexMap(
  width: number,
  height: number,
  objects: readonly AnnotatedObject[],
  annotations: readonly FrameAnnotation[],
): { indices: Uint8Array; overlapPixels: number } {
  const indices = new Uint8Array(width * height);
  let overlapPixels = 0;
  const layers = annotations
    .map((annotation) => ({ annotation, object: objects.find((object) => object.id === annotation.objectId) }))
    .filter((layer): layer is { annotation: FrameAnnotation & { kind: 'labels' }; object: AnnotatedObject } =>
      layer.object !== undefined && layer.annotation.kind === 'labels',
    )
    .sort((a, b) => a.object.paletteIndex - b.object.paletteIndex);
  for (const { annotation, object } of layers) {
    const { labels } = annotation;
    const value = object.paletteIndex;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === 0) continue;
      if (indices[i] !== 0) overlapPixels++;
      indices[i] = value;
    }
  }
  return { indices, overlapPixels };
}

/** The 0/1 mask of `value` in an index map. */
export function maskOfValue(indices: Uint8Array, value: number): Uint8Array {
  const mask = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) if (indices[i] === value) mask[i] = 1;
  return mask;
}

/** Which of the 256 values occur in `indices`. */
export function valuesPresent(indices: Uint8Array): boolean[] {
  const present = new Array<boolean>(256).fill(false);
  for (let i = 0; i < indices.length; i++) present[indices[i]] = true;
  return present;
}
