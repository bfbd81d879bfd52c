import { ApiError } from '../api/apiError.ts';
import type { EditSession, ObjectKind, ObjectsService, ObjectSummary } from '../api/contract.ts';
import type { ProjectLibrary } from '../store/projectLibrary.ts';
import type { ObjectRecord } from '../store/types.ts';

export function toObjectSummary(object: ObjectRecord): ObjectSummary {
  return {
    id: object.id,
    clipId: object.clipId,
    name: object.name,
    kind: object.kind,
    paletteIndex: object.paletteIndex,
    firstFrame: object.firstFrame,
    lastFrame: object.lastFrame,
    hidden: object.hidden,
    labelSetId: object.labelSetId,
    classIndex: object.classIndex,
  };
}

/** Objects of a clip; every change is one transaction of the project's store. */
export class ProjectObjectsService implements ObjectsService {
  constructor(private readonly library: ProjectLibrary) {}

  async list(args: { projectId: string; clipId: string }): Promise<ObjectSummary[]> {
    const store = this.library.open(args.projectId);
    if (!store.getClip(args.clipId)) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    return store.listObjects(args.clipId).map(toObjectSummary);
  }

  async create(args: { projectId: string; clipId: string; name: string; kind: ObjectKind; paletteIndex?: number; firstFrame?: number; labelSetId?: string | null; classIndex?: number | null } & EditSession): Promise<ObjectSummary> {
    const store = this.library.open(args.projectId);
    const clip = store.getClip(args.clipId);
    if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    if (args.firstFrame !== undefined && args.firstFrame >= clip.frameCount) {
      throw new ApiError('OUT_OF_RANGE', `Frame ${args.firstFrame} is past the end of "${clip.name}" (${clip.frameCount} frames).`);
    }
    const name = args.name.trim();
    if (!name) throw new ApiError('INVALID_ARGUMENT', 'An object needs a name.');
    const label = `add "${name}"`;
    return toObjectSummary(
      store.transaction(() => {
        const step = store.history.begin(clip.id, 'edit', label, args.sessionId);
        // The new object's id is known only once it is added: its row is recorded as created (before: none).
        const object = store.addObject({
          clipId: args.clipId, name, kind: args.kind, paletteIndex: args.paletteIndex, firstFrame: args.firstFrame,
          labelSetId: args.labelSetId, classIndex: args.classIndex,
        });
        store.history.recordCreated(step, { target: 'object', objectId: object.id });
        store.history.finish(step, label);
        return object;
      }),
    );
  }

  async update(args: { projectId: string; objectId: string; name?: string; paletteIndex?: number; hidden?: boolean; labelSetId?: string | null; classIndex?: number | null } & EditSession): Promise<ObjectSummary> {
    const store = this.library.open(args.projectId);
    const current = store.getObject(args.objectId);
    if (!current) throw new ApiError('NOT_FOUND', `This project has no object ${args.objectId}.`);
    // The editing session names the undo step; it is not a field of the object.
    const { projectId: _projectId, objectId, sessionId, ...patch } = args;
    if (patch.name !== undefined && !patch.name.trim()) throw new ApiError('INVALID_ARGUMENT', 'An object needs a name.');
    const change = { ...patch, ...(patch.name ? { name: patch.name.trim() } : {}) };
    const label = updateLabel(current, change);
    return toObjectSummary(
      store.transaction(() => {
        const step = store.history.begin(current.clipId, 'edit', label, sessionId);
        const updated = store.history.track(step, [{ target: 'object', objectId }], () => store.updateObject(objectId, change));
        store.history.finish(step, label);
        return updated;
      }),
    );
  }

  async delete(args: { projectId: string; objectId: string } & EditSession): Promise<void> {
    const store = this.library.open(args.projectId);
    const object = store.getObject(args.objectId);
    if (!object) throw new ApiError('NOT_FOUND', `This project has no object ${args.objectId}.`);
    const label = `delete "${object.name}"`;
    store.transaction(() => {
      const step = store.history.begin(object.clipId, 'edit', label, args.sessionId);
      // The object's row and every label it had, so undo brings all of them back.
      const keys = [{ target: 'object' as const, objectId: object.id }, ...store.history.annotationKeysOf(object.id)];
      store.history.track(step, keys, () => store.deleteObject(object.id));
      store.history.finish(step, label);
    });
  }
}

/** How an undo step names an object change: 'rename "A" to "B"', 'hide "A"', 'recolour "A"'. */
function updateLabel(object: ObjectRecord, change: { name?: string; paletteIndex?: number; hidden?: boolean; labelSetId?: string | null; classIndex?: number | null }): string {
  const parts: string[] = [];
  if ((change.classIndex !== undefined && change.classIndex !== object.classIndex) || (change.labelSetId !== undefined && change.labelSetId !== object.labelSetId)) {
    parts.push(`change the class of "${object.name}"`);
  }
  if (change.name !== undefined && change.name !== object.name) parts.push(`rename "${object.name}" to "${change.name}"`);
  if (change.paletteIndex !== undefined && change.paletteIndex !== object.paletteIndex) parts.push(`recolour "${object.name}"`);
  if (change.hidden !== undefined && change.hidden !== object.hidden) parts.push(`${change.hidden ? 'hide' : 'show'} "${object.name}"`);
  return parts.join(', ') || `change "${object.name}"`;
}
