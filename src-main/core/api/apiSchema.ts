import type { CorrespondApi } from './contract.ts';
import { ApiError } from './apiError.ts';
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
const frameIndex = v.integer({ min: 0, max: 10_000_000 });
const paletteIndex = v.integer({ min: 1, max: 254 });
/** An editing session (one window or tab); see EditSession. */
const sessionId = v.optional(v.id());
const revision = v.optional(v.integer({ min: 0 }));
const exchangeFormat = v.literal('davis', 'jhmdb', 'vip', 'coco', 'cvat', 'ytvos');
const visibility: Validator<0 | 1 | 2> = (value, at) => {
  if (value !== 0 && value !== 1 && value !== 2) throw new ApiError('INVALID_ARGUMENT', `${at} must be 0, 1 or 2.`);
  return value;
};

/**
 * A feature stream spec as the renderer writes it: model names (built-in or registered, named like
 * `fc-1234abcd`), each with an optional weight, joined by `+`. Never a path: the engine opens only models it knows
 * (issue 20, item 11; featureStreams.ts checks the names against the registry).
 */
const streamTerm = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}(@\d+(\.\d+)?(e-\d+)?)?$/;
const streamSpec: Validator<string> = (value, at) => {
  const spec = v.string({ minLength: 1, maxLength: 1000 })(value, at);
  if (!spec.split('+').every((term) => streamTerm.test(term))) {
    throw new ApiError('INVALID_ARGUMENT', `${at} must name models, e.g. "default" or "default+fc@1.75" (no file paths).`);
  }
  return spec;
};
const hexColour = v.string({ minLength: 7, maxLength: 7, pattern: /^#[0-9a-fA-F]{6}$/ });
const jointPair: Validator<[number, number]> = (value, at) => {
  const pair = v.array(v.integer({ min: 0, max: 1000 }), { maxLength: 2 })(value, at);
  if (pair.length !== 2) throw new ApiError('INVALID_ARGUMENT', `${at} must be a pair of joint indices.`);
  return [pair[0]!, pair[1]!];
};
const labelSetDefinition = v.object({
  kind: v.literal('classes', 'parts', 'skeleton'),
  name,
  classes: v.array(v.object({ name: v.string({ minLength: 1, maxLength: 100 }), color: hexColour }), { maxLength: 1000 }),
  joints: v.array(v.object({ name: v.string({ minLength: 1, maxLength: 100 }), defaultVisibility: visibility }), { maxLength: 128 }),
  edges: v.array(jointPair, { maxLength: 2000 }),
  flipPairs: v.array(jointPair, { maxLength: 128 }),
});
const labelSetChange = v.object({
  projectId,
  labelSetId: v.id(),
  definition: labelSetDefinition,
  sources: v.array(v.nullable(v.integer({ min: 0, max: 1000 })), { maxLength: 1000 }),
  clipId: v.optional(v.id()),
});

const propagationRequest = v.object({
  projectId,
  clipId: v.id(),
  objectIds: v.optional(v.array(v.id(), { maxLength: 255 })),
  mode: v.literal('forward', 'backward', 'fill'),
  fromFrame: v.optional(frameIndex),
  toFrame: v.optional(frameIndex),
  stream: v.optional(streamSpec),
});

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
    rename: { args: v.object({ projectId, clipId: v.id(), name }) },
    remove: { args: v.object({ projectId, clipId: v.id() }) },
    getFrame: { args: v.object({ projectId, clipId: v.id(), frameIndex: v.integer({ min: 0, max: 10_000_000 }) }) },
    getThumbnails: { args: v.object({ projectId, clipId: v.id() }) },
  },
  objects: {
    list: { args: v.object({ projectId, clipId: v.id() }) },
    create: {
      args: v.object({
        projectId,
        clipId: v.id(),
        name,
        kind: v.literal('mask', 'part', 'keypoints'),
        paletteIndex: v.optional(paletteIndex),
        firstFrame: v.optional(frameIndex),
        labelSetId: v.optional(v.nullable(v.id())),
        classIndex: v.optional(v.nullable(v.integer({ min: 0, max: 1000 }))),
        sessionId,
      }),
    },
    update: {
      args: v.object({
        projectId,
        objectId: v.id(),
        name: v.optional(name),
        paletteIndex: v.optional(paletteIndex),
        hidden: v.optional(v.boolean()),
        labelSetId: v.optional(v.nullable(v.id())),
        classIndex: v.optional(v.nullable(v.integer({ min: 0, max: 1000 }))),
        sessionId,
      }),
    },
    delete: { args: v.object({ projectId, objectId: v.id(), sessionId }) },
  },
  annotations: {
    getFrame: { args: v.object({ projectId, clipId: v.id(), frameIndex }) },
    removeSmallIslands: {
      args: v.object({ projectId, clipId: v.id(), objectId: v.id(), minPixels: v.integer({ min: 1, max: 100_000_000 }), frameIndex: v.optional(frameIndex), sessionId }),
    },
    putMask: {
      args: v.object({
        projectId,
        clipId: v.id(),
        objectId: v.id(),
        frameIndex,
        mask: v.bytes(),
        tool: v.optional(v.literal('brush', 'eraser', 'polygon', 'fillHoles', 'click')),
        baseRevision: revision,
        sessionId,
      }),
    },
    putKeypoints: {
      args: v.object({
        projectId,
        clipId: v.id(),
        objectId: v.id(),
        frameIndex,
        keypoints: v.array(v.object({ x: v.number(), y: v.number(), visibility }), { maxLength: 128 }),
        baseRevision: revision,
        sessionId,
      }),
    },
    getTimeline: { args: v.object({ projectId, clipId: v.id() }) },
    setReviewed: { args: v.object({ projectId, clipId: v.id(), frameIndex, reviewed: v.boolean(), sessionId }) },
  },
  interactive: {
    segment: {
      args: v.object({
        projectId,
        clipId: v.id(),
        objectId: v.id(),
        frameIndex,
        clicks: v.array(v.object({ x: v.number({ min: 0, max: 100_000 }), y: v.number({ min: 0, max: 100_000 }), positive: v.boolean() }), { maxLength: 500 }),
        box: v.optional(v.object({ x0: v.number({ min: 0, max: 100_000 }), y0: v.number({ min: 0, max: 100_000 }), x1: v.number({ min: 0, max: 100_000 }), y1: v.number({ min: 0, max: 100_000 }) })),
        sessionId,
      }),
    },
  },
  propagation: {
    run: { args: propagationRequest, long: true },
    prepare: { args: propagationRequest },
    lastRun: { args: v.object({ projectId, clipId: v.id() }) },
  },
  history: {
    status: { args: v.object({ projectId, clipId: v.id(), sessionId }) },
    undo: { args: v.object({ projectId, clipId: v.id(), sessionId, confirmOtherSession: v.optional(v.boolean()) }) },
    redo: { args: v.object({ projectId, clipId: v.id(), sessionId, confirmOtherSession: v.optional(v.boolean()) }) },
  },
  vocabularies: {
    list: { args: v.object({ projectId }) },
    presets: { args: v.none() },
    create: { args: v.object({ projectId, definition: labelSetDefinition, preset: v.optional(v.string({ minLength: 1, maxLength: 64 })) }) },
    impact: { args: labelSetChange },
    update: { args: labelSetChange },
    delete: { args: v.object({ projectId, labelSetId: v.id() }) },
  },
  models: {
    list: { args: v.none() },
    presets: { args: v.none() },
    import: { args: v.object({ path, preset: v.optional(v.string({ minLength: 1, maxLength: 64 })), name: v.optional(name) }), long: true },
    remove: { args: v.object({ streamName: v.string({ minLength: 1, maxLength: 200 }) }) },
  },
  training: {
    status: { args: v.object({ projectId }) },
    start: { args: v.object({ projectId, clipIds: v.array(v.id(), { maxLength: 1000 }), steps: v.optional(v.integer({ min: 1, max: 1_000_000 })) }) },
    pause: { args: v.object({ projectId }) },
    resume: { args: v.object({ projectId }) },
    cancel: { args: v.object({ projectId }) },
  },
  files: {
    listDirectory: { args: v.object({ path: v.optional(path) }) },
  },
  exchange: {
    formats: { args: v.none() },
    export: {
      args: v.object({
        projectId,
        clipIds: v.optional(v.array(v.id(), { maxLength: 1000 })),
        format: exchangeFormat,
        destination: path,
        folderName: v.optional(v.string({ minLength: 1, maxLength: 200 })),
        options: v.optional(
          v.object({
            includeFrames: v.optional(v.boolean()),
            allFrames: v.optional(v.boolean()),
            className: v.optional(v.string({ minLength: 1, maxLength: 200 })),
            overwrite: v.optional(v.boolean()),
          }),
        ),
      }),
      long: true,
    },
    import: {
      args: v.object({
        projectId,
        clipId: v.id(),
        format: exchangeFormat,
        sourcePath: path,
        sequence: v.optional(v.string({ minLength: 1, maxLength: 400 })),
        anyPalette: v.optional(v.boolean()),
        replace: v.optional(v.boolean()),
      }),
      long: true,
    },
  },
};
