import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ModelInfo, ModelPreset } from '../../src-main/core/api/contract.ts';
import { errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { DEFAULT_FUSION, formatStreamSpec, isSpecSafeStreamName, isValidLambda, parseStreamSpec, type StreamFusion } from '../utils/streamSpec.ts';

/** Where the chosen stream spec survives reloads (one per browser profile / desktop install). */
export const STREAM_SPEC_STORAGE_KEY = 'correspond.streamSpec';

export interface ModelImportRequest {
  path: string;
  preset?: string;
  name?: string;
}

export interface ModelImportProgress {
  path: string;
  /** 0..1 */
  fraction: number;
  message: string;
}

/** localStorage when the page has one (not in Node tests, nor when the browser refuses it). */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function readStoredFusion(): StreamFusion {
  try {
    const stored = storage()?.getItem(STREAM_SPEC_STORAGE_KEY);
    return (stored && parseStreamSpec(stored)) || { ...DEFAULT_FUSION };
  } catch {
    return { ...DEFAULT_FUSION };
  }
}

/**
 * The feature models (embedded, built-in and imported), importing and removing them, and the stream propagation
 * uses: `streamSpec` (e.g. `default+fc-1234abcd@1.75`) is what the propagation store passes as `stream`.
 */
export const useModelsStore = defineStore('models', () => {
  const api = useApi();
  const models = ref<ModelInfo[]>([]);
  const presets = ref<ModelPreset[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const loadError = ref<string>();
  const importing = ref<ModelImportProgress>();
  const importError = ref<string>();
  const fusion = ref<StreamFusion>(readStoredFusion());

  const streamSpec = computed(() => formatStreamSpec(fusion.value));

  const usable = (model: ModelInfo) => isSpecSafeStreamName(model.streamName);
  /** default, pixels and imported semantic models; the shipped and imported fine-grained ones; imported models of
   * unknown role may serve either way. */
  const semanticChoices = computed(() => models.value.filter((m) => usable(m) && m.role !== 'fine-grained'));
  const fineGrainedChoices = computed(() =>
    models.value.filter((m) => usable(m) && (m.role === 'fine-grained' || (m.origin === 'imported' && m.role === 'unknown'))),
  );
  /** Streams the saved spec names that the engine no longer lists (removed elsewhere, e.g. with the CLI). */
  const missingStreams = computed(() => {
    if (!loaded.value) return [];
    const names = new Set(models.value.map((m) => m.streamName));
    return [fusion.value.semantic, fusion.value.fineGrained].filter((name): name is string => Boolean(name) && !names.has(name!));
  });

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const [list, presetList] = await Promise.all([api.models.list(), presets.value.length ? presets.value : api.models.presets()]);
      models.value = list;
      presets.value = presetList;
      loadError.value = undefined;
      loaded.value = true;
    } catch (error) {
      loadError.value = errorMessage(error);
    } finally {
      loading.value = false;
    }
  }

  /** Imports a checkpoint or .onnx; resolves with the model, or undefined when it failed (see `importError`). */
  async function importModel(request: ModelImportRequest): Promise<ModelInfo | undefined> {
    if (importing.value) return undefined;
    importError.value = undefined;
    importing.value = { path: request.path, fraction: 0, message: 'Starting…' };
    try {
      const model = await api.models.import(
        { path: request.path, ...(request.preset ? { preset: request.preset } : {}), ...(request.name ? { name: request.name } : {}) },
        {
          onProgress: (progress) => {
            if (!importing.value) return;
            importing.value = {
              path: request.path,
              fraction: progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0,
              message: progress.message ?? importing.value.message,
            };
          },
        },
      );
      models.value = [...models.value.filter((m) => m.streamName !== model.streamName), model];
      return model;
    } catch (error) {
      importError.value = errorMessage(error);
      return undefined;
    } finally {
      importing.value = undefined;
    }
  }

  function clearImportError(): void {
    importError.value = undefined;
  }

  /** Removes an imported model; rejects with the engine's error for the dialog. A fusion that used it falls back. */
  async function remove(streamName: string): Promise<void> {
    await api.models.remove({ streamName });
    models.value = models.value.filter((m) => m.streamName !== streamName);
    const current = fusion.value;
    if (current.semantic === streamName || current.fineGrained === streamName) {
      setFusion({
        semantic: current.semantic === streamName ? DEFAULT_FUSION.semantic : current.semantic,
        fineGrained: current.fineGrained === streamName ? null : current.fineGrained,
      });
    }
  }

  /** Changes part of the fusion and saves the resulting spec; an invalid λ or stream name is ignored. */
  function setFusion(change: Partial<StreamFusion>): void {
    const next = { ...fusion.value, ...change };
    if (!isSpecSafeStreamName(next.semantic) || (next.fineGrained !== null && !isSpecSafeStreamName(next.fineGrained))) return;
    if (!isValidLambda(next.lambda)) return;
    fusion.value = next;
    try {
      storage()?.setItem(STREAM_SPEC_STORAGE_KEY, formatStreamSpec(next));
    } catch {
      // Storage full or refused: the choice still holds for this session.
    }
  }

  function resetFusion(): void {
    setFusion({ ...DEFAULT_FUSION });
  }

  return {
    models,
    presets,
    loading,
    loaded,
    loadError,
    importing,
    importError,
    fusion,
    streamSpec,
    semanticChoices,
    fineGrainedChoices,
    missingStreams,
    refresh,
    importModel,
    clearImportError,
    remove,
    setFusion,
    resetFusion,
  };
});
