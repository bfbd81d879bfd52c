import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { FormatError } from './formatError.ts';
import { encodeIndexedPng } from './png.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ytvos-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('YouTube-VOS export and import', () => {
  it('round-trips masks, object names (as categories) and which frames each object is annotated on', async () => {
    const source = syntheticClip({ emptyFrames: [3, 6] });
    const out = join(scratch, 'roundtrip');
    await exportAnnotations('ytvos', source, out);
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect(meta.videos['dance twirl'].objects['3']).toEqual({ category: 'dog', frames: ['00000', '00001', '00002', '00004', '00005', '00007', '00008'] });
    const imported = importAnnotations('ytvos', out);
    expect(imported.objects.map((o) => [o.name, o.paletteIndex])).toEqual([['dancer', 1], ['dog', 3]]);
    expect(digest(imported, { keyframes: false, keyBy: 'name' })).toEqual(digest(source, { keyframes: false, keyBy: 'name' }));
  });

  it('without meta.json reads every id as an object on every frame', () => {
    const folder = join(scratch, 'nometa/Annotations/v1');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '00005.png'), encodeIndexedPng({ width: 2, height: 2, indices: Uint8Array.of(0, 1, 2, 2) }));
    const imported = importAnnotations('ytvos', join(scratch, 'nometa'));
    expect(imported.frameIndices).toEqual([5]);
    expect(imported.frameCount).toBe(6);
    expect(imported.annotationsAt(5).map((a) => a.kind === 'labels' && Array.from(a.labels))).toEqual([[0, 1, 0, 0], [0, 0, 1, 1]]);
  });

  it('names the file and the problem when meta.json disagrees with the PNGs or is damaged', () => {
    const root = join(scratch, 'badmeta');
    mkdirSync(join(root, 'Annotations/v1'), { recursive: true });
    writeFileSync(join(root, 'Annotations/v1/00000.png'), encodeIndexedPng({ width: 2, height: 1, indices: Uint8Array.of(0, 1) }));
    const cases: Array<[string | Uint8Array, RegExp]> = [
      [JSON.stringify({ videos: { v1: { objects: { '1': { category: 'cat', frames: ['00000', '00010'] } } } } }), /meta\.json: object 1 of video "v1" lists frame 00010, which has no PNG/],
      [JSON.stringify({ videos: { v1: { objects: { '300': { frames: [] } } } } }), /meta\.json: object id "300" of video "v1" is not 1\.\.255/],
      ['{"videos": ', /meta\.json: is not a YouTube-VOS meta\.json/],
      [Uint8Array.of(0xff, 0xfe, 0x00), /meta\.json: is not a YouTube-VOS meta\.json/],
      [new Uint8Array(0), /meta\.json: the file is empty/],
    ];
    for (const [content, message] of cases) {
      writeFileSync(join(root, 'meta.json'), content);
      let caught: unknown;
      try {
        importAnnotations('ytvos', root);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FormatError);
      expect((caught as Error).message).toMatch(message);
    }
  });
});
