// importCoco is over 60 lines: one pass checks each annotation (image, track, keypoints or RLE) in file order.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Keypoint } from '../store/types.ts';
import { frameSizeProblem } from '../video/frameLimits.ts';
import type { AnnotatedObject, AnnotationSource, ExportOptions, FrameAnnotation, ImportedAnnotations } from './annotationSource.ts';
import { frameFileName, selectObjects } from './annotationSource.ts';
import { type CocoRle, countsFromString, countsToString, decodeCocoRle, encodeCocoRle, rleArea, rleBbox } from './cocoRle.ts';
import type { FormatExportSummary } from './davisFormat.ts';
import type { ExportWriter } from './exportWriter.ts';
import { FormatError, cancellableSlices } from './formatError.ts';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import { vocHex } from '../vocabulary/labelSets.ts';
import { keypointNames, jhmdbSkeleton } from './jhmdbJoints.ts';
import { writeJpegFrames } from './jpegFrameWriter.ts';
import { type ExpectedFrameSize, sizeMismatch } from './labelPngSequence.ts';
import { sequenceNameOf } from './safeNames.ts';

// COCO (one JSON per clip, annotations/instances_default.json): one image per frame (id = frame + 1, `frame_id` =
// frame), one category per object (mask objects: RLE `segmentation`; keypoints objects: `keypoints` [x, y, v]×K with
// v = 0 not labelled / 1 occluded / 2 visible, plus `keypoints` names and a 1-based `skeleton` on the category).
// Video identity travels in `track_id` (= palette index) and `attributes` {keyframe, object, palette_index}, extra
// keys pycocotools ignores. Part objects have no COCO form and are left out (reported as a warning).
// Vocabularies (issue 21): a keypoints category's `keypoints` and 1-based `skeleton` are its object's skeleton as
// the annotator defined it; a mask object's class is its category's `supercategory`; the whole label set travels
// in the category's extra `label_set` (and `class_index`) so our import recreates it exactly. Another tool's file
// gets a skeleton from each keypoints category and an object-class set from its mask categories.

export const cocoAnnotationFile = ['annotations', 'instances_default.json'] as const;

function keypointBbox(keypoints: readonly Keypoint[]): [number, number, number, number] {
  const labelled = keypoints.filter((p) => p.visibility > 0);
  if (labelled.length === 0) return [0, 0, 0, 0];
  const xs = labelled.map((p) => p.x);
  const ys = labelled.map((p) => p.y);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  return [x0, y0, Math.max(...xs) - x0, Math.max(...ys) - y0];
}

function annotationJson(id: number, frameIndex: number, categoryId: number, object: AnnotatedObject, annotation: FrameAnnotation, source: AnnotationSource) {
  const common = { id, image_id: frameIndex + 1, category_id: categoryId, track_id: object.paletteIndex, iscrowd: 0 };
  const attributes = { keyframe: annotation.keyframe, object: object.name, palette_index: object.paletteIndex };
  if (annotation.kind === 'labels') {
    const rle = encodeCocoRle(annotation.labels, source.width, source.height);
    const segmentation = { size: rle.size, counts: countsToString(rle.counts) };
    return { ...common, segmentation, area: rleArea(rle.counts), bbox: rleBbox(rle), attributes };
  }
  // COCO writes unlabelled points as 0, 0, 0.
  const keypoints = annotation.keypoints.flatMap((p) => (p.visibility === 0 ? [0, 0, 0] : [p.x, p.y, p.visibility]));
  const bbox = keypointBbox(annotation.keypoints);
  const num_keypoints = annotation.keypoints.filter((p) => p.visibility > 0).length;
  return { ...common, keypoints, num_keypoints, area: bbox[2] * bbox[3], bbox, attributes };
}

/** Streams the COCO JSON frame by frame; categories go last because keypoint counts are learnt on the way. */
export async function exportCoco(source: AnnotationSource, writer: ExportWriter, options: ExportOptions = {}): Promise<FormatExportSummary> {
  const objects = selectObjects(source, ['mask', 'keypoints'], options.objectIds);
  const warnings: string[] = [];
  const parts = selectObjects(source, ['part'], undefined).filter((o) => !options.objectIds || options.objectIds.includes(o.id));
  if (parts.length > 0) warnings.push(`COCO has no form for part objects; left out: ${parts.map((o) => o.name).join(', ')}`);
  if (objects.length === 0) throw new FormatError('BAD_INPUT', 'the clip has no mask or keypoints objects to write as COCO');
  const video = sequenceNameOf(source.name);
  const file = writer.openFile(cocoAnnotationFile);
  const info = { description: `${source.name} (Correspond export)`, version: '1.0', date_created: new Date().toISOString(), contributor: 'Correspond', video };
  file.write(`{"info":${JSON.stringify(info)},"licenses":[],"images":[`);
  const pause = cancellableSlices();
  for (let frameIndex = 0; frameIndex < source.frameCount; frameIndex++) {
    await pause(options.signal);
    const image = { id: frameIndex + 1, file_name: frameFileName(frameIndex, 'jpg'), width: source.width, height: source.height, frame_id: frameIndex, video };
    file.write(`${frameIndex > 0 ? ',' : ''}\n${JSON.stringify(image)}`);
  }
  file.write('],"annotations":[');
  const keypointCounts = new Map<string, number>();
  let annotationId = 0;
  let framesWithData = 0;
  for (let frameIndex = 0; frameIndex < source.frameCount; frameIndex++) {
    await pause(options.signal);
    let any = false;
    for (const annotation of source.annotationsAt(frameIndex)) {
      const categoryIndex = objects.findIndex((o) => o.id === annotation.objectId);
      if (categoryIndex < 0) continue;
      const object = objects[categoryIndex];
      if (annotation.kind === 'keypoints') {
        const known = keypointCounts.get(object.id);
        if (known !== undefined && known !== annotation.keypoints.length) {
          throw new FormatError('BAD_INPUT', `object "${object.name}" has ${annotation.keypoints.length} keypoints on frame ${frameIndex} but ${known} before`);
        }
        keypointCounts.set(object.id, annotation.keypoints.length);
      }
      file.write(`${annotationId > 0 ? ',' : ''}\n${JSON.stringify(annotationJson(++annotationId, frameIndex, categoryIndex + 1, object, annotation, source))}`);
      any = true;
    }
    if (any) framesWithData++;
    options.onProgress?.({ done: frameIndex + 1, total: source.frameCount, message: `COCO frame ${frameIndex + 1} of ${source.frameCount}` });
  }
  const categories = objects.map((object, i) => {
    const set = object.labelSet;
    const className = set?.kind === 'classes' && object.classIndex != null ? set.classes[object.classIndex]?.name : undefined;
    const supercategory = className ?? (object.kind === 'keypoints' ? (set?.name ?? 'person') : 'object');
    const category = { id: i + 1, name: object.name, supercategory, ...(set ? { label_set: set } : {}), ...(className ? { class_index: object.classIndex } : {}) };
    if (object.kind !== 'keypoints') return category;
    if (set?.kind === 'skeleton') {
      return { ...category, keypoints: set.joints.map((joint) => joint.name), skeleton: set.edges.map(([a, b]) => [a + 1, b + 1]) };
    }
    const names = keypointNames(keypointCounts.get(object.id) ?? 15);
    return { ...category, keypoints: names, skeleton: names.length === 15 ? jhmdbSkeleton : [] };
  });
  file.write(`],"categories":${JSON.stringify(categories)}}\n`);
  file.close();
  if (options.frames) {
    const folder = writer.folder(['images']);
    await writeJpegFrames(options.frames(), folder, { width: source.width, height: source.height, frameCount: source.frameCount, signal: options.signal });
    writer.noteFiles(['images', '*.jpg']);
  }
  return { frames: framesWithData, objects: objects.length, warnings };
}

interface CocoJson {
  images?: Array<{ id: number; file_name?: string; width?: number; height?: number; frame_id?: number }>;
  annotations?: Array<Record<string, unknown>>;
  categories?: Array<{ id: number; name?: string; supercategory?: string; keypoints?: string[]; skeleton?: unknown; label_set?: LabelSetDefinition; class_index?: unknown }>;
  info?: { video?: string };
}

type PendingAnnotation = FrameAnnotation | { objectId: string; keyframe: boolean; rle: CocoRle; where: string };

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Frame index of a COCO image: its `frame_id`, else the number in its file name. */
function frameOfImage(image: { id: number; file_name?: string; frame_id?: number }, file: string): number {
  if (Number.isInteger(image.frame_id) && image.frame_id! >= 0) return image.frame_id!;
  const digits = /(\d+)\.[A-Za-z]+$/.exec(path.basename(image.file_name ?? ''));
  if (digits) return Number(digits[1]);
  throw new FormatError('BAD_FILE', `image ${image.id} has neither frame_id nor a numbered file_name`, file);
}

function readCocoJson(from: string): { file: string; json: CocoJson } {
  if (!existsSync(from)) throw new FormatError('NOT_FOUND', 'does not exist', from);
  const file = statSync(from).isDirectory() ? path.join(from, ...cocoAnnotationFile) : from;
  if (!existsSync(file)) throw new FormatError('NOT_FOUND', 'no COCO JSON here (expected annotations/instances_default.json)', file);
  const bytes = readFileSync(file);
  if (bytes.length === 0) throw new FormatError('BAD_FILE', 'the file is empty (0 bytes)', file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError('BAD_FILE', 'is not UTF-8 text (COCO JSON must be UTF-8)', file);
  }
  try {
    const json = JSON.parse(text) as CocoJson;
    if (typeof json !== 'object' || json === null || !Array.isArray(json.images) || !Array.isArray(json.annotations)) {
      throw new FormatError('BAD_FILE', 'is JSON but not COCO: it needs "images" and "annotations" arrays', file);
    }
    return { file, json };
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError('BAD_FILE', `is not valid JSON (${(error as Error).message})`, file);
  }
}

/**
 * Reads a COCO JSON of one clip (ours or another tool's). Objects are told apart by `track_id` (else by category:
 * two annotations of one category on one image without track ids are an error). Segmentations may be compressed or
 * uncompressed RLE; polygons are refused. Everything is parsed and decoded once here, so errors come before writing.
 */
export function importCoco(from: string, frameSize?: ExpectedFrameSize): ImportedAnnotations {
  const { file, json } = readCocoJson(from);
  const images = new Map<number, { frameIndex: number; width?: number; height?: number }>();
  for (const image of json.images!) images.set(image.id, { frameIndex: frameOfImage(image, file), width: image.width, height: image.height });
  const categories = new Map((json.categories ?? []).map((category) => [category.id, category]));
  const objects = new Map<string, AnnotatedObject>();
  const maskCategoryOf = new Map<string, number>();
  // Masks stay run-length encoded until a frame is read, so a long clip's JSON does not become gigabytes of masks.
  const frames = new Map<number, Array<PendingAnnotation>>();
  let width = 0;
  let height = 0;
  for (const annotation of json.annotations!) {
    const where = `annotation ${String(annotation.id)}`;
    const image = images.get(annotation.image_id as number);
    if (!image) throw new FormatError('BAD_FILE', `${where} refers to image ${String(annotation.image_id)}, which is not in "images"`, file);
    const category = categories.get(annotation.category_id as number);
    const attributes = (annotation.attributes ?? {}) as { keyframe?: unknown; object?: unknown; palette_index?: unknown };
    const trackId = asNumber(annotation.track_id);
    const key = trackId !== undefined ? `track-${trackId}` : `category-${String(annotation.category_id)}`;
    const keypointValues = annotation.keypoints as unknown;
    const kind = Array.isArray(keypointValues) && keypointValues.length > 0 ? 'keypoints' : 'mask';
    let object = objects.get(key);
    if (!object) {
      const paletteIndex = asNumber(attributes.palette_index) ?? (trackId !== undefined && trackId >= 1 && trackId <= 255 ? trackId : objects.size + 1);
      const name = typeof attributes.object === 'string' && attributes.object.trim() ? attributes.object : (category?.name ?? `object ${paletteIndex}`);
      object = { id: key, name, kind, paletteIndex, ...vocabularyOf(category, kind, typeof attributes.object === 'string', file) };
      objects.set(key, object);
      if (kind === 'mask' && !object.labelSet && typeof attributes.object !== 'string' && category) maskCategoryOf.set(key, category.id);
    } else if (object.kind !== kind) throw new FormatError('BAD_FILE', `${where}: track ${key} mixes masks and keypoints`, file);
    const list = frames.get(image.frameIndex) ?? [];
    if (list.some((a) => a.objectId === key)) {
      throw new FormatError('BAD_FILE', `${where}: image ${String(annotation.image_id)} already has an annotation of ${trackId !== undefined ? `track ${trackId}` : `category ${String(annotation.category_id)} (no track_id to tell instances apart)`}`, file);
    }
    const keyframe = attributes.keyframe === undefined ? true : attributes.keyframe === true;
    if (kind === 'keypoints') {
      const values = keypointValues as unknown[];
      if (values.length % 3 !== 0 || values.some((v) => asNumber(v) === undefined)) throw new FormatError('BAD_FILE', `${where}: "keypoints" must be numbers x, y, v repeated`, file);
      const keypoints: Keypoint[] = [];
      for (let i = 0; i < values.length; i += 3) {
        const v = values[i + 2] as number;
        if (v !== 0 && v !== 1 && v !== 2) throw new FormatError('BAD_FILE', `${where}: keypoint ${i / 3} has visibility ${v}, not 0, 1 or 2`, file);
        keypoints.push({ x: values[i] as number, y: values[i + 1] as number, visibility: v });
      }
      list.push({ objectId: key, keyframe, kind: 'keypoints', keypoints });
    } else {
      const segmentation = annotation.segmentation as { size?: [number, number]; counts?: unknown } | unknown[] | undefined;
      if (!segmentation || Array.isArray(segmentation)) throw new FormatError('UNSUPPORTED', `${where} has a polygon (or no) segmentation; only RLE masks can be imported`, file);
      const size = segmentation.size;
      if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0)) throw new FormatError('BAD_FILE', `${where}: segmentation.size must be [height, width]`, file);
      const counts = typeof segmentation.counts === 'string' ? countsFromString(segmentation.counts, `${file}: ${where}`) : segmentation.counts;
      if (!Array.isArray(counts)) throw new FormatError('BAD_FILE', `${where}: segmentation.counts must be a string or a list of run lengths`, file);
      if (width === 0) {
        // The declared size decides what every mask of the clip will allocate: check it before any is decoded.
        const tooLarge = frameSizeProblem(size[1], size[0]);
        if (tooLarge) throw new FormatError('BAD_FILE', `${where}: segmentation.size ${tooLarge}`, file);
        if (frameSize && (size[1] !== frameSize.width || size[0] !== frameSize.height)) throw sizeMismatch(size[1], size[0], frameSize, file, `${where} `);
        [height, width] = size;
      }
      if (size[0] !== height || size[1] !== width) throw new FormatError('MISMATCH', `${where} is ${size[1]}×${size[0]}, earlier masks are ${width}×${height}`, file);
      const covered = (counts as unknown[]).reduce<number>((sum, count) => sum + (Number.isInteger(count) && (count as number) >= 0 ? (count as number) : NaN), 0);
      if (covered !== width * height) throw new FormatError('BAD_FILE', `${where}: the runs cover ${covered} of ${width}×${height} = ${width * height} pixels`, file);
      list.push({ objectId: key, keyframe, rle: { size, counts: counts as number[] }, where: `${file}: ${where}` });
    }
    frames.set(image.frameIndex, list);
  }
  if (width === 0) {
    const first = [...images.values()][0];
    width = first?.width ?? 0;
    height = first?.height ?? 0;
  }
  if (!(width > 0 && height > 0)) throw new FormatError('BAD_FILE', 'no image size: neither a mask nor an image with width and height', file);
  const tooLarge = frameSizeProblem(width, height);
  if (tooLarge) throw new FormatError('BAD_FILE', `the images' size ${tooLarge}`, file);
  classesFromCategories(objects, maskCategoryOf, json.categories ?? []);
  const frameIndices = [...frames.keys()].sort((a, b) => a - b);
  const imageFrames = [...images.values()].map((image) => image.frameIndex).sort((a, b) => a - b);
  const contiguous = imageFrames.every((frame, i) => frame === i);
  const objectList = [...objects.values()];
  return {
    format: 'coco',
    origin: file,
    name: json.info?.video ?? path.basename(file, '.json'),
    width,
    height,
    frameCount: contiguous ? imageFrames.length : Math.max(0, ...imageFrames) + 1,
    exactFrameCount: contiguous && imageFrames.length > 0,
    objects: objectList,
    frameIndices,
    warnings: [],
    annotationsAt: (frameIndex) => {
      const order = objectList.map((o) => o.id);
      return [...(frames.get(frameIndex) ?? [])]
        .sort((a, b) => order.indexOf(a.objectId) - order.indexOf(b.objectId))
        .map((pending) => ('rle' in pending ? { objectId: pending.objectId, keyframe: pending.keyframe, kind: 'labels' as const, labels: decodeCocoRle(pending.rle, pending.where) } : pending));
    },
  };
}

type CocoCategory = NonNullable<CocoJson['categories']>[number];

/**
 * The label set a category gives its objects: ours carry it whole (`label_set`); another tool's keypoints category
 * is a skeleton of its `keypoints` names and 1-based `skeleton` pairs. Mask categories of other tools become
 * classes afterwards (classesFromCategories), since all of them make one set.
 */
function vocabularyOf(category: CocoCategory | undefined, kind: 'mask' | 'keypoints', ours: boolean, file: string): Pick<AnnotatedObject, 'labelSet' | 'classIndex'> {
  if (!category) return {};
  if (category.label_set && typeof category.label_set === 'object') {
    const classIndex = typeof category.class_index === 'number' ? category.class_index : null;
    return { labelSet: category.label_set, classIndex: kind === 'mask' ? classIndex : undefined };
  }
  if (kind === 'mask' || ours || !Array.isArray(category.keypoints) || category.keypoints.length === 0) return {};
  const names = category.keypoints.map(String);
  const pairs = Array.isArray(category.skeleton) ? category.skeleton : [];
  const edges = pairs.map((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((j) => Number.isInteger(j) && j >= 1 && j <= names.length)) {
      throw new FormatError('BAD_FILE', `category ${category.id}: skeleton pair ${index} must be two 1-based keypoint numbers within 1..${names.length}`, file);
    }
    return [pair[0] - 1, pair[1] - 1] as [number, number];
  });
  const flipPairs: Array<[number, number]> = [];
  names.forEach((name, left) => {
    const right = /^left[ _]/.test(name) ? names.indexOf(name.replace(/^left/, 'right')) : -1;
    if (right >= 0) flipPairs.push([left, right]);
  });
  const name = (category.supercategory && category.supercategory !== 'object' ? category.supercategory : category.name) ?? `skeleton ${category.id}`;
  return { labelSet: { kind: 'skeleton', name, classes: [], joints: names.map((n) => ({ name: n, defaultVisibility: 2 })), edges, flipPairs } };
}

/** Another tool's mask categories (neither `label_set` nor our `attributes.object`) become one object-class set. */
function classesFromCategories(objects: Map<string, AnnotatedObject>, maskCategoryOf: Map<string, number>, categories: CocoCategory[]): void {
  if (maskCategoryOf.size === 0) return;
  const used = new Set(maskCategoryOf.values());
  const ids = [...categories.map((category) => category.id).filter((id) => used.has(id)), ...[...used].filter((id) => !categories.some((c) => c.id === id))];
  const definition: LabelSetDefinition = {
    kind: 'classes',
    name: 'COCO categories',
    classes: ids.map((id, index) => ({ name: categories.find((c) => c.id === id)?.name?.trim() || `category ${id}`, color: vocHex(index + 1) })),
    joints: [], edges: [], flipPairs: [],
  };
  for (const [key, categoryId] of maskCategoryOf) {
    const object = objects.get(key)!;
    object.labelSet = definition;
    object.classIndex = ids.indexOf(categoryId);
  }
}
