import { describe, expect, it } from 'vitest';
import type { ClipTimeline, FrameAnnotations } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { useAnnotationsStore } from './annotations.ts';
import { deferred, flushPromises, installStoresWith } from './storeTestHarness.ts';

const emptyTimeline = (): ClipTimeline => ({ frameCount: 4, keyframes: [], propagated: [], confidence: [null, null, null, null], reviewed: [false, false, false, false] });
const frameOf = (frameIndex: number, mask?: number[]): FrameAnnotations => ({
  frameIndex, width: 2, height: 1,
  annotations: mask ? [{ objectId: 'o1', source: 'propagated', confidence: 0.5, mask: new Uint8Array(mask) }] : [],
});

describe('annotations store', () => {
  it('shows labels read ahead for playback at once, and reads again once a run, an edit or a reload changed them', async () => {
    const asked: number[] = [];
    installStoresWith({
      annotations: {
        getTimeline: async () => emptyTimeline(),
        getFrame: async ({ frameIndex }) => (asked.push(frameIndex), frameOf(frameIndex, [1, 0])),
        putMask: async () => ({ revision: 1 }),
      },
    });
    const store = useAnnotationsStore();
    store.open('p1', 'c1');
    await store.prefetchLabels(3);
    expect(store.hasLabels(3)).toBe(true);
    store.loadFrame(3);
    expect(store.frame?.frameIndex).toBe(3);
    expect(asked).toEqual([3]);
    store.onFramePropagated(2);
    expect(store.hasLabels(3)).toBe(false);
    await store.prefetchLabels(3);
    await store.commitMask('o1', 1, new Uint8Array([1, 1]));
    expect(store.hasLabels(3)).toBe(false);
    store.loadFrame(3);
    await flushPromises();
    expect(asked).toEqual([3, 3, 3]);
  });

  it('shows an edit at once, marks its frame a keyframe and saves it through putMask', async () => {
    const saved: { frameIndex: number; mask: number[] }[] = [];
    installStoresWith({
      annotations: {
        getTimeline: async () => emptyTimeline(),
        getFrame: async ({ frameIndex }) => frameOf(frameIndex, [1, 0]),
        putMask: async ({ frameIndex, mask }) => (saved.push({ frameIndex, mask: Array.from(mask) }), { revision: 1 }),
      },
    });
    const store = useAnnotationsStore();
    store.open('p1', 'c1');
    store.loadFrame(2);
    await flushPromises();
    expect(Array.from(store.annotationOf('o1', 2)!.mask!)).toEqual([1, 0]);
    const done = store.commitMask('o1', 2, new Uint8Array([1, 1]));
    expect(store.annotationOf('o1', 2)).toMatchObject({ source: 'user', confidence: null });
    expect(store.timeline?.keyframes).toEqual([2]);
    await expect(done).resolves.toBe(true);
    expect(saved).toEqual([{ frameIndex: 2, mask: [1, 1] }]);
  });

  it('never lets a frame load that started before an edit bring the old label back', async () => {
    const firstLoad = deferred<FrameAnnotations>();
    let loads = 0;
    let stored = [1, 0];
    installStoresWith({
      annotations: {
        getTimeline: async () => emptyTimeline(),
        getFrame: ({ frameIndex }) => (++loads === 1 ? firstLoad.promise : Promise.resolve(frameOf(frameIndex, stored))),
        putMask: async ({ mask }) => {
          stored = Array.from(mask);
          return { revision: 1 };
        },
      },
    });
    const store = useAnnotationsStore();
    store.open('p1', 'c1');
    store.loadFrame(0);
    await flushPromises();
    void store.commitMask('o1', 0, new Uint8Array([0, 1]));
    firstLoad.resolve(frameOf(0, [1, 0]));
    await flushPromises();
    await flushPromises();
    expect(Array.from(store.annotationOf('o1', 0)?.mask ?? [])).toEqual([0, 1]);
  });

  it('keeps the message and reloads the frame when a save fails', async () => {
    installStoresWith({
      annotations: {
        getTimeline: async () => emptyTimeline(),
        getFrame: async ({ frameIndex }) => frameOf(frameIndex, [1, 0]),
        putMask: async () => Promise.reject(new Error('disk full')),
      },
    });
    const store = useAnnotationsStore();
    store.open('p1', 'c1');
    store.loadFrame(1);
    await flushPromises();
    await expect(store.commitMask('o1', 1, new Uint8Array([1, 1]))).resolves.toBe(false);
    await flushPromises();
    expect(store.saveError).toMatch(/disk full/);
    expect(Array.from(store.annotationOf('o1', 1)!.mask!)).toEqual([1, 0]);
  });

  it('reloads the frame on screen when propagation reports writing it', async () => {
    let version = 0;
    installStoresWith({
      annotations: {
        getTimeline: async () => emptyTimeline(),
        getFrame: async ({ frameIndex }) => frameOf(frameIndex, version++ === 0 ? [0, 0] : [1, 1]),
      },
    });
    const store = useAnnotationsStore();
    store.open('p1', 'c1');
    store.loadFrame(3);
    await flushPromises();
    store.onFramePropagated(2);
    await flushPromises();
    expect(Array.from(store.annotationOf('o1', 3)!.mask!)).toEqual([0, 0]);
    store.onFramePropagated(3);
    await flushPromises();
    expect(Array.from(store.annotationOf('o1', 3)!.mask!)).toEqual([1, 1]);
  });

  it('saves on the revision it loaded, moves it forward with each save, and reloads the frame when the engine refuses a stale one', async () => {
    const bases: Array<number | undefined> = [];
    let stored = 4;
    installStoresWith({
      annotations: {
        getTimeline: async () => emptyTimeline(),
        getFrame: async ({ frameIndex }) => ({ ...frameOf(frameIndex, [1, 0]), revisions: { o1: stored } }),
        putMask: async ({ baseRevision }) => {
          bases.push(baseRevision);
          if (baseRevision !== stored) throw new ApiClientError('STALE_REVISION', '"Car" on frame 1 was changed in another window (or by a run) since you loaded it.');
          return { revision: ++stored };
        },
      },
    });
    const store = useAnnotationsStore();
    store.open('p1', 'c1');
    store.loadFrame(1);
    await flushPromises();
    void store.commitMask('o1', 1, new Uint8Array([1, 1]));
    await expect(store.commitMask('o1', 1, new Uint8Array([0, 1]))).resolves.toBe(true);
    expect(bases).toEqual([4, 5]);
    // Another window saves the label meanwhile: this window's next save is refused and the frame reloads.
    stored = 9;
    await expect(store.commitMask('o1', 1, new Uint8Array([1, 1]))).resolves.toBe(false);
    expect(store.saveError).toMatch(/^Not saved: "Car" on frame 1 was changed in another window/);
    await flushPromises();
    expect(Array.from(store.annotationOf('o1', 1)!.mask!)).toEqual([1, 0]);
    expect(store.frame?.revisions).toEqual({ o1: 9 });
    await expect(store.commitMask('o1', 1, new Uint8Array([0, 0]))).resolves.toBe(true);
    expect(bases.at(-1)).toBe(9);
  });
});
