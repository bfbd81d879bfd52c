import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { FormatError } from './formatError.ts';
import { encodeGreyPng, encodeIndexedPng } from './png.ts';

const python = '/usr/bin/python3';
const hasPil = existsSync(python) && spawnSync(python, ['-c', 'import PIL, numpy'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'vip-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('VIP export and import', () => {
  it('round-trips a part object through grey class-id PNGs', async () => {
    const source = syntheticClip({ withPart: true, emptyFrames: [4] });
    const out = join(scratch, 'roundtrip');
    const result = await exportAnnotations('vip', source, out);
    expect(result.frames).toBe(8);
    expect(readdirSync(join(out, 'Category_ids/dance twirl'))).toHaveLength(8);
    const imported = importAnnotations('vip', out);
    expect(imported.objects).toEqual([{ id: 'vip-parsing', name: 'parsing', kind: 'part', paletteIndex: 1 }]);
    const strip = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k.split(':')[0], v]));
    expect(strip(digest(imported, { kinds: ['part'], keyframes: false }))).toEqual(strip(digest(source, { kinds: ['part'], keyframes: false })));
  });

  it('writes 8-bit grey PNGs (PIL mode L) whose values are the class ids', async () => {
    const out = join(scratch, 'pil');
    const source = syntheticClip({ withPart: true, frameCount: 2 });
    await exportAnnotations('vip', source, out);
    if (!hasPil) {
      console.warn('skipping the PIL cross-check: /usr/bin/python3 with PIL and numpy is not available');
      return;
    }
    const run = spawnSync(python, ['-c', 'import sys, json, numpy as np\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nprint(json.dumps([im.mode, np.array(im).flatten().tolist()]))', join(out, 'Category_ids/dance twirl/00001.png')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [mode, values] = JSON.parse(run.stdout) as [string, number[]];
    const part = source.annotationsAt(1).find((a) => a.objectId === 'p')!;
    expect(mode).toBe('L');
    expect(values).toEqual(part.kind === 'labels' ? Array.from(part.labels) : []);
  });

  it('names the file and the problem for bad input', () => {
    const cases: Array<[string, Record<string, Uint8Array>, RegExp]> = [
      ['class', { '00000.png': encodeGreyPng(2, 1, Uint8Array.of(0, 42)) }, /00000\.png: pixel value 42 is not a VIP class id/],
      ['empty', { '00000.png': new Uint8Array(0) }, /00000\.png: the file is empty/],
      ['size', { '00000.png': encodeGreyPng(2, 1, new Uint8Array(2)), '00001.png': encodeGreyPng(1, 2, new Uint8Array(2)) }, /00001\.png: is 1×2, the earlier frames are 2×1/],
    ];
    for (const [name, files, message] of cases) {
      const folder = join(scratch, 'bad', 'Category_ids', name);
      mkdirSync(folder, { recursive: true });
      for (const [file, bytes] of Object.entries(files)) writeFileSync(join(folder, file), bytes);
      let caught: unknown;
      try {
        importAnnotations('vip', folder);
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(FormatError);
      expect((caught as Error).message, name).toMatch(message);
    }
    expect(() => importAnnotations('vip', join(scratch, 'bad'))).toThrow(/holds 3 sequences \(class, empty, size\); name one/);
    // Palette PNGs are read by index too (np.array(Image.open(p)) semantics).
    const palette = join(scratch, 'palette');
    mkdirSync(palette);
    writeFileSync(join(palette, '00000.png'), encodeIndexedPng({ width: 2, height: 1, indices: Uint8Array.of(3, 19) }));
    expect(importAnnotations('vip', palette).annotationsAt(0)[0]).toMatchObject({ kind: 'labels', labels: Uint8Array.of(3, 19) });
  });
});
