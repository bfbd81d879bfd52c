import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallOptions, ClipTimeline, ObjectSummary, PropagationRequest, PropagationSummary } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { useAnnotationsStore } from './annotations.ts';
import { useObjectsStore } from './objects.ts';
import { PREPARE_STORAGE_KEY, progressFrameIndex, usePropagationStore } from './propagation.ts';
import { deferred, flushPromises, installStoresWith } from './storeTestHarness.ts';

const timeline: ClipTimeline = { frameCount: 3, keyframes: [0], propagated: [], confidence: [null, null, null], reviewed: [false, false, false] };
const summary: PropagationSummary = { runId: 'r', mode: 'forward', framesWritten: 2, msPerFrame: 40, device: 'CPU', stream: 'default', cancelled: false };

describe('propagation store', () => {
  it("reads the reported frame from the contract's frameIndex, never from the message", () => {
    expect(progressFrameIndex({ done: 1, total: 3, frameIndex: 7 })).toBe(7);
    expect(progressFrameIndex({ done: 1, total: 3, message: 'Frame 12 of 30' })).toBeUndefined();
    expect(progressFrameIndex({ done: 1, total: 3 })).toBeUndefined();
  });

  it('shows progress, refreshes the timeline as frames arrive and keeps the summary', async () => {
    const call = deferred<PropagationSummary>();
    let options: CallOptions = {};
    let timelineLoads = 0;
    installStoresWith({
      annotations: { getTimeline: async () => (timelineLoads++, timeline), getFrame: async ({ frameIndex }) => ({ frameIndex, width: 1, height: 1, annotations: [] }) },
      propagation: {
        run: (_args, callOptions) => {
          options = callOptions ?? {};
          return call.promise;
        },
      },
    });
    useAnnotationsStore().open('p1', 'c1');
    await flushPromises();
    const store = usePropagationStore();
    const result = store.run({ projectId: 'p1', clipId: 'c1', mode: 'forward', fromFrame: 0 });
    options.onProgress?.({ done: 1, total: 2, message: 'Frame 1', frameIndex: 1 } as never);
    expect(store.running).toMatchObject({ mode: 'forward', fraction: 0.5, frameIndex: 1 });
    await flushPromises();
    expect(timelineLoads).toBeGreaterThanOrEqual(2);
    call.resolve(summary);
    await expect(result).resolves.toEqual(summary);
    expect(store.running).toBeUndefined();
    expect(store.lastSummary).toEqual(summary);
  });

  it('cancels through the signal and shows no error for it', async () => {
    installStoresWith({
      annotations: { getTimeline: async () => timeline },
      propagation: {
        run: (_args, callOptions) =>
          new Promise((_resolve, reject) => {
            callOptions?.signal?.addEventListener('abort', () => reject(new ApiClientError('CANCELLED', 'Cancelled.')));
          }),
      },
    });
    useAnnotationsStore().open('p1', 'c1');
    const store = usePropagationStore();
    const result = store.run({ projectId: 'p1', clipId: 'c1', mode: 'fill' });
    store.cancel();
    await expect(result).resolves.toBeUndefined();
    expect(store.runError).toBeUndefined();
    expect(store.running).toBeUndefined();
  });
});

describe('which frames a button asks for', () => {
  it('fills only between the two keyframes around the playhead', async () => {
    const keyframed: ClipTimeline = { frameCount: 40, keyframes: [0, 10, 30], propagated: [], confidence: Array(40).fill(null), reviewed: Array(40).fill(false) };
    installStoresWith({
      annotations: { getTimeline: async () => keyframed },
      objects: { list: async () => [{ id: 'o1', name: 'Object', kind: 'mask', hidden: false } as ObjectSummary] },
    });
    useAnnotationsStore().open('p1', 'c1');
    await useObjectsStore().open('p1', 'c1');
    await flushPromises();
    const store = usePropagationStore();
    expect(store.requestFor('fill', 5)).toMatchObject({ mode: 'fill', fromFrame: 0, toFrame: 10, objectIds: ['o1'] });
    expect(store.requestFor('fill', 10)).toMatchObject({ fromFrame: 10, toFrame: 30 });
    expect(store.requestFor('fill', 35)).toBeUndefined();
  });

  it("says when the clip's last run was interrupted, and asks again while another window's run writes", async () => {
    let status: 'running' | 'interrupted' = 'running';
    let asked = 0;
    installStoresWith({
      annotations: { getTimeline: async () => timeline },
      propagation: { lastRun: async () => (asked++, { runId: 'r', mode: 'forward', status, framesKept: 4 }) },
    });
    vi.useFakeTimers();
    try {
      const store = usePropagationStore();
      store.openClip('p1', 'c1');
      await vi.advanceTimersByTimeAsync(0);
      expect(store.lastRun).toMatchObject({ status: 'running' });
      status = 'interrupted';
      await vi.advanceTimersByTimeAsync(1000);
      expect(asked).toBe(2);
      expect(store.lastRun).toMatchObject({ status: 'interrupted', framesKept: 4 });
      await vi.advanceTimersByTimeAsync(3000);
      expect(asked).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('preparing runs ahead of the click', () => {
  afterEach(() => vi.unstubAllGlobals());
  const keyframed: ClipTimeline = { frameCount: 5, keyframes: [0, 4], propagated: [], confidence: Array(5).fill(null), reviewed: Array(5).fill(false) };
  const object = { id: 'o1', name: 'Object', kind: 'mask', hidden: false } as ObjectSummary;

  async function setUp(prepare: (args: PropagationRequest) => Promise<{ prepared: boolean }>) {
    installStoresWith({
      annotations: { getTimeline: async () => keyframed },
      objects: { list: async () => [object] },
      propagation: { prepare },
    });
    useAnnotationsStore().open('p1', 'c1');
    await useObjectsStore().open('p1', 'c1');
    await flushPromises();
    return usePropagationStore();
  }

  it('readies the runs Forward and Backward would start, the latest playhead winning, and marks when done', async () => {
    const asked: string[] = [];
    const first = deferred<{ prepared: boolean }>();
    const store = await setUp(async (args) => {
      asked.push(`${args.mode} from ${args.fromFrame} (${args.stream})`);
      if (asked.length === 1) return first.promise;
      return { prepared: true };
    });
    const marks = () => performance.getEntriesByName('correspond:prepared', 'mark').length;
    const before = marks();
    const done = store.prepare(2);
    void store.prepare(3); // while the first is on its way: replaced by the next
    void store.prepare(1);
    first.resolve({ prepared: true });
    await done;
    const stream = 'default+fc@1.75'; // the initial fusion: the semantic default with the shipped FC
    expect(asked).toEqual([`forward from 0 (${stream})`, `backward from 4 (${stream})`, `forward from 0 (${stream})`, `backward from 4 (${stream})`]);
    expect(marks()).toBe(before + 1);
  });

  it('keeps preparing after a round that had nothing to prepare (objects not loaded yet)', async () => {
    let asked = 0;
    installStoresWith({
      annotations: { getTimeline: async () => keyframed },
      objects: { list: async () => [object] },
      propagation: { prepare: async () => (asked++, { prepared: true }) },
    });
    const store = usePropagationStore();
    await store.prepare(2); // no clip open: no request, the round ends at once
    useAnnotationsStore().open('p1', 'c1');
    await useObjectsStore().open('p1', 'c1');
    await flushPromises();
    await store.prepare(2);
    expect(asked).toBe(2);
  });

  it('prepares nothing while a run goes, when switched off, or when it fails (quietly)', async () => {
    let asked = 0;
    const run = deferred<PropagationSummary>();
    installStoresWith({
      annotations: { getTimeline: async () => keyframed },
      objects: { list: async () => [object] },
      propagation: { prepare: async () => (asked++, Promise.reject(new ApiClientError('INTERNAL', 'worker died'))), run: () => run.promise },
    });
    useAnnotationsStore().open('p1', 'c1');
    await useObjectsStore().open('p1', 'c1');
    await flushPromises();
    const store = usePropagationStore();
    await store.prepare(2);
    expect(asked).toBe(2);
    expect(store.runError).toBeUndefined();
    const running = store.run({ projectId: 'p1', clipId: 'c1', mode: 'forward', fromFrame: 0 });
    await store.prepare(2);
    expect(asked).toBe(2);
    run.resolve(summary);
    await running;
    vi.stubGlobal('localStorage', { getItem: (key: string) => (key === PREPARE_STORAGE_KEY ? 'off' : null) });
    await store.prepare(2);
    expect(asked).toBe(2);
  });
});
