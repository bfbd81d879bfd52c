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
  /** What the last import should tell besides its success: the frames a truncated video lost. */
  const importNotice = ref<string>();
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
    importNotice.value = undefined;
  }

  /**
   * Imports a video file or image folder. Resolves with the new clip, or undefined when it failed (the message is in
   * `importError`) or was cancelled. The engine adds the clip in one transaction at the end, so a failure or a
   * cancel leaves the project as it was.
   */
  async function importClip(sourcePath: string, name?: string): Promise<ClipSummary | undefined> {
    const id = details.value?.id;
    if (!id || importing.value) return undefined;
    importAbort = new AbortController();
    importError.value = undefined;
    importing.value = { sourcePath, fraction: 0, message: 'Starting…' };
    try {
      const clip = await api.clips.import(
        { projectId: id, sourcePath, ...(name ? { name } : {}) },
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
      importNotice.value = clip.lostFrameCount
        ? `“${clip.name}” was imported with ${clip.frameCount} of its ${clip.frameCount + clip.lostFrameCount} frames: ` +
          `the last ${clip.lostFrameCount} do not decode (the file is truncated).`
        : undefined;
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

  function clearImportNotice(): void {
    importNotice.value = undefined;
  }

  /** The clips imported from `sourcePath` already (an import of the same file again should ask first). */
  function clipsFrom(sourcePath: string): ClipSummary[] {
    const wanted = withoutTrailingSeparators(sourcePath.trim());
    return clips.value.filter((clip) => withoutTrailingSeparators(clip.sourcePath) === wanted);
  }

  /** Renames a clip; rejects with the engine's error for the dialog to show. */
  async function renameClip(clipId: string, name: string): Promise<void> {
    const id = details.value?.id;
    if (!id) return;
    const renamed = await api.clips.rename({ projectId: id, clipId, name: name.trim() });
    if (details.value?.id === id) {
      details.value = { ...details.value, clips: details.value.clips.map((clip) => (clip.id === clipId ? renamed : clip)) };
    }
  }

  /** Deletes a clip with its labels; rejects with the engine's error (BUSY while a run of it writes). */
  async function removeClip(clipId: string): Promise<void> {
    const id = details.value?.id;
    if (!id) return;
    await api.clips.remove({ projectId: id, clipId });
    if (details.value?.id === id) {
      details.value = { ...details.value, clips: details.value.clips.filter((clip) => clip.id !== clipId) };
    }
  }

  return {
    details,
    loading,
    loadError,
    projectId,
    clips,
    importing,
    importError,
    importNotice,
    open,
    close,
    importClip,
    cancelImport,
    clearImportError,
    clearImportNotice,
    clipsFrom,
    renameClip,
    removeClip,
  };
});

function withoutTrailingSeparators(path: string): string {
  return path.length > 1 ? path.replace(/[\\/]+$/, '') : path;
}
