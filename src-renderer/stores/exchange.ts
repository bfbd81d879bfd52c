import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  ExchangeFormat,
  ExchangeFormatInfo,
  ExportRequest,
  ExportSummary,
  ImportRequest,
  ImportSummary,
} from '../../src-main/core/api/contract.ts';
import { ApiClientError, errorMessage } from '../api/apiClientError.ts';
import { useApi } from '../api/apiInjection.ts';
import { useAnnotationsStore } from './annotations.ts';
import { useObjectsStore } from './objects.ts';
import { useVocabulariesStore } from './vocabularies.ts';

export interface ExchangeProgress {
  /** 0..1 */
  fraction: number;
  message: string;
}

/**
 * Annotation files in and out of the project: the formats the engine offers, one export or import at a time (long
 * calls with progress and Cancel), and their outcome or error. An import into the clip on screen refreshes its
 * objects and labels.
 */
export const useExchangeStore = defineStore('exchange', () => {
  const api = useApi();
  const formats = ref<ExchangeFormatInfo[]>([]);
  const formatsError = ref<string>();
  const running = ref<{ kind: 'export' | 'import'; progress: ExchangeProgress }>();
  const exportResult = ref<ExportSummary>();
  const importResult = ref<ImportSummary>();
  const error = ref<string>();
  let abort: AbortController | undefined;

  async function loadFormats(): Promise<void> {
    if (formats.value.length > 0) return;
    try {
      formats.value = await api.exchange.formats();
      formatsError.value = undefined;
    } catch (caught) {
      formatsError.value = errorMessage(caught);
    }
  }

  function formatInfo(format: ExchangeFormat): ExchangeFormatInfo | undefined {
    return formats.value.find((info) => info.format === format);
  }

  /** Clears the last outcome (a dialog opening starts fresh). */
  function reset(): void {
    exportResult.value = undefined;
    importResult.value = undefined;
    error.value = undefined;
  }

  async function track<T>(kind: 'export' | 'import', call: (signal: AbortSignal, onProgress: (done: number, total: number, message?: string) => void) => Promise<T>): Promise<T | undefined> {
    if (running.value) return undefined;
    reset();
    abort = new AbortController();
    running.value = { kind, progress: { fraction: 0, message: 'Starting…' } };
    try {
      return await call(abort.signal, (done, total, message) => {
        if (!running.value) return;
        running.value = {
          kind,
          progress: { fraction: total > 0 ? Math.min(1, done / total) : 0, message: message ?? running.value.progress.message },
        };
      });
    } catch (caught) {
      if (!(caught instanceof ApiClientError && caught.isCancelled)) error.value = errorMessage(caught);
      return undefined;
    } finally {
      running.value = undefined;
      abort = undefined;
    }
  }

  /** Exports; resolves with the summary (also kept in `exportResult`), or undefined on error (in `error`) or cancel. */
  async function exportAnnotations(request: ExportRequest): Promise<ExportSummary | undefined> {
    const summary = await track('export', (signal, report) =>
      api.exchange.export(request, { signal, onProgress: (progress) => report(progress.done, progress.total, progress.message) }),
    );
    exportResult.value = summary;
    return summary;
  }

  /** Imports into a clip; the clip on screen shows the new objects and labels at once. */
  async function importAnnotations(request: ImportRequest): Promise<ImportSummary | undefined> {
    const summary = await track('import', (signal, report) =>
      api.exchange.import(request, { signal, onProgress: (progress) => report(progress.done, progress.total, progress.message) }),
    );
    importResult.value = summary;
    if (summary) {
      const objects = useObjectsStore();
      const annotations = useAnnotationsStore();
      // An import may have created the label sets its files describe (COCO skeletons, CVAT labels…).
      const vocabularies = useVocabulariesStore();
      if (vocabularies.projectId === request.projectId) await vocabularies.load();
      if (objects.projectId === request.projectId && objects.clipId === request.clipId) {
        await objects.reload();
        annotations.refreshTimeline();
        annotations.reloadFrame();
      }
    }
    return summary;
  }

  function cancel(): void {
    abort?.abort();
  }

  return { formats, formatsError, running, exportResult, importResult, error, loadFormats, formatInfo, reset, exportAnnotations, importAnnotations, cancel };
});
