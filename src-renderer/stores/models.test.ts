import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallOptions, ModelInfo, ModelPreset } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { STREAM_SPEC_STORAGE_KEY, useModelsStore } from './models.ts';
import { deferred, installStoresWith } from './storeTestHarness.ts';

function model(streamName: string, role: ModelInfo['role'], origin: ModelInfo['origin'] = 'imported'): ModelInfo {
  return { streamName, name: streamName, origin, role, channels: 256, stride: 8, bytes: 1_000_000, preset: null, device: 'CPU · 2 threads', description: '' };
}

const listed: ModelInfo[] = [
  model('default', 'semantic', 'embedded'),
  model('fc', 'fine-grained', 'embedded'),
  model('pixels', 'pixels', 'built-in'),
  model('mocov2-r50', 'semantic'),
  model('crw-r18', 'fine-grained'),
  model('fc-1234abcd', 'unknown'),
  model('odd+name', 'fine-grained'),
];
const presets: ModelPreset[] = [{ name: 'sfc-fc', description: 'SFC fine-grained branch', role: 'fine-grained' }];

/** A Storage stand-in: Node has no localStorage. */
function fakeStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

describe('models store', () => {
  let stored: ReturnType<typeof fakeStorage>;
  beforeEach(() => {
    stored = fakeStorage();
    vi.stubGlobal('localStorage', stored);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('lists the models and the presets', async () => {
    installStoresWith({ models: { list: async () => listed, presets: async () => presets } });
    const store = useModelsStore();
    await store.refresh();
    expect(store.loaded).toBe(true);
    expect(store.models.map((m) => m.streamName)).toContain('pixels');
    expect(store.presets).toEqual(presets);
  });

  it('offers semantic streams and fine-grained ones separately, leaving out names a spec cannot hold', async () => {
    installStoresWith({ models: { list: async () => listed, presets: async () => presets } });
    const store = useModelsStore();
    await store.refresh();
    expect(store.semanticChoices.map((m) => m.streamName)).toEqual(['default', 'pixels', 'mocov2-r50', 'fc-1234abcd']);
    expect(store.fineGrainedChoices.map((m) => m.streamName)).toEqual(['fc', 'crw-r18', 'fc-1234abcd']);
  });

  it('uses the semantic default fused with the shipped FC until the user chooses otherwise', () => {
    installStoresWith({});
    expect(useModelsStore().streamSpec).toBe('default+fc@1.75');
  });

  it('builds the fusion spec with SFC\'s λ and saves it for the next session', () => {
    installStoresWith({});
    const store = useModelsStore();
    store.setFusion({ fineGrained: 'fc-1234abcd' });
    expect(store.streamSpec).toBe('default+fc-1234abcd@1.75');
    store.setFusion({ lambda: 2.5, semantic: 'pixels' });
    expect(store.streamSpec).toBe('pixels+fc-1234abcd@2.5');
    expect(stored.values.get(STREAM_SPEC_STORAGE_KEY)).toBe('pixels+fc-1234abcd@2.5');
  });

  it('restores the saved spec, and falls back to the default for one it cannot read', () => {
    vi.stubGlobal('localStorage', fakeStorage({ [STREAM_SPEC_STORAGE_KEY]: 'mocov2-r50+crw-r18@1.2' }));
    installStoresWith({});
    expect(useModelsStore().fusion).toEqual({ semantic: 'mocov2-r50', fineGrained: 'crw-r18', lambda: 1.2 });

    vi.stubGlobal('localStorage', fakeStorage({ [STREAM_SPEC_STORAGE_KEY]: 'a+b+c' }));
    installStoresWith({});
    expect(useModelsStore().streamSpec).toBe('default+fc@1.75');

    // A saved semantic-only choice stays the user's choice.
    vi.stubGlobal('localStorage', fakeStorage({ [STREAM_SPEC_STORAGE_KEY]: 'default' }));
    installStoresWith({});
    expect(useModelsStore().streamSpec).toBe('default');
  });

  it('ignores a λ that is not a positive number', () => {
    installStoresWith({});
    const store = useModelsStore();
    store.setFusion({ fineGrained: 'crw-r18' });
    store.setFusion({ lambda: 0 });
    store.setFusion({ lambda: Number.NaN });
    expect(store.streamSpec).toBe('default+crw-r18@1.75');
  });

  it('works without a storage at all', () => {
    vi.stubGlobal('localStorage', undefined);
    installStoresWith({});
    const store = useModelsStore();
    store.setFusion({ fineGrained: 'crw-r18' });
    expect(store.streamSpec).toBe('default+crw-r18@1.75');
  });

  it('shows import progress and adds the imported model to the list', async () => {
    const call = deferred<ModelInfo>();
    let options: CallOptions = {};
    let sent: unknown;
    installStoresWith({
      models: {
        import: (args, callOptions) => {
          sent = args;
          options = callOptions ?? {};
          return call.promise;
        },
      },
    });
    const store = useModelsStore();
    const result = store.importModel({ path: '/m/crw.pth', preset: 'crw', name: '' });
    expect(sent).toEqual({ path: '/m/crw.pth', preset: 'crw' });
    options.onProgress?.({ done: 0, total: 1, message: 'Reading and converting the checkpoint…' });
    expect(store.importing).toEqual({ path: '/m/crw.pth', fraction: 0, message: 'Reading and converting the checkpoint…' });
    call.resolve(model('crw-crw', 'fine-grained'));
    await expect(result).resolves.toMatchObject({ streamName: 'crw-crw' });
    expect(store.importing).toBeUndefined();
    expect(store.models.map((m) => m.streamName)).toEqual(['crw-crw']);
  });

  it('keeps the engine\'s message when an import fails', async () => {
    installStoresWith({
      models: { import: async () => Promise.reject(new ApiClientError('MODEL_INVALID', '/tmp/bogus.onnx: not an ONNX model')) },
    });
    const store = useModelsStore();
    await expect(store.importModel({ path: '/tmp/bogus.onnx' })).resolves.toBeUndefined();
    expect(store.importError).toBe('/tmp/bogus.onnx: not an ONNX model');
    expect(store.importing).toBeUndefined();
  });

  it('removes a model and drops it from a fusion that used it', async () => {
    const removed: string[] = [];
    installStoresWith({
      models: { list: async () => listed, presets: async () => presets, remove: async ({ streamName }) => void removed.push(streamName) },
    });
    const store = useModelsStore();
    await store.refresh();
    store.setFusion({ semantic: 'mocov2-r50', fineGrained: 'crw-r18' });
    await store.remove('crw-r18');
    expect(removed).toEqual(['crw-r18']);
    expect(store.models.some((m) => m.streamName === 'crw-r18')).toBe(false);
    expect(store.streamSpec).toBe('mocov2-r50');
    await store.remove('mocov2-r50');
    expect(store.streamSpec).toBe('default');
  });

  it('names saved streams the engine no longer lists', async () => {
    vi.stubGlobal('localStorage', fakeStorage({ [STREAM_SPEC_STORAGE_KEY]: 'default+gone@1.75' }));
    installStoresWith({ models: { list: async () => listed, presets: async () => presets } });
    const store = useModelsStore();
    expect(store.missingStreams).toEqual([]);
    await store.refresh();
    expect(store.missingStreams).toEqual(['gone']);
  });
});
