/*
 * The annotator's own label sets (issue 21): object classes, part classes and skeletons per project, with the
 * JHMDB, COCO, VIP and DAVIS presets. The engine never reads names: a part class is its index in the label map, a
 * joint its index in the skeleton; these definitions give them names, colours, bones and flip pairs.
 */
import type { KeypointVisibility, LabelClass, LabelSetDefinition, LabelSetKind, LabelSetPreset, SkeletonJoint } from './labelSetTypes.ts';

/** A label map holds one byte per pixel: a part set has at most 256 entries, background (0) and 255 classes. */
export const MAX_PART_CLASSES = 256;
/** Joints a skeleton may have (the keypoint encoding makes one Gaussian map per joint). */
export const MAX_JOINTS = 128;
/** Classes an object-class set may have. */
export const MAX_OBJECT_CLASSES = 1000;
export const labelSetKinds: readonly LabelSetKind[] = ['classes', 'parts', 'skeleton'];

export class LabelSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSetError';
  }
}

/** Colour of entry `index` of the PASCAL-VOC colour map (SPEC §1.1), as '#rrggbb'. */
export function vocHex(index: number): string {
  let [red, green, blue, rest] = [0, 0, 0, index & 0xff];
  for (let bit = 7; bit >= 0; bit--) {
    red |= (rest & 1) << bit;
    green |= ((rest >> 1) & 1) << bit;
    blue |= ((rest >> 2) & 1) << bit;
    rest >>= 3;
  }
  return `#${[red, green, blue].map((value) => value.toString(16).padStart(2, '0')).join('')}`;
}

const classesOf = (names: readonly string[]): LabelClass[] => names.map((name, index) => ({ name, color: vocHex(index) }));
const jointsOf = (names: readonly string[]): SkeletonJoint[] => names.map((name) => ({ name, defaultVisibility: 2 as KeypointVisibility }));

/** Pairs of joints whose names differ only by left/right (the flip pairs a preset implies). */
export function leftRightPairs(names: readonly string[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  names.forEach((name, left) => {
    if (!/^left[ _]/.test(name)) return;
    const right = names.indexOf(name.replace(/^left/, 'right'));
    if (right >= 0) pairs.push([left, right]);
  });
  return pairs;
}

/** The VIP part classes, id = index (SPEC §4): the order `vipFormat.ts` writes and `vipMiou.ts` scores. */
/** VIP's 20 part classes (SPEC §4), index = class id; the VIP format reads and writes these ids. */
export const vipClassNames: readonly string[] = [
  'background', 'hat', 'hair', 'sun-glasses', 'upper-clothes', 'dress', 'coat', 'socks', 'pants', 'gloves', 'scarf',
  'skirt', 'torso-skin', 'face', 'right-arm', 'left-arm', 'right-leg', 'left-leg', 'right-shoe', 'left-shoe',
];
const vipPartNames = vipClassNames;

/** The 15 JHMDB joints in file order (SPEC §3.1), as the editor has always named them. */
export const jhmdbJointNames: readonly string[] = [
  'neck', 'belly', 'face', 'right shoulder', 'left shoulder', 'right hip', 'left hip', 'right elbow', 'left elbow',
  'right knee', 'left knee', 'right wrist', 'left wrist', 'right ankle', 'left ankle',
];
/** Bones of the CRW `vis_pose` tree as [child, parent] (SPEC §3.1; the belly is the root). */
const jhmdbEdges: Array<[number, number]> = [1, -1, 0, 0, 0, 1, 1, 3, 4, 5, 6, 7, 8, 9, 10].flatMap((parent, child) =>
  parent < 0 ? [] : [[child, parent] as [number, number]],
);

/** COCO person keypoints and skeleton (the 1-based pairs of the COCO categories, made 0-based). */
const cocoJointNames: readonly string[] = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder', 'left_elbow',
  'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle',
  'right_ankle',
];
const cocoEdges: Array<[number, number]> = (
  [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11], [2, 3],
    [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]] as Array<[number, number]>
).map(([a, b]) => [a - 1, b - 1]);

function skeleton(name: string, joints: readonly string[], edges: Array<[number, number]>): LabelSetDefinition {
  return { kind: 'skeleton', name, classes: [], joints: jointsOf(joints), edges, flipPairs: leftRightPairs(joints) };
}

/** The presets a project's label sets can start from. */
export function labelSetPresets(): LabelSetPreset[] {
  return [
    { preset: 'jhmdb', description: 'JHMDB: 15 body joints (SPEC §3.1)', ...skeleton('JHMDB joints', jhmdbJointNames, jhmdbEdges) },
    { preset: 'coco', description: 'COCO: 17 person keypoints', ...skeleton('COCO keypoints', cocoJointNames, cocoEdges) },
    { preset: 'vip', description: 'VIP: background and 19 human parts', kind: 'parts', name: 'VIP parts', classes: classesOf(vipPartNames), joints: [], edges: [], flipPairs: [] },
    { preset: 'davis', description: 'DAVIS: mask objects without classes', kind: 'classes', name: 'DAVIS objects', classes: [], joints: [], edges: [], flipPairs: [] },
  ];
}

export function labelSetPreset(preset: string): LabelSetPreset {
  const found = labelSetPresets().find((candidate) => candidate.preset === preset);
  if (!found) throw new LabelSetError(`unknown label set preset "${preset}" (known: ${labelSetPresets().map((p) => p.preset).join(', ')})`);
  return found;
}

/** The definition of today's fixed vocabularies: what a label set of 15 joints or a VIP part map means by default. */
export const jhmdbSkeleton = (): LabelSetDefinition => strip(labelSetPreset('jhmdb'));
export const vipParts = (): LabelSetDefinition => strip(labelSetPreset('vip'));

function strip({ kind, name, classes, joints, edges, flipPairs }: LabelSetDefinition): LabelSetDefinition {
  return { kind, name, classes, joints, edges, flipPairs };
}

function checkNames(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (typeof name !== 'string' || !name.trim()) throw new LabelSetError(`${what} ${index} has no name`);
    if (name.length > 100) throw new LabelSetError(`${what} "${name.slice(0, 20)}…" has a name longer than 100 characters`);
    if (seen.has(name.trim())) throw new LabelSetError(`two ${what}s are named "${name.trim()}"`);
    seen.add(name.trim());
  });
}

function checkPairs(pairs: unknown, count: number, what: string): Array<[number, number]> {
  if (!Array.isArray(pairs)) throw new LabelSetError(`${what} must be a list of joint pairs`);
  const seen = new Set<string>();
  return pairs.map((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((j) => Number.isInteger(j) && j >= 0 && j < count)) {
      throw new LabelSetError(`${what} ${index} must be two joint indices within 0..${count - 1}`);
    }
    const [a, b] = pair as [number, number];
    if (a === b) throw new LabelSetError(`${what} ${index} joins joint ${a} to itself`);
    const key = `${Math.min(a, b)}-${Math.max(a, b)}`;
    if (seen.has(key)) throw new LabelSetError(`${what} ${index} repeats joints ${a} and ${b}`);
    seen.add(key);
    return [a, b];
  });
}

/** Checks a definition and returns it trimmed; the messages say which entry is wrong. */
export function checkLabelSetDefinition(definition: LabelSetDefinition): LabelSetDefinition {
  const { kind } = definition;
  if (!labelSetKinds.includes(kind)) throw new LabelSetError(`label set kind must be one of ${labelSetKinds.join(', ')}`);
  const name = String(definition.name ?? '').trim();
  if (!name || name.length > 200) throw new LabelSetError('a label set needs a name of 1 to 200 characters');
  const classes = kind === 'skeleton' ? [] : definition.classes.map((entry) => ({ name: String(entry.name ?? '').trim(), color: String(entry.color ?? '').toLowerCase() }));
  checkNames(classes.map((entry) => entry.name), 'class');
  classes.forEach((entry) => {
    if (!/^#[0-9a-f]{6}$/.test(entry.color)) throw new LabelSetError(`class "${entry.name}" has colour "${entry.color}"; expected #rrggbb`);
  });
  if (kind === 'parts' && (classes.length < 2 || classes.length > MAX_PART_CLASSES)) {
    throw new LabelSetError(`a part set has background and 1 to ${MAX_PART_CLASSES - 1} classes (a label map holds one byte per pixel); "${name}" has ${classes.length} entries`);
  }
  if (kind === 'classes' && classes.length > MAX_OBJECT_CLASSES) throw new LabelSetError(`an object-class set has at most ${MAX_OBJECT_CLASSES} classes`);
  if (kind !== 'skeleton') return { kind, name, classes, joints: [], edges: [], flipPairs: [] };
  const joints = definition.joints.map((joint) => ({ name: String(joint.name ?? '').trim(), defaultVisibility: joint.defaultVisibility }));
  if (joints.length < 1 || joints.length > MAX_JOINTS) throw new LabelSetError(`a skeleton has 1 to ${MAX_JOINTS} joints; "${name}" has ${joints.length}`);
  checkNames(joints.map((joint) => joint.name), 'joint');
  joints.forEach((joint) => {
    if (joint.defaultVisibility !== 0 && joint.defaultVisibility !== 1 && joint.defaultVisibility !== 2) {
      throw new LabelSetError(`joint "${joint.name}" has default visibility ${String(joint.defaultVisibility)}; expected 0, 1 or 2`);
    }
  });
  const edges = checkPairs(definition.edges, joints.length, 'edge');
  const flipPairs = checkPairs(definition.flipPairs, joints.length, 'flip pair');
  const flipped = flipPairs.flat();
  if (new Set(flipped).size !== flipped.length) throw new LabelSetError('a joint is in two flip pairs');
  return { kind, name, classes: [], joints, edges, flipPairs };
}

/** The entries (classes or joints) a change keeps, moves or adds: new index → old index (or null). */
export function entryCount(definition: LabelSetDefinition): number {
  return definition.kind === 'skeleton' ? definition.joints.length : definition.classes.length;
}

export function entryNames(definition: LabelSetDefinition): string[] {
  return definition.kind === 'skeleton' ? definition.joints.map((joint) => joint.name) : definition.classes.map((entry) => entry.name);
}

/**
 * Old index → new index (-1 = removed) for a change whose new entry i comes from `sources[i]`. Parts keep their
 * background: entry 0 must stay entry 0 (the eraser's value and what every other pixel is).
 */
export function entryMapping(before: LabelSetDefinition, after: LabelSetDefinition, sources: ReadonlyArray<number | null>): Int32Array {
  if (before.kind !== after.kind) throw new LabelSetError(`a ${before.kind} set cannot become a ${after.kind} set`);
  const oldCount = entryCount(before);
  if (sources.length !== entryCount(after)) throw new LabelSetError(`sources has ${sources.length} entries; the new definition has ${entryCount(after)}`);
  const mapping = new Int32Array(oldCount).fill(-1);
  sources.forEach((source, index) => {
    if (source === null) return;
    if (!Number.isInteger(source) || source < 0 || source >= oldCount) throw new LabelSetError(`sources[${index}] = ${source} is not an entry of the old definition (0..${oldCount - 1})`);
    if (mapping[source] !== -1) throw new LabelSetError(`old entry ${source} is the source of two new entries`);
    mapping[source] = index;
  });
  if (after.kind === 'parts' && mapping[0] !== 0) throw new LabelSetError('entry 0 of a part set is the background; it stays first');
  return mapping;
}

/** True when the mapping keeps every entry where it was (renames and recolours only, additions at the end). */
export function isIdentityMapping(mapping: Int32Array): boolean {
  return mapping.every((to, from) => to === from);
}
