import { describe, expect, it } from 'vitest';
import type { LabelSet, LabelSetChange, ObjectSummary } from '../../src-main/core/api/contract.ts';
import { installStoresWith } from './storeTestHarness.ts';
import { useVocabulariesStore } from './vocabularies.ts';

const set = (id: string, kind: LabelSet['kind'], name: string, count = 2): LabelSet => ({
  id, kind, name, preset: null, objectCount: 0, edges: [], flipPairs: [],
  classes: kind === 'skeleton' ? [] : Array.from({ length: count }, (_, i) => ({ name: `c${i}`, color: '#000000' })),
  joints: kind === 'skeleton' ? Array.from({ length: count }, (_, i) => ({ name: `j${i}`, defaultVisibility: 2 as const })) : [],
});
const object = (labelSetId: string | null): ObjectSummary => ({ id: 'o', clipId: 'c', name: 'o', kind: 'keypoints', paletteIndex: 1, firstFrame: 0, lastFrame: null, hidden: false, labelSetId });

describe('vocabularies store', () => {
  it('finds an object\'s own set and the set new objects of a kind get (the first, or the one chosen)', async () => {
    installStoresWith({ vocabularies: { list: async () => [set('j', 'skeleton', 'JHMDB', 15), set('v', 'parts', 'VIP', 20), set('m', 'skeleton', 'mouse', 5)], presets: async () => [] } });
    const store = useVocabulariesStore();
    await store.open('p1');
    expect(store.labelSetOf(object('m'))?.name).toBe('mouse');
    expect(store.labelSetOf(object(null))).toBeUndefined();
    expect(store.chosenFor('skeleton')?.id).toBe('j');
    store.choose('skeleton', 'm');
    expect(store.chosenFor('skeleton')?.id).toBe('m');
    expect(store.ofKind('parts').map((s) => s.id)).toEqual(['v']);
  });

  it('sends a change with the clip on screen (its undo step) and keeps the updated set', async () => {
    const sent: LabelSetChange[] = [];
    installStoresWith({
      vocabularies: {
        list: async () => [set('m', 'skeleton', 'mouse', 2)],
        presets: async () => [],
        update: async (args) => {
          sent.push(args);
          return { ...set('m', 'skeleton', args.definition.name, 2) };
        },
      },
    });
    const store = useVocabulariesStore();
    await store.open('p1');
    const definition = { ...set('m', 'skeleton', 'mouse 2', 2) };
    await store.update(store.change('m', definition, [0, 1], 'clip-1'));
    expect(sent[0]).toMatchObject({ projectId: 'p1', labelSetId: 'm', sources: [0, 1], clipId: 'clip-1' });
    expect(store.labelSets[0]!.name).toBe('mouse 2');
  });
});
