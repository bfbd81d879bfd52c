import { describe, expect, it } from 'vitest';
import type { CallOptions, ExchangeFormatInfo, ExportSummary, ImportSummary, ObjectSummary } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { useExchangeStore } from './exchange.ts';
import { useObjectsStore } from './objects.ts';
import { deferred, installStoresWith } from './storeTestHarness.ts';

const davis: ExchangeFormatInfo = {
  format: 'davis', name: 'DAVIS 2017', description: 'Palette PNGs', exportKinds: ['mask'], importKinds: ['mask'],
  exportOptions: { includeFrames: true, allFrames: true, className: false }, importSource: 'folder', anyPalette: true,
};
const exported: ExportSummary = {
  format: 'davis', path: '/out/walk-davis', clips: [{ clipId: 'c1', name: 'walk', path: '/out/walk-davis', frames: 3, objects: 1 }], frames: 3, fileCount: 4, warnings: [],
};
const imported: ImportSummary = { clipId: 'c1', origin: '/in', objects: [{ id: 'o2', name: 'object 1', kind: 'mask', paletteIndex: 1 }], frames: 3, annotations: 3, keyframes: 3, warnings: [] };
const object = (id: string): ObjectSummary => ({ id, clipId: 'c1', name: id, kind: 'mask', paletteIndex: 1, firstFrame: 0, lastFrame: null, hidden: false });

describe('exchange store', () => {
  it('loads the formats once and looks one up', async () => {
    let calls = 0;
    installStoresWith({ exchange: { formats: async () => (calls++, [davis]) } });
    const store = useExchangeStore();
    await store.loadFormats();
    await store.loadFormats();
    expect(calls).toBe(1);
    expect(store.formatInfo('davis')?.exportKinds).toEqual(['mask']);
    expect(store.formatInfo('vip')).toBeUndefined();
  });

  it('reports export progress as a fraction of frames and keeps the written path', async () => {
    const call = deferred<ExportSummary>();
    let options: CallOptions = {};
    installStoresWith({
      exchange: {
        export: (_args, callOptions) => {
          options = callOptions ?? {};
          return call.promise;
        },
      },
    });
    const store = useExchangeStore();
    const result = store.exportAnnotations({ projectId: 'p1', format: 'davis', destination: '/out' });
    options.onProgress?.({ done: 15, total: 60, message: 'DAVIS frame 15 of 60' });
    expect(store.running).toEqual({ kind: 'export', progress: { fraction: 0.25, message: 'DAVIS frame 15 of 60' } });
    call.resolve(exported);
    await expect(result).resolves.toEqual(exported);
    expect(store.running).toBeUndefined();
    expect(store.exportResult?.path).toBe('/out/walk-davis');
  });

  it('keeps the engine message of a failed export, and shows nothing for a cancel', async () => {
    let signal: AbortSignal | undefined;
    const outcomes = [
      () => Promise.reject(new ApiClientError('DESTINATION_EXISTS', '/out/walk-davis: exists and is not empty')),
      () =>
        new Promise<ExportSummary>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(new ApiClientError('CANCELLED', 'cancelled')));
        }),
    ];
    installStoresWith({
      exchange: {
        export: (_args, callOptions) => {
          signal = callOptions?.signal;
          return outcomes.shift()!();
        },
      },
    });
    const store = useExchangeStore();
    await expect(store.exportAnnotations({ projectId: 'p1', format: 'davis', destination: '/out' })).resolves.toBeUndefined();
    expect(store.error).toBe('/out/walk-davis: exists and is not empty');
    const cancelled = store.exportAnnotations({ projectId: 'p1', format: 'davis', destination: '/out' });
    store.cancel();
    await expect(cancelled).resolves.toBeUndefined();
    expect(signal?.aborted).toBe(true);
    expect(store.error).toBeUndefined();
    expect(store.running).toBeUndefined();
  });

  it('reloads the objects of the clip on screen after an import into it, not after one into another clip', async () => {
    let listed = 0;
    const imports: unknown[] = [];
    installStoresWith({
      objects: { list: async () => (listed++, [object('o1'), object('o2')]) },
      annotations: { getTimeline: async () => ({ frameCount: 1, keyframes: [], propagated: [], confidence: [null], reviewed: [false] }) },
      exchange: { import: async (args) => (imports.push(args), { ...imported, clipId: args.clipId }) },
    });
    const objects = useObjectsStore();
    await objects.open('p1', 'c1');
    const store = useExchangeStore();
    await store.importAnnotations({ projectId: 'p1', clipId: 'c2', format: 'davis', sourcePath: '/in' });
    expect(listed).toBe(1);
    await store.importAnnotations({ projectId: 'p1', clipId: 'c1', format: 'davis', sourcePath: '/in', replace: true });
    expect(listed).toBe(2);
    expect(objects.objects.map((o) => o.id)).toEqual(['o1', 'o2']);
    expect(imports).toEqual([
      { projectId: 'p1', clipId: 'c2', format: 'davis', sourcePath: '/in' },
      { projectId: 'p1', clipId: 'c1', format: 'davis', sourcePath: '/in', replace: true },
    ]);
    expect(store.importResult?.clipId).toBe('c1');
  });
});
