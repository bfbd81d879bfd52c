import { ApiError } from '../api/apiError.ts';
import type { LabelSet, LabelSetChange, LabelSetDefinition, LabelSetImpact, LabelSetPreset, VocabulariesService } from '../api/contract.ts';
import type { HistoryKey } from '../store/editHistory.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ProjectStore } from '../store/projectStore.ts';
import type { AnnotationRecord, LabelSetRecord, ObjectRecord } from '../store/types.ts';
import { checkLabelSetDefinition, entryMapping, entryNames, labelSetPreset, labelSetPresets, LabelSetError } from '../vocabulary/labelSets.ts';

export function toLabelSet(record: LabelSetRecord, objectCount: number): LabelSet {
  const { id, kind, name, preset, classes, joints, edges, flipPairs } = record;
  return { id, kind, name, preset, classes, joints, edges, flipPairs, objectCount };
}

/** One planned rewrite of a label: the annotation as it will be after the change (null = unchanged). */
interface Rewrite {
  objects: ObjectRecord[];
  /** Objects whose class changes (mask objects of a class set): the new class index (null = none). */
  classChanges: Map<string, number | null>;
  annotations: Array<{ record: AnnotationRecord; next: AnnotationRecord }>;
}

/**
 * The project's label sets. A change that moves or removes entries rewrites the labels using them in the same
 * transaction, as one undo step of the clip open in the editor (issue 21: renaming is free; removing asks first,
 * through `impact`, and undo brings everything back).
 */
export class ProjectVocabulariesService implements VocabulariesService {
  constructor(private readonly library: ProjectLibrary) {}

  async list(args: { projectId: string }): Promise<LabelSet[]> {
    const store = this.library.open(args.projectId);
    return store.listLabelSets().map((set) => toLabelSet(set, store.objectsUsingLabelSet(set.id).length));
  }

  async presets(): Promise<LabelSetPreset[]> {
    return labelSetPresets();
  }

  async create(args: { projectId: string; definition: LabelSetDefinition; preset?: string }): Promise<LabelSet> {
    const store = this.library.open(args.projectId);
    if (args.preset !== undefined) wrap(() => labelSetPreset(args.preset!));
    return toLabelSet(store.addLabelSet(args.definition, args.preset ?? null), 0);
  }

  async impact(args: LabelSetChange): Promise<LabelSetImpact> {
    const store = this.library.open(args.projectId);
    const { current, definition, mapping } = this.plan(store, args);
    const rewrite = planRewrite(store, current, definition, args.sources);
    const removed = entryNames(current).filter((_, index) => mapping[index] === -1);
    const touched = new Set([...rewrite.annotations.map((a) => a.record.objectId), ...rewrite.classChanges.keys()]);
    const clips = new Set(rewrite.objects.filter((object) => touched.has(object.id)).map((object) => object.clipId));
    const otherClips = [...clips].filter((clipId) => clipId !== args.clipId).length;
    const what = current.kind === 'skeleton' ? 'joint' : 'class';
    let message = removed.length === 0 ? 'Nothing is deleted.' : `Removes ${what}${removed.length > 1 ? 's' : ''} ${removed.map((n) => `"${n}"`).join(', ')}`;
    if (removed.length > 0) {
      message += current.kind === 'classes'
        ? ` from ${rewrite.classChanges.size} object${rewrite.classChanges.size === 1 ? '' : 's'}.`
        : ` and ${current.kind === 'skeleton' ? 'its positions' : 'its pixels (they become background)'} from ${rewrite.annotations.length} annotation${rewrite.annotations.length === 1 ? '' : 's'} of ${touched.size} object${touched.size === 1 ? '' : 's'}.`;
    }
    if (otherClips > 0) message += ` The undo history of ${otherClips} other clip${otherClips === 1 ? '' : 's'} using it is cleared.`;
    return { removed, annotations: rewrite.annotations.length, objects: touched.size, otherClips, message };
  }

  async update(args: LabelSetChange): Promise<LabelSet> {
    const store = this.library.open(args.projectId);
    if (args.clipId !== undefined && !store.getClip(args.clipId)) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    const { current, definition } = this.plan(store, args);
    const rewrite = planRewrite(store, current, definition, args.sources);
    const clips = new Set(rewrite.objects.map((object) => object.clipId));
    for (const clipId of clips) {
      if (store.history.status(clipId).busy) throw new ApiError('BUSY', `A propagation run is writing labels that use "${current.name}"; wait for it or cancel it.`);
    }
    const label = `edit label set "${definition.name}"`;
    store.transaction(() => {
      const step = args.clipId !== undefined ? store.history.begin(args.clipId, 'edit', label) : null;
      const keys: HistoryKey[] = [
        { target: 'label_set', labelSetId: current.id },
        ...[...rewrite.classChanges.keys()].map((objectId) => ({ target: 'object' as const, objectId })),
        ...rewrite.annotations.map(({ record }) => ({ target: 'annotation' as const, objectId: record.objectId, frameIndex: record.frameIndex })),
      ];
      const write = () => {
        // Classes first go to null, so the set may shrink; then the set changes; then labels and classes are rewritten.
        for (const objectId of rewrite.classChanges.keys()) store.updateObject(objectId, { classIndex: null });
        store.updateLabelSet(current.id, definition);
        for (const [objectId, classIndex] of rewrite.classChanges) if (classIndex !== null) store.updateObject(objectId, { classIndex });
        for (const { next } of rewrite.annotations) {
          const { objectId, frameIndex, source, runId, confidence } = next;
          store.putAnnotation(next.kind === 'labels'
            ? { objectId, frameIndex, source, runId, confidence, kind: 'labels', labels: next.labels }
            : { objectId, frameIndex, source, runId, confidence, kind: 'keypoints', keypoints: next.keypoints });
        }
      };
      if (step === null) write();
      else {
        store.history.track(step, keys, write);
        store.history.finish(step, label);
      }
      // Other clips' older steps recorded labels in the old shape: they no longer apply.
      const touched = new Set(rewrite.annotations.map((a) => a.record.clipId));
      for (const clipId of touched) if (clipId !== args.clipId) store.history.forgetClip(clipId);
    });
    return toLabelSet(store.getLabelSet(current.id)!, store.objectsUsingLabelSet(current.id).length);
  }

  async delete(args: { projectId: string; labelSetId: string }): Promise<void> {
    const store = this.library.open(args.projectId);
    const set = store.getLabelSet(args.labelSetId);
    if (!set) throw new ApiError('NOT_FOUND', `This project has no label set ${args.labelSetId}.`);
    const users = store.objectsUsingLabelSet(set.id);
    if (users.length > 0) {
      const names = users.slice(0, 3).map((object) => `"${object.name}"`).join(', ');
      throw new ApiError('IN_USE', `"${set.name}" is used by ${users.length} object${users.length === 1 ? '' : 's'} (${names}${users.length > 3 ? '…' : ''}); change or delete them first.`);
    }
    store.deleteLabelSet(set.id);
  }

  private plan(store: ProjectStore, args: LabelSetChange): { current: LabelSetRecord; definition: LabelSetDefinition; mapping: Int32Array } {
    const current = store.getLabelSet(args.labelSetId);
    if (!current) throw new ApiError('NOT_FOUND', `This project has no label set ${args.labelSetId}.`);
    const definition = wrap(() => checkLabelSetDefinition(args.definition));
    const mapping = wrap(() => entryMapping(current, definition, args.sources));
    return { current, definition, mapping };
  }
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof LabelSetError) throw new ApiError('INVALID_ARGUMENT', `${error.message[0]!.toUpperCase()}${error.message.slice(1)}.`);
    throw error;
  }
}

/** The labels a change rewrites: keypoint arrays reordered/cut/extended, part values remapped, mask classes moved. */
function planRewrite(store: ProjectStore, current: LabelSetRecord, definition: LabelSetDefinition, sources: ReadonlyArray<number | null>): Rewrite {
  const mapping = entryMapping(current, definition, sources);
  const objects = store.objectsUsingLabelSet(current.id);
  const rewrite: Rewrite = { objects, classChanges: new Map(), annotations: [] };
  if (current.kind === 'classes') {
    for (const object of objects) {
      if (object.classIndex === null) continue;
      const next = mapping[object.classIndex] ?? -1;
      if (next !== object.classIndex) rewrite.classChanges.set(object.id, next < 0 ? null : next);
    }
    return rewrite;
  }
  const identity = mapping.every((to, from) => to === from) && sources.length === mapping.length;
  if (identity) return rewrite;
  for (const object of objects) {
    for (const record of store.listAnnotationsForObject(object.id)) {
      if (record.kind === 'keypoints') {
        const keypoints = sources.map((source) =>
          // A new joint is absent on every labelled frame until the annotator places it.
          source === null ? { x: 0, y: 0, visibility: 0 as const } : (record.keypoints[source] ?? { x: 0, y: 0, visibility: 0 as const }),
        );
        rewrite.annotations.push({ record, next: { ...record, keypoints } });
        continue;
      }
      const lut = Uint8Array.from({ length: 256 }, (_, value) => (value < mapping.length && mapping[value]! >= 0 ? mapping[value]! : 0));
      const data = record.labels.data;
      let changed = false;
      for (let i = 0; i < data.length && !changed; i++) changed = lut[data[i]!] !== data[i];
      if (changed) rewrite.annotations.push({ record, next: { ...record, labels: { ...record.labels, data: data.map((value) => lut[value]!) } } });
    }
  }
  return rewrite;
}
