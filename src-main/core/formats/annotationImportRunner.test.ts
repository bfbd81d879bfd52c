// Imports through the worker thread (the app's path) and on this thread (the bundled build's path): the same
// result, errors that name the file, and nothing written on an error or a cancel.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProjectStore } from '../store/projectStore.ts';
import { exportAnnotations } from './annotationFormats.ts';
import { importAnnotationsIntoClip } from './annotationImportRunner.ts';
import { digest, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { projectAnnotationSource } from './projectAnnotationSource.ts';

const scratch = mkdtempSync(join(tmpdir(), 'annotation-import-runner-'));
const source = syntheticClip({ withKeypoints: true });
let cocoFolder: string;
let store: ProjectStore;
let clipId: string;

beforeAll(async () => {
  cocoFolder = join(scratch, 'coco');
  await exportAnnotations('coco', source, cocoFolder);
});
beforeEach(() => {
  store?.close();
  store = ProjectStore.create(join(mkdtempSync(join(scratch, 'project-')), 'p.correspond'), { name: 'p' });
  clipId = store.addClip({ name: 'dance twirl.mp4', sourcePath: '/v.mp4', sourceKind: 'video', fps: 25, width: 32, height: 24, frameCount: 9 }).id;
});
afterAll(() => {
  store?.close();
  rmSync(scratch, { recursive: true, force: true });
});

for (const onThisThread of [false, true]) {
  describe(onThisThread ? 'on this thread' : 'in a worker thread', () => {
    it('imports every frame with keyframe flags and reports reading progress', async () => {
      const progress: string[] = [];
      const result = await importAnnotationsIntoClip(store, clipId, { format: 'coco', from: cocoFolder }, { onThisThread, onProgress: (p) => progress.push(p.message) });
      expect(result).toMatchObject({ format: 'coco', origin: join(cocoFolder, 'annotations/instances_default.json'), frames: 9 });
      expect(result.objects.map((o) => [o.name, o.kind])).toEqual([['dancer', 'mask'], ['dog', 'mask'], ['person', 'keypoints']]);
      expect(digest(projectAnnotationSource(store, clipId))).toEqual(digest(source, { kinds: ['mask', 'keypoints'] }));
      expect(progress).toContain('Read frame 9 of 9');
      expect(progress.at(-1)).toBe('Saving…');
    });

    it('reports a bad file with its name and writes nothing', async () => {
      const broken = join(scratch, `broken-${onThisThread}.json`);
      const json = JSON.parse(readFileSync(join(cocoFolder, 'annotations/instances_default.json'), 'utf8'));
      json.annotations[4].segmentation.size = [24, 33];
      writeFileSync(broken, JSON.stringify(json));
      await expect(importAnnotationsIntoClip(store, clipId, { format: 'coco', from: broken }, { onThisThread })).rejects.toMatchObject({
        code: 'MISMATCH',
        message: expect.stringContaining(`${broken}: annotation 5 is 33×24`),
      });
      expect(store.listObjects(clipId)).toEqual([]);
    });

    it('refuses files that do not fit the clip before reading frames', async () => {
      const short = store.addClip({ name: 'short.mp4', sourcePath: '/s.mp4', sourceKind: 'video', fps: 25, width: 32, height: 24, frameCount: 5 }).id;
      await expect(importAnnotationsIntoClip(store, short, { format: 'coco', from: cocoFolder }, { onThisThread })).rejects.toThrow(/has 9 frames, clip "short\.mp4" has 5 frames/);
      expect(store.listObjects(short)).toEqual([]);
    });

    it('writes nothing when cancelled while reading', async () => {
      const controller = new AbortController();
      const call = importAnnotationsIntoClip(store, clipId, { format: 'coco', from: cocoFolder }, {
        onThisThread,
        signal: controller.signal,
        onProgress: (p) => p.message.startsWith('Read') && controller.abort(),
      });
      await expect(call).rejects.toMatchObject({ name: 'AbortError' }); // core's one CancelledError
      expect(store.listObjects(clipId)).toEqual([]);
      expect(store.listRuns(clipId)).toEqual([]);
    });
  });
}
