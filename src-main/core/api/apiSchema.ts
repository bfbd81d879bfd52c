import type { CorrespondApi } from './contract.ts';
import { v, type Validator } from './validation.ts';

/** How a binding must treat one method: its argument validator, and whether it is a long call (progress, cancel). */
export interface MethodSchema {
  args: Validator<unknown>;
  long?: boolean;
}

type ApiSchema = { [S in keyof CorrespondApi]: { [M in keyof CorrespondApi[S]]: MethodSchema } };

const projectId = v.id();
const name = v.string({ minLength: 1, maxLength: 200 });
const path = v.string({ minLength: 1, maxLength: 4096 });

/**
 * Every method of the contract, with the validation its arguments get at the boundary (house rule 11). The mapped
 * type makes a method missing here a compile error.
 */
export const apiSchema: ApiSchema = {
  app: {
    getInfo: { args: v.none() },
  },
  projects: {
    list: { args: v.none() },
    create: { args: v.object({ name }) },
    get: { args: v.object({ projectId }) },
    rename: { args: v.object({ projectId, name }) },
    delete: { args: v.object({ projectId }) },
  },
  clips: {
    import: { args: v.object({ projectId, sourcePath: path, name: v.optional(name) }), long: true },
    remove: { args: v.object({ projectId, clipId: v.id() }) },
    getFrame: { args: v.object({ projectId, clipId: v.id(), frameIndex: v.integer({ min: 0, max: 10_000_000 }) }) },
    getThumbnails: { args: v.object({ projectId, clipId: v.id() }) },
  },
  files: {
    listDirectory: { args: v.object({ path: v.optional(path) }) },
  },
};
