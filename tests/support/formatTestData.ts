// Test helpers shared by the format tests: an in-memory AnnotationSource and a comparable digest of a source.
import { createHash } from 'node:crypto';
import type { Keypoint } from '../../src-main/core/store/types.ts';
import type { AnnotatedObject, AnnotationSource, FrameAnnotation } from '../../src-main/core/formats/annotationSource.ts';

export function memorySource(init: {
  name: string;
  width: number;
  height: number;
  frameCount: number;
  objects: AnnotatedObject[];
  annotations: Map<number, FrameAnnotation[]>;
}): AnnotationSource & { reads: number } {
  const source = {
    ...init,
    reads: 0,
    annotationsAt(frameIndex: number): FrameAnnotation[] {
      source.reads++;
      const order = init.objects.map((object) => object.id);
      return [...(init.annotations.get(frameIndex) ?? [])].sort((a, b) => order.indexOf(a.objectId) - order.indexOf(b.objectId));
    },
  };
  return source;
}

/** A rectangle mask (0/1) of a width×height frame. */
export function rectangle(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) mask[y * width + x] = 1;
  return mask;
}

/** 15 JHMDB-like keypoints around (cx, cy) with the given visibility pattern; coordinates on a 0.5 grid. */
export function pose(cx: number, cy: number, visibilities: Array<0 | 1 | 2> = new Array(15).fill(2)): Keypoint[] {
  return visibilities.map((visibility, joint) => ({ x: cx + (joint % 5) * 2.5 - 5, y: cy + Math.floor(joint / 5) * 3.5 - 3, visibility }));
}

export interface SyntheticClipOptions {
  width?: number;
  height?: number;
  frameCount?: number;
  /** Add a void object (palette 255) around the first mask. */
  withVoid?: boolean;
  withPart?: boolean;
  withKeypoints?: boolean;
  /** Leave these frames without any annotation. */
  emptyFrames?: number[];
}

/**
 * A small clip: two moving rectangles (palette 1 and 3, touching but not overlapping), optional void, a part object
 * with class ids 0..19 and a 15-joint pose. Keyframes on frame 0 and every 4th frame; the rest are "propagated".
 */
export function syntheticClip(options: SyntheticClipOptions = {}): AnnotationSource & { reads: number } {
  const { width = 32, height = 24, frameCount = 9, emptyFrames = [] } = options;
  const objects: AnnotatedObject[] = [
    { id: 'a', name: 'dancer', kind: 'mask', paletteIndex: 1 },
    { id: 'b', name: 'dog', kind: 'mask', paletteIndex: 3 },
  ];
  if (options.withVoid) objects.push({ id: 'v', name: 'void', kind: 'mask', paletteIndex: 255 });
  if (options.withPart) objects.push({ id: 'p', name: 'parts', kind: 'part', paletteIndex: 4 });
  if (options.withKeypoints) objects.push({ id: 'k', name: 'person', kind: 'keypoints', paletteIndex: 5 });
  const annotations = new Map<number, FrameAnnotation[]>();
  for (let frame = 0; frame < frameCount; frame++) {
    if (emptyFrames.includes(frame)) continue;
    const keyframe = frame % 4 === 0;
    const list: FrameAnnotation[] = [
      { objectId: 'a', keyframe, kind: 'labels', labels: rectangle(width, height, 2 + frame, 3, 10 + frame, 12) },
      { objectId: 'b', keyframe, kind: 'labels', labels: frame === 2 ? new Uint8Array(width * height) : rectangle(width, height, 20, 5 + (frame % 3), 27, 20) },
    ];
    if (options.withVoid) {
      const ring = rectangle(width, height, 1 + frame, 2, 11 + frame, 13);
      const inner = rectangle(width, height, 2 + frame, 3, 10 + frame, 12);
      list.push({ objectId: 'v', keyframe, kind: 'labels', labels: ring.map((v, i) => v & (1 - inner[i])) });
    }
    if (options.withPart) {
      const parts = new Uint8Array(width * height);
      for (let i = 0; i < parts.length; i++) parts[i] = (i + frame) % 7 === 0 ? ((i >> 3) + frame) % 20 : 0;
      list.push({ objectId: 'p', keyframe, kind: 'labels', labels: parts });
    }
    if (options.withKeypoints) {
      const visibility: Array<0 | 1 | 2> = Array.from({ length: 15 }, (_, joint) => ((joint + frame) % 6 === 0 ? 1 : 2));
      list.push({ objectId: 'k', keyframe, kind: 'keypoints', keypoints: pose(12 + frame * 0.5, 11, visibility) });
    }
    annotations.set(frame, list);
  }
  return memorySource({ name: 'dance twirl.mp4', width, height, frameCount, objects, annotations });
}

/** Every annotation of `source`, keyed `frame:<paletteIndex>` (or by name), as short comparable strings. */
export function digest(
  source: AnnotationSource,
  options: { kinds?: AnnotatedObject['kind'][]; keyBy?: 'palette' | 'name'; keyframes?: boolean; visibility?: boolean } = {},
): Record<string, string> {
  const { kinds = ['mask', 'part', 'keypoints'], keyBy = 'palette', keyframes = true, visibility = true } = options;
  const out: Record<string, string> = {};
  for (let frame = 0; frame < source.frameCount; frame++) {
    for (const annotation of source.annotationsAt(frame)) {
      const object = source.objects.find((o) => o.id === annotation.objectId)!;
      if (!kinds.includes(object.kind)) continue;
      const key = `${frame}:${object.kind}:${keyBy === 'palette' ? object.paletteIndex : object.name}`;
      const flag = keyframes ? (annotation.keyframe ? 'K ' : 'P ') : '';
      if (annotation.kind === 'labels') {
        const sum = annotation.labels.reduce((total, v) => total + v, 0);
        out[key] = `${flag}labels n=${annotation.labels.length} sum=${sum} sha=${createHash('sha1').update(annotation.labels).digest('hex').slice(0, 12)}`;
      } else {
        out[key] = `${flag}${annotation.keypoints.map((p) => `${p.x},${p.y}${visibility ? `/${p.visibility}` : ''}`).join(' ')}`;
      }
    }
  }
  return out;
}
