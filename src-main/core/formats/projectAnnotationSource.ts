import type { ProjectStore } from '../store/projectStore.ts';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import type { AnnotationRecord, LabelSetRecord, ObjectRecord } from '../store/types.ts';
import type { AnnotatedObject, AnnotationSource, FrameAnnotation } from './annotationSource.ts';
import { FormatError } from './formatError.ts';
import type { EncodedImport } from './importEncoding.ts';

function toFrameAnnotation(record: AnnotationRecord): FrameAnnotation {
  const keyframe = record.source === 'user';
  return record.kind === 'labels'
    ? { objectId: record.objectId, keyframe, kind: 'labels', labels: record.labels.data }
    : { objectId: record.objectId, keyframe, kind: 'keypoints', keypoints: record.keypoints };
}

export function toDefinition(set: LabelSetRecord): LabelSetDefinition {
  const { kind, name, classes, joints, edges, flipPairs } = set;
  return { kind, name, classes, joints, edges, flipPairs };
}

function toAnnotatedObject(object: ObjectRecord, store: ProjectStore): AnnotatedObject {
  const set = object.labelSetId ? store.getLabelSet(object.labelSetId) : undefined;
  return {
    id: object.id,
    name: object.name,
    kind: object.kind,
    paletteIndex: object.paletteIndex,
    ...(set ? { labelSet: toDefinition(set), classIndex: object.classIndex } : {}),
  };
}

/** A project set with the same kind, name and entries as `definition` (an import reuses it), if any. */
function sameLabelSet(store: ProjectStore, definition: LabelSetDefinition): LabelSetRecord | undefined {
  const body = (d: LabelSetDefinition) => JSON.stringify([d.kind, d.name, d.classes, d.joints, d.edges, d.flipPairs]);
  const wanted = body(definition);
  return store.listLabelSets().find((set) => body(toDefinition(set)) === wanted);
}

/** One clip of a project as an AnnotationSource: each annotationsAt() is one indexed query, so exports stream. */
export function projectAnnotationSource(store: ProjectStore, clipId: string): AnnotationSource {
  const clip = store.getClip(clipId);
  if (!clip) throw new FormatError('NOT_FOUND', `clip ${clipId} does not exist`, store.filePath);
  return {
    name: clip.name,
    width: clip.width,
    height: clip.height,
    frameCount: clip.frameCount,
    objects: store.listObjects(clipId).map((object) => toAnnotatedObject(object, store)),
    annotationsAt: (frameIndex) => store.listAnnotationsForFrame(clipId, frameIndex).map(toFrameAnnotation),
  };
}

/** Names from files may be blank or very long; the store wants 1..200 characters. */
function usableName(name: string, paletteIndex: number): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) return `object ${paletteIndex}`;
  return trimmed.length > 200 ? trimmed.slice(0, 200).replace(/[\ud800-\udbff]$/, '') : trimmed;
}

export interface ProjectImportOptions {
  /** Delete the clip's objects (and their annotations) first, in the same transaction. Default: add beside them. */
  replace?: boolean;
  onProgress?: (progress: { done: number; total: number; message: string }) => void;
}

export interface ProjectImportResult {
  clipId: string;
  /** The objects created, with the id each had in the imported files. */
  objects: Array<{ id: string; importedId: string; name: string; kind: string; paletteIndex: number }>;
  frames: number;
  annotations: number;
  keyframes: number;
  /** The run recorded for imported non-keyframe (propagated) annotations, if there were any. */
  runId: string | null;
  warnings: string[];
}

/**
 * Writes imported annotations, read and encoded beforehand (`readAnnotationsForClip`), into a clip in ONE short
 * transaction: objects, annotations (keyframes as 'user', the rest as 'propagated' by one finished "import" run).
 * Every file was read and checked before, so a bad frame has already failed and nothing is imported half-way; the
 * transaction does only inserts, so it holds the event loop briefly even for 10,000 frames.
 */
export function importIntoProject(store: ProjectStore, clipId: string, imported: EncodedImport, options: ProjectImportOptions = {}): ProjectImportResult {
  const clip = store.getClip(clipId);
  if (!clip) throw new FormatError('NOT_FOUND', `clip ${clipId} does not exist`, store.filePath);
  const warnings = [...imported.warnings];
  options.onProgress?.({ done: 0, total: 1, message: 'Saving…' });
  const result = store.transaction(() => {
    // The import is not an undo step; the clip's earlier steps would no longer apply on top of it.
    store.history.forgetClip(clipId);
    if (options.replace) for (const object of store.listObjects(clipId)) store.deleteObject(object.id);
    const used = new Set(store.listObjects(clipId).map((object) => object.paletteIndex));
    const created: ProjectImportResult['objects'] = [];
    const idMap = new Map<string, string>();
    for (const object of imported.objects) {
      let paletteIndex = object.paletteIndex;
      if (used.has(paletteIndex)) {
        paletteIndex = Array.from({ length: 255 }, (_, i) => i + 1).find((index) => !used.has(index)) ?? paletteIndex;
        warnings.push(`object "${object.name}" got palette index ${paletteIndex}: ${object.paletteIndex} is used by another object of the clip`);
      }
      used.add(paletteIndex);
      // The vocabulary the files describe becomes (or reuses) a project label set (issue 21).
      const labelSetId = object.labelSet ? (sameLabelSet(store, object.labelSet) ?? store.addLabelSet(object.labelSet)).id : undefined;
      const classIndex = labelSetId && object.kind === 'mask' ? (object.classIndex ?? null) : undefined;
      const record = store.addObject({ clipId, name: usableName(object.name, paletteIndex), kind: object.kind, paletteIndex, labelSetId, classIndex });
      idMap.set(object.id, record.id);
      created.push({ id: record.id, importedId: object.id, name: record.name, kind: record.kind, paletteIndex });
    }
    const runId = imported.rows.some((row) => !row.keyframe)
      ? store.startRun({ clipId, params: { imported: imported.format, origin: imported.origin }, modelId: null, direction: 'forward' }).id
      : null;
    const annotations = store.putEncodedAnnotations(
      imported.rows.map((row) => {
        const objectId = idMap.get(row.objectId);
        if (!objectId) throw new FormatError('BAD_FILE', `frame ${row.frameIndex} annotates an unknown object ${row.objectId}`, imported.origin);
        return { objectId, frameIndex: row.frameIndex, source: row.keyframe ? 'user' : 'propagated', runId: row.keyframe ? null : runId, maskRle: row.maskRle, keypointsJson: row.keypointsJson };
      }),
    );
    if (runId !== null) store.finishRun(runId, 'finished');
    const keyframes = imported.rows.filter((row) => row.keyframe).length;
    return { clipId, objects: created, frames: imported.frames, annotations, keyframes, runId, warnings };
  });
  options.onProgress?.({ done: 1, total: 1, message: 'Imported.' });
  return result;
}
