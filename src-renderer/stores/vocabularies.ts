import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LabelSet, LabelSetChange, LabelSetDefinition, LabelSetImpact, LabelSetKind, LabelSetPreset, ObjectKind, ObjectSummary } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';

/** The label set kind an object kind uses (mask objects: optional object classes). */
export const labelSetKindOf: Record<ObjectKind, LabelSetKind> = { mask: 'classes', part: 'parts', keypoints: 'skeleton' };

/**
 * The open project's label sets (object classes, part classes, skeletons; issue 21) and the presets they start
 * from. The editor reads an object's own set here; the label set dialog edits them. A change that removes entries
 * is asked first (`impact`), then made as one undo step of the clip on screen.
 */
export const useVocabulariesStore = defineStore('vocabularies', () => {
  const api = useApi();
  const projectId = ref<string>();
  const labelSets = ref<LabelSet[]>([]);
  const presets = ref<LabelSetPreset[]>([]);
  const loadError = ref<string>();
  /** The set new part / keypoints objects get, per kind (default: the first of the kind). */
  const chosen = ref<Partial<Record<LabelSetKind, string>>>({});
  let request = 0;

  const byId = computed(() => new Map(labelSets.value.map((set) => [set.id, set])));
  const ofKind = (kind: LabelSetKind) => labelSets.value.filter((set) => set.kind === kind);
  const chosenFor = (kind: LabelSetKind) => byId.value.get(chosen.value[kind] ?? '') ?? ofKind(kind)[0];

  /** The set an object speaks (its part classes, its skeleton, or its class's set). */
  function labelSetOf(object: ObjectSummary | undefined): LabelSet | undefined {
    return object?.labelSetId ? byId.value.get(object.labelSetId) : undefined;
  }

  async function open(newProjectId: string): Promise<void> {
    if (projectId.value === newProjectId) return;
    projectId.value = newProjectId;
    labelSets.value = [];
    chosen.value = {};
    await load();
  }

  async function load(): Promise<void> {
    const id = projectId.value;
    if (!id) return;
    const mine = ++request;
    try {
      const [sets, known] = await Promise.all([api.vocabularies.list({ projectId: id }), presets.value.length ? presets.value : api.vocabularies.presets()]);
      if (mine !== request) return;
      labelSets.value = sets;
      presets.value = known;
      loadError.value = undefined;
    } catch (error) {
      if (mine === request) loadError.value = errorMessage(error);
    }
  }

  function close(): void {
    request += 1;
    projectId.value = undefined;
    labelSets.value = [];
    chosen.value = {};
  }

  async function create(definition: LabelSetDefinition, preset?: string): Promise<LabelSet> {
    const created = await api.vocabularies.create({ projectId: projectId.value!, definition, ...(preset ? { preset } : {}) });
    labelSets.value = [...labelSets.value, created];
    return created;
  }

  function change(labelSetId: string, definition: LabelSetDefinition, sources: Array<number | null>, clipId?: string): LabelSetChange {
    return { projectId: projectId.value!, labelSetId, definition, sources, ...(clipId ? { clipId } : {}) };
  }

  const impact = (args: LabelSetChange): Promise<LabelSetImpact> => api.vocabularies.impact(args);

  async function update(args: LabelSetChange): Promise<LabelSet> {
    const updated = await api.vocabularies.update(args);
    labelSets.value = labelSets.value.map((set) => (set.id === updated.id ? updated : set));
    return updated;
  }

  async function remove(labelSetId: string): Promise<void> {
    await api.vocabularies.delete({ projectId: projectId.value!, labelSetId });
    labelSets.value = labelSets.value.filter((set) => set.id !== labelSetId);
  }

  function choose(kind: LabelSetKind, labelSetId: string): void {
    chosen.value = { ...chosen.value, [kind]: labelSetId };
  }

  return { projectId, labelSets, presets, loadError, chosen, ofKind, chosenFor, labelSetOf, open, load, close, create, change, impact, update, remove, choose };
});
