import { ApiError } from '../api/apiError.ts';
import type { ObjectKind, ObjectsService, ObjectSummary } from '../api/contract.ts';
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

  async create(args: { projectId: string; clipId: string; name: string; kind: ObjectKind; paletteIndex?: number; firstFrame?: number }): Promise<ObjectSummary> {
    const store = this.library.open(args.projectId);
    const clip = store.getClip(args.clipId);
    if (!clip) throw new ApiError('NOT_FOUND', `This project has no clip ${args.clipId}.`);
    if (args.firstFrame !== undefined && args.firstFrame >= clip.frameCount) {
      throw new ApiError('OUT_OF_RANGE', `Frame ${args.firstFrame} is past the end of "${clip.name}" (${clip.frameCount} frames).`);
    }
    const name = args.name.trim();
    if (!name) throw new ApiError('INVALID_ARGUMENT', 'An object needs a name.');
    return toObjectSummary(
      store.transaction(() => store.addObject({ clipId: args.clipId, name, kind: args.kind, paletteIndex: args.paletteIndex, firstFrame: args.firstFrame })),
    );
  }

  async update(args: { projectId: string; objectId: string; name?: string; paletteIndex?: number; hidden?: boolean }): Promise<ObjectSummary> {
    const store = this.library.open(args.projectId);
    if (!store.getObject(args.objectId)) throw new ApiError('NOT_FOUND', `This project has no object ${args.objectId}.`);
    const { projectId: _projectId, objectId, ...patch } = args;
    if (patch.name !== undefined && !patch.name.trim()) throw new ApiError('INVALID_ARGUMENT', 'An object needs a name.');
    return toObjectSummary(store.transaction(() => store.updateObject(objectId, { ...patch, ...(patch.name ? { name: patch.name.trim() } : {}) })));
  }

  async delete(args: { projectId: string; objectId: string }): Promise<void> {
    const store = this.library.open(args.projectId);
    if (!store.transaction(() => store.deleteObject(args.objectId))) throw new ApiError('NOT_FOUND', `This project has no object ${args.objectId}.`);
  }
}
