import { describe, expect, it } from 'vitest';
import type { CallOptions, ClipSummary, ProjectDetails } from '../../src-main/core/api/contract.ts';
import { ApiClientError } from '../api/apiClientError.ts';
import { useProjectStore } from './project.ts';
import { deferred, installStoresWith } from './storeTestHarness.ts';

const clip: ClipSummary = {
  id: 'c1', name: 'horse', sourcePath: '/v/horse.mp4', sourceKind: 'video', width: 854, height: 480, fps: 30, frameCount: 90, importedAt: 'now',
};
const emptyProject: ProjectDetails = { id: 'p1', name: 'Horses', createdAt: 'then', updatedAt: 'then', clips: [] };

describe('project store', () => {
  it('reports import progress as a fraction with its message, then reloads the project with the new clip', async () => {
    const importCall = deferred<ClipSummary>();
    let options: CallOptions = {};
    let details = emptyProject;
    installStoresWith({
      projects: { get: async () => details },
      clips: {
        import: (_args, callOptions) => {
          options = callOptions ?? {};
          return importCall.promise;
        },
      },
    });
    const store = useProjectStore();
    await store.open('p1');
    const result = store.importClip('/v/horse.mp4');
    options.onProgress?.({ done: 40, total: 100, message: 'Making timeline thumbnails…' });
    expect(store.importing).toEqual({ sourcePath: '/v/horse.mp4', fraction: 0.4, message: 'Making timeline thumbnails…' });
    details = { ...emptyProject, clips: [clip] };
    importCall.resolve(clip);
    await expect(result).resolves.toEqual(clip);
    expect(store.importing).toBeUndefined();
    expect(store.clips).toEqual([clip]);
  });

  it('keeps the engine message when an import fails and leaves the clip list as it was', async () => {
    installStoresWith({
      projects: { get: async () => emptyProject },
      clips: { import: async () => Promise.reject(new ApiClientError('UNREADABLE_VIDEO', '/v/notes.mp4: not a video ffmpeg can read')) },
    });
    const store = useProjectStore();
    await store.open('p1');
    await expect(store.importClip('/v/notes.mp4')).resolves.toBeUndefined();
    expect(store.importError).toBe('/v/notes.mp4: not a video ffmpeg can read');
    expect(store.clips).toEqual([]);
  });

  it('aborts the running import on cancel and shows no error for it', async () => {
    let signal: AbortSignal | undefined;
    installStoresWith({
      projects: { get: async () => emptyProject },
      clips: {
        import: (_args, callOptions) =>
          new Promise((_resolve, reject) => {
            signal = callOptions?.signal;
            signal?.addEventListener('abort', () => reject(new ApiClientError('CANCELLED', 'Cancelled.')));
          }),
      },
    });
    const store = useProjectStore();
    await store.open('p1');
    const result = store.importClip('/v/long.mp4');
    store.cancelImport();
    await expect(result).resolves.toBeUndefined();
    expect(signal?.aborted).toBe(true);
    expect(store.importError).toBeUndefined();
    expect(store.importing).toBeUndefined();
  });

  it('shows only the latest of two overlapping project loads', async () => {
    const first = deferred<ProjectDetails>();
    const second = deferred<ProjectDetails>();
    const loads = [first, second];
    installStoresWith({ projects: { get: () => loads.shift()!.promise } });
    const store = useProjectStore();
    const openFirst = store.open('p1');
    const openSecond = store.open('p2');
    second.resolve({ ...emptyProject, id: 'p2', name: 'Second' });
    first.resolve(emptyProject);
    await Promise.all([openFirst, openSecond]);
    expect(store.details?.name).toBe('Second');
  });

  it('renames and deletes clips through the engine and finds earlier imports of a file', async () => {
    const calls: unknown[] = [];
    const other: ClipSummary = { ...clip, id: 'c2', name: 'zebra', sourcePath: '/v/frames' };
    installStoresWith({
      projects: { get: async () => ({ ...emptyProject, clips: [clip, other] }) },
      clips: {
        rename: async (args) => {
          calls.push(['rename', args]);
          return { ...clip, name: args.name };
        },
        remove: async (args) => {
          calls.push(['remove', args]);
        },
      },
    });
    const store = useProjectStore();
    await store.open('p1');
    expect(store.clipsFrom('/v/frames/').map((c) => c.id)).toEqual(['c2']);
    expect(store.clipsFrom('/v/other.mp4')).toEqual([]);
    await store.renameClip('c1', '  Horse, take 2 ');
    expect(store.clips.map((c) => c.name)).toEqual(['Horse, take 2', 'zebra']);
    await store.removeClip('c2');
    expect(store.clips.map((c) => c.id)).toEqual(['c1']);
    expect(calls).toEqual([
      ['rename', { projectId: 'p1', clipId: 'c1', name: 'Horse, take 2' }],
      ['remove', { projectId: 'p1', clipId: 'c2' }],
    ]);
  });

  it('tells how many frames a truncated video lost at import', async () => {
    const cut: ClipSummary = { ...clip, name: 'cut.mp4', frameCount: 28, lostFrameCount: 32 };
    installStoresWith({ projects: { get: async () => emptyProject }, clips: { import: async () => cut } });
    const store = useProjectStore();
    await store.open('p1');
    await store.importClip('/v/cut.mp4');
    expect(store.importNotice).toBe('“cut.mp4” was imported with 28 of its 60 frames: the last 32 do not decode (the file is truncated).');
    store.clearImportNotice();
    expect(store.importNotice).toBeUndefined();
  });
});
