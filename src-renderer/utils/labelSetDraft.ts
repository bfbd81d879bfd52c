import type { KeypointVisibility, LabelSet, LabelSetDefinition, LabelSetKind } from '../../src-main/core/api/contract.ts';
import { vocColour } from './vocPalette.ts';

/** One class or joint being edited, with the index it has in the saved set (null: added in this edit). */
export interface DraftEntry {
  name: string;
  color: string;
  defaultVisibility: KeypointVisibility;
  source: number | null;
}

/** A label set under edit in the label set dialog; edges and flip pairs index into `entries`. */
export interface LabelSetDraft {
  id?: string;
  kind: LabelSetKind;
  name: string;
  entries: DraftEntry[];
  edges: Array<[number, number]>;
  flipPairs: Array<[number, number]>;
}

/** A label map holds one byte per pixel: background and at most 255 part classes. */
export const maxPartClasses = 255;

const hex = (index: number) => `#${vocColour(index).map((c) => c.toString(16).padStart(2, '0')).join('')}`;

export function draftOf(set: LabelSet): LabelSetDraft {
  const entries = set.kind === 'skeleton'
    ? set.joints.map((joint, index) => ({ name: joint.name, color: '', defaultVisibility: joint.defaultVisibility, source: index }))
    : set.classes.map((entry, index) => ({ name: entry.name, color: entry.color, defaultVisibility: 2 as const, source: index }));
  return { id: set.id, kind: set.kind, name: set.name, entries, edges: set.edges.map(([a, b]) => [a, b]), flipPairs: set.flipPairs.map(([a, b]) => [a, b]) };
}

/** A new, unsaved set of a kind with a first entry or two, so it is valid as it stands. */
export function newDraft(kind: LabelSetKind, name: string): LabelSetDraft {
  const entry = (entryName: string, index: number): DraftEntry => ({ name: entryName, color: hex(index), defaultVisibility: 2, source: null });
  if (kind === 'skeleton') return { kind, name, entries: [entry('joint 1', 1), entry('joint 2', 2)], edges: [[0, 1]], flipPairs: [] };
  if (kind === 'parts') return { kind, name, entries: [{ ...entry('background', 0), color: '#000000' }, entry('part 1', 1)], edges: [], flipPairs: [] };
  return { kind, name, entries: [entry('class 1', 1)], edges: [], flipPairs: [] };
}

/** The next entry's default name and colour ("joint 6", the next palette colour). */
export function addEntry(draft: LabelSetDraft): void {
  const word = draft.kind === 'skeleton' ? 'joint' : draft.kind === 'parts' ? 'part' : 'class';
  const taken = new Set(draft.entries.map((entry) => entry.name));
  let number = draft.entries.length + (draft.kind === 'parts' ? 0 : 1);
  while (taken.has(`${word} ${number}`)) number++;
  draft.entries.push({ name: `${word} ${number}`, color: hex(draft.entries.length + (draft.kind === 'parts' ? 0 : 1)), defaultVisibility: 2, source: null });
}

/** Removes entry `index`; edges and flip pairs through it go, later indices move down. */
export function removeEntry(draft: LabelSetDraft, index: number): void {
  draft.entries.splice(index, 1);
  const shift = (pairs: Array<[number, number]>) =>
    pairs.filter(([a, b]) => a !== index && b !== index).map(([a, b]) => [a > index ? a - 1 : a, b > index ? b - 1 : b] as [number, number]);
  draft.edges = shift(draft.edges);
  draft.flipPairs = shift(draft.flipPairs);
}

export function toDefinition(draft: LabelSetDraft): LabelSetDefinition {
  const skeleton = draft.kind === 'skeleton';
  return {
    kind: draft.kind,
    name: draft.name.trim(),
    classes: skeleton ? [] : draft.entries.map((entry) => ({ name: entry.name.trim(), color: entry.color })),
    joints: skeleton ? draft.entries.map((entry) => ({ name: entry.name.trim(), defaultVisibility: entry.defaultVisibility })) : [],
    edges: skeleton ? draft.edges.filter(([a, b]) => a !== b) : [],
    flipPairs: skeleton ? draft.flipPairs.filter(([a, b]) => a !== b) : [],
  };
}

/** Where each entry of the draft comes from in the saved set: what the engine needs to rewrite labels. */
export const sourcesOf = (draft: LabelSetDraft): Array<number | null> => draft.entries.map((entry) => entry.source);

/** A sentence for what is wrong with the draft before it goes to the engine (which checks again), or undefined. */
export function draftProblem(draft: LabelSetDraft): string | undefined {
  if (!draft.name.trim()) return 'The label set needs a name.';
  const names = draft.entries.map((entry) => entry.name.trim());
  const blank = names.findIndex((name) => !name);
  if (blank >= 0) return `Entry ${blank + 1} has no name.`;
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) return `Two entries are named "${repeated}".`;
  if (draft.kind === 'parts' && names.length < 2) return 'A part set needs background and at least one class.';
  if (draft.kind === 'parts' && names.length > maxPartClasses + 1) return `A part set holds at most ${maxPartClasses} classes plus background (a label map stores one byte per pixel).`;
  if (draft.kind === 'skeleton' && names.length === 0) return 'A skeleton needs at least one joint.';
  return undefined;
}
