import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DirectoryListing } from '../../src-main/core/api/contract.ts';
import { ApiClientError, errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';

/** The in-app file browser (folders of the machine running the engine, which may not be the browser's). */
export const useFilesStore = defineStore('files', () => {
  const api = useApi();
  const listing = ref<DirectoryListing>();
  const loading = ref(false);
  const listError = ref<string>();
  let latestRequest = 0;

  /**
   * Opens a folder (the home folder when `path` is omitted). Resolves `'not-a-folder'` when the path names a file,
   * so the caller can treat it as the file to import.
   */
  async function open(path?: string): Promise<'opened' | 'not-a-folder' | 'failed'> {
    const request = ++latestRequest;
    loading.value = true;
    try {
      const result = await api.files.listDirectory(path === undefined ? {} : { path });
      if (request !== latestRequest) return 'failed';
      listing.value = result;
      listError.value = undefined;
      return 'opened';
    } catch (error) {
      if (request !== latestRequest) return 'failed';
      if (error instanceof ApiClientError && error.code === 'NOT_A_DIRECTORY') return 'not-a-folder';
      listError.value = errorMessage(error);
      return 'failed';
    } finally {
      if (request === latestRequest) loading.value = false;
    }
  }

  return { listing, loading, listError, open };
});
