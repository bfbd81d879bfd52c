import { describe, expect, it } from 'vitest';
import type { LabelSet } from '../../src-main/core/api/contract.ts';
import { addEntry, draftOf, draftProblem, newDraft, removeEntry, sourcesOf, toDefinition } from './labelSetDraft.ts';

const mouse: LabelSet = {
  id: 'm', kind: 'skeleton', name: 'mouse', preset: null, objectCount: 1, classes: [],
  joints: ['nose', 'left ear', 'right ear', 'neck', 'tail base'].map((name) => ({ name, defaultVisibility: 2 as const })),
  edges: [[0, 3], [1, 3], [2, 3], [3, 4]], flipPairs: [[1, 2]],
};

describe('label set drafts', () => {
  it('keeps where each joint came from, so a rename moves nothing and a removal is told apart from a rename', () => {
    const draft = draftOf(mouse);
    draft.entries[4]!.name = 'tail';
    expect(sourcesOf(draft)).toEqual([0, 1, 2, 3, 4]);
    removeEntry(draft, 1);
    addEntry(draft);
    expect(sourcesOf(draft)).toEqual([0, 2, 3, 4, null]);
    expect(draft.entries.map((entry) => entry.name)).toEqual(['nose', 'right ear', 'neck', 'tail', 'joint 5']);
  });

  it('drops the edges and flip pairs through a removed joint and renumbers the rest', () => {
    const draft = draftOf(mouse);
    removeEntry(draft, 1);
    expect(draft.edges).toEqual([[0, 2], [1, 2], [2, 3]]);
    expect(draft.flipPairs).toEqual([]);
    expect(toDefinition(draft)).toMatchObject({ kind: 'skeleton', joints: [{ name: 'nose' }, { name: 'right ear' }, { name: 'neck' }, { name: 'tail base' }], classes: [] });
  });

  it('starts new sets valid: a part set with background and one class, a skeleton with two joined joints', () => {
    const parts = newDraft('parts', 'fish');
    expect(toDefinition(parts).classes.map((entry) => entry.name)).toEqual(['background', 'part 1']);
    addEntry(parts);
    expect(parts.entries[2]).toMatchObject({ name: 'part 2', source: null });
    expect(toDefinition(newDraft('skeleton', 's'))).toMatchObject({ joints: [{ name: 'joint 1' }, { name: 'joint 2' }], edges: [[0, 1]] });
  });

  it('says what is wrong before saving: blank or repeated names, too many part classes', () => {
    const draft = draftOf(mouse);
    draft.entries[2]!.name = 'left ear';
    expect(draftProblem(draft)).toBe('Two entries are named "left ear".');
    draft.entries[2]!.name = ' ';
    expect(draftProblem(draft)).toBe('Entry 3 has no name.');
    const parts = newDraft('parts', 'many');
    while (parts.entries.length < 257) addEntry(parts);
    expect(draftProblem(parts)).toMatch(/at most 255 classes plus background/);
  });
});
