import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ObjectKind, ObjectSummary } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { firstFreePaletteIndex } from '../utils/vocPalette.ts';
import { editSessionId } from '../utils/editSession.ts';

const defaultNames: Record<ObjectKind, string> = { mask: 'Object', part: 'Parts', keypoints: 'Pose' };

/**
 * The annotated objects of the open clip: the list panel's data, the active object (the one the tools edit) and the
 * objects ticked for propagation. Creating an object only adds it: other objects and their labels stay as they are.
 */
export const useObjectsStore = defineStore('objects', () => {
  const api = useApi();
  const projectId = ref<string>();
  const clipId = ref<string>();
  const objects = ref<ObjectSummary[]>([]);
  const activeObjectId = ref<string>();
  /** Objects ticked for propagation; none ticked means every visible object. */
  const selectedIds = ref<string[]>([]);
  const loadError = ref<string>();
  const actionError = ref<string>();
  let openRequest = 0;

  const activeObject = computed(() => objects.value.find((object) => object.id === activeObjectId.value));
  const propagationTargets = computed(() => {
    const visible = objects.value.filter((object) => !object.hidden);
    const selected = visible.filter((object) => selectedIds.value.includes(object.id));
    return selected.length > 0 ? selected : visible;
  });

  async function open(newProjectId: string, newClipId: string): Promise<void> {
    if (projectId.value === newProjectId && clipId.value === newClipId) return;
    close();
    const request = openRequest;
    projectId.value = newProjectId;
    clipId.value = newClipId;
    await reload(request);
  }

  async function reload(request = openRequest): Promise<void> {
    if (!projectId.value || !clipId.value) return;
    try {
      const list = await api.objects.list({ projectId: projectId.value, clipId: clipId.value });
      if (request !== openRequest) return;
      objects.value = list;
      loadError.value = undefined;
      if (!activeObject.value) activeObjectId.value = list.find((object) => !object.hidden)?.id;
    } catch (error) {
      if (request === openRequest) loadError.value = errorMessage(error);
    }
  }

  function close(): void {
    openRequest += 1;
    projectId.value = undefined;
    clipId.value = undefined;
    objects.value = [];
    activeObjectId.value = undefined;
    selectedIds.value = [];
    loadError.value = undefined;
    actionError.value = undefined;
  }

  /** Runs one object action; a failure is kept in `actionError` for the panel to show. */
  async function act<T>(action: (projectId: string, clipId: string) => Promise<T>): Promise<T | undefined> {
    if (!projectId.value || !clipId.value) return undefined;
    const request = openRequest;
    try {
      const result = await action(projectId.value, clipId.value);
      if (request === openRequest) actionError.value = undefined;
      return request === openRequest ? result : undefined;
    } catch (error) {
      if (request === openRequest) actionError.value = errorMessage(error);
      return undefined;
    }
  }

  function replace(updated: ObjectSummary): void {
    objects.value = objects.value.map((object) => (object.id === updated.id ? updated : object));
  }

  /** Adds an object on `frameIndex`; part and keypoints objects use `labelSetId` (default: the project's first). */
  async function create(kind: ObjectKind, frameIndex: number, labelSetId?: string): Promise<ObjectSummary | undefined> {
    const sameKind = objects.value.filter((object) => object.kind === kind).length;
    const created = await act((pid, cid) =>
      api.objects.create({
        projectId: pid,
        clipId: cid,
        name: `${defaultNames[kind]} ${sameKind + 1}`,
        kind,
        paletteIndex: firstFreePaletteIndex(objects.value.map((object) => object.paletteIndex)),
        firstFrame: frameIndex,
        ...(labelSetId && kind !== 'mask' ? { labelSetId } : {}),
        sessionId: editSessionId,
      }),
    );
    if (created) {
      objects.value = [...objects.value, created];
      activeObjectId.value = created.id;
      // A new object is meant to be propagated: when some objects are ticked, it joins them.
      if (selectedIds.value.length > 0) selectedIds.value = [...selectedIds.value, created.id];
    }
    return created;
  }

  async function update(objectId: string, change: { name?: string; paletteIndex?: number; hidden?: boolean; labelSetId?: string | null; classIndex?: number | null }): Promise<void> {
    const updated = await act((pid) => api.objects.update({ projectId: pid, objectId, ...change, sessionId: editSessionId }));
    if (updated) replace(updated);
  }

  const rename = (objectId: string, name: string) => update(objectId, { name: name.trim() });
  const recolour = (objectId: string, paletteIndex: number) => update(objectId, { paletteIndex });
  const setHidden = (objectId: string, hidden: boolean) => update(objectId, { hidden });
  /** A mask object's class: a class of an object-class set, or none. */
  const setClass = (objectId: string, labelSetId: string | null, classIndex: number | null) => update(objectId, { labelSetId, classIndex });

  /** Deletes the object and all its labels; resolves to whether it is gone. */
  async function remove(objectId: string): Promise<boolean> {
    const done = await act(async (pid) => {
      await api.objects.delete({ projectId: pid, objectId, sessionId: editSessionId });
      return true;
    });
    if (!done) return false;
    objects.value = objects.value.filter((object) => object.id !== objectId);
    selectedIds.value = selectedIds.value.filter((id) => id !== objectId);
    if (activeObjectId.value === objectId) activeObjectId.value = objects.value.find((object) => !object.hidden)?.id;
    return true;
  }

  function setActive(objectId: string): void {
    if (objects.value.some((object) => object.id === objectId)) activeObjectId.value = objectId;
  }

  function toggleSelected(objectId: string): void {
    selectedIds.value = selectedIds.value.includes(objectId)
      ? selectedIds.value.filter((id) => id !== objectId)
      : [...selectedIds.value, objectId];
  }

  return {
    projectId,
    clipId,
    objects,
    activeObjectId,
    activeObject,
    selectedIds,
    propagationTargets,
    loadError,
    actionError,
    open,
    reload,
    close,
    create,
    rename,
    recolour,
    setHidden,
    setClass,
    remove,
    setActive,
    toggleSelected,
  };
});
