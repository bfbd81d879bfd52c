import { describe, expect, it } from 'vitest';
import type { ObjectSummary } from '../../src-main/core/api/contract.ts';
import { useObjectsStore } from './objects.ts';
import { installStoresWith } from './storeTestHarness.ts';
import { editSessionId } from '../utils/editSession.ts';

const object = (id: string, paletteIndex: number, extra: Partial<ObjectSummary> = {}): ObjectSummary => ({
  id, clipId: 'c1', name: id, kind: 'mask', paletteIndex, firstFrame: 0, lastFrame: null, hidden: false, ...extra,
});

describe('objects store', () => {
  it('adds an object with the first free palette colour on the current frame and makes it active', async () => {
    const created: unknown[] = [];
    installStoresWith({
      objects: {
        list: async () => [object('a', 1), object('b', 3)],
        create: async (args) => {
          created.push(args);
          return object('c', args.paletteIndex ?? 0, { kind: args.kind, name: args.name, firstFrame: args.firstFrame ?? 0 });
        },
      },
    });
    const store = useObjectsStore();
    await store.open('p1', 'c1');
    expect(store.activeObjectId).toBe('a');
    await store.create('keypoints', 10);
    expect(created).toEqual([{ projectId: 'p1', clipId: 'c1', name: 'Pose 1', kind: 'keypoints', paletteIndex: 2, firstFrame: 10, sessionId: editSessionId }]);
    expect(store.objects.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(store.activeObjectId).toBe('c');
  });

  it('propagates the ticked visible objects, or every visible one when none is ticked', async () => {
    installStoresWith({ objects: { list: async () => [object('a', 1), object('b', 2), object('h', 3, { hidden: true })] } });
    const store = useObjectsStore();
    await store.open('p1', 'c1');
    expect(store.propagationTargets.map((o) => o.id)).toEqual(['a', 'b']);
    store.toggleSelected('b');
    expect(store.propagationTargets.map((o) => o.id)).toEqual(['b']);
  });

  it('ticks a new object when others are ticked, so the next run includes it', async () => {
    installStoresWith({ objects: { list: async () => [object('a', 1), object('b', 2)], create: async (args) => object('c', args.paletteIndex ?? 3, { kind: args.kind }) } });
    const store = useObjectsStore();
    await store.open('p1', 'c1');
    store.toggleSelected('a');
    await store.create('keypoints', 0);
    expect(store.propagationTargets.map((o) => o.id)).toEqual(['a', 'c']);
  });

  it('removes a deleted object and picks another active one; keeps the error when the engine refuses', async () => {
    let refuse = false;
    installStoresWith({
      objects: {
        list: async () => [object('a', 1), object('b', 2)],
        delete: async () => (refuse ? Promise.reject(new Error('locked')) : undefined),
      },
    });
    const store = useObjectsStore();
    await store.open('p1', 'c1');
    await expect(store.remove('a')).resolves.toBe(true);
    expect(store.activeObjectId).toBe('b');
    refuse = true;
    await expect(store.remove('b')).resolves.toBe(false);
    expect(store.actionError).toBe('locked');
    expect(store.objects).toHaveLength(1);
  });
});
