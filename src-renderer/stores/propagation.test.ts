import { describe, expect, it } from 'vitest';
import type { CallOptions, ClipTimeline, PropagationSummary } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { useAnnotationsStore } from './annotations.ts';
import { progressFrameIndex, usePropagationStore } from './propagation.ts';
import { deferred, flushPromises, installStoresWith } from './storeTestHarness.ts';

const timeline: ClipTimeline = { frameCount: 3, keyframes: [0], propagated: [], confidence: [null, null, null], reviewed: [false, false, false] };
const summary: PropagationSummary = { runId: 'r', mode: 'forward', framesWritten: 2, msPerFrame: 40, device: 'CPU', stream: 'default', cancelled: false };

describe('propagation store', () => {
  it('reads the reported frame from an extra field or from the message', () => {
    expect(progressFrameIndex({ done: 1, total: 3, frameIndex: 7 } as never)).toBe(7);
    expect(progressFrameIndex({ done: 1, total: 3, message: 'Frame 12 of 30' })).toBe(12);
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
