import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ClipSummary, ProjectDetails } from '../../src-main/core/api/contract.ts';
import { ApiClientError, errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';

export interface ImportProgress {
  sourcePath: string;
  /** 0..1 */
  fraction: number;
  message: string;
}

/** The open project: its details and clips, and importing a clip into it (a long, cancellable call). */
export const useProjectStore = defineStore('project', () => {
  const api = useApi();
  const details = ref<ProjectDetails>();
  const loading = ref(false);
  const loadError = ref<string>();
  const importing = ref<ImportProgress>();
  const importError = ref<string>();
  let importAbort: AbortController | undefined;
  let openRequest = 0;

  const projectId = computed(() => details.value?.id);
  const clips = computed<ClipSummary[]>(() => details.value?.clips ?? []);

  async function open(id: string): Promise<void> {
    const request = ++openRequest;
    if (details.value?.id !== id) details.value = undefined;
    loading.value = true;
    loadError.value = undefined;
    try {
      const loaded = await api.projects.get({ projectId: id });
      if (request === openRequest) details.value = loaded;
    } catch (error) {
      if (request === openRequest) loadError.value = errorMessage(error);
    } finally {
      if (request === openRequest) loading.value = false;
    }
  }

  function close(): void {
    openRequest += 1;
    cancelImport();
    details.value = undefined;
    loadError.value = undefined;
    importError.value = undefined;
  }

  /**
   * Imports a video file or image folder. Resolves with the new clip, or undefined when it failed (the message is in
   * `importError`) or was cancelled. The engine adds the clip in one transaction at the end, so a failure or a
   * cancel leaves the project as it was.
   */
  async function importClip(sourcePath: string): Promise<ClipSummary | undefined> {
    const id = details.value?.id;
    if (!id || importing.value) return undefined;
    importAbort = new AbortController();
    importError.value = undefined;
    importing.value = { sourcePath, fraction: 0, message: 'Starting…' };
    try {
      const clip = await api.clips.import(
        { projectId: id, sourcePath },
        {
          signal: importAbort.signal,
          onProgress: (progress) => {
            if (!importing.value) return;
            importing.value = {
              sourcePath,
              fraction: progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0,
              message: progress.message ?? importing.value.message,
            };
          },
        },
      );
      await open(id);
      return clip;
    } catch (error) {
      if (!(error instanceof ApiClientError && error.isCancelled)) importError.value = errorMessage(error);
      return undefined;
    } finally {
      importing.value = undefined;
      importAbort = undefined;
    }
  }

  function cancelImport(): void {
    importAbort?.abort();
  }

  function clearImportError(): void {
    importError.value = undefined;
  }

  return {
    details,
    loading,
    loadError,
    projectId,
    clips,
    importing,
    importError,
    open,
    close,
    importClip,
    cancelImport,
    clearImportError,
  };
});
