import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { FormatError } from './formatError.ts';
import { vocColorMap } from './palette.ts';
import { encodeGreyPng, encodeIndexedPng, readIndexedPng } from './png.ts';

const sharedData = process.env.CORRESPOND_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const python = '/usr/bin/python3';
const hasPil = existsSync(python) && spawnSync(python, ['-c', 'import PIL, numpy'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'davis-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('DAVIS export', () => {
  it('round-trips mask objects and void through palette PNGs (export → import → identical masks)', async () => {
    const source = syntheticClip({ withVoid: true, withKeypoints: true, emptyFrames: [5] });
    const out = join(scratch, 'roundtrip');
    const result = await exportAnnotations('davis', source, out);
    expect(result.objects).toBe(3);
    expect(result.frames).toBe(8);
    expect(readdirSync(join(out, 'Annotations/480p/dance twirl')).sort()).toEqual(['00000.png', '00001.png', '00002.png', '00003.png', '00004.png', '00006.png', '00007.png', '00008.png']);
    expect(readFileSync(join(out, 'ImageSets/2017/val.txt'), 'utf8')).toBe('dance twirl\n');
    expect(readdirSync(scratch).filter((name) => name.includes('partial'))).toEqual([]);
    const imported = importAnnotations('davis', out);
    expect(imported.objects.map((o) => [o.name, o.paletteIndex])).toEqual([['object 1', 1], ['object 3', 3], ['void', 255]]);
    expect(imported.frameIndices).toEqual([0, 1, 2, 3, 4, 6, 7, 8]);
    expect(digest(imported, { kinds: ['mask'], keyframes: false })).toEqual(digest(source, { kinds: ['mask'], keyframes: false }));
  });

  it('writes 8-bit palette PNGs with the exact 256-entry VOC colour map (checked with PIL)', async () => {
    const out = join(scratch, 'pil');
    await exportAnnotations('davis', syntheticClip({ withVoid: true }), out);
    const file = join(out, 'Annotations/480p/dance twirl/00001.png');
    const ours = readIndexedPng(file);
    if (!hasPil) {
      console.warn('skipping the PIL cross-check: /usr/bin/python3 with PIL and numpy is not available');
      return;
    }
    const script = `import sys, json, numpy as np\nfrom PIL import Image\nim = Image.open(sys.argv[1])\nprint(json.dumps({"mode": im.mode, "palette": list(im.getpalette()), "values": np.array(im).flatten().tolist()}))`;
    const run = spawnSync(python, ['-c', script, file], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const pil = JSON.parse(run.stdout) as { mode: string; palette: number[]; values: number[] };
    expect(pil.mode).toBe('P');
    expect(pil.palette).toEqual(Array.from(vocColorMap()));
    expect(pil.values).toEqual(Array.from(ours.indices));
    expect(new Set(pil.values)).toEqual(new Set([0, 1, 3, 255]));
  });

  it('keeps the destination untouched and leaves no temporary folder when the export fails', async () => {
    const out = join(scratch, 'failing');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await expect(exportAnnotations('davis', syntheticClip(), out)).rejects.toThrow(/not empty/);
    // A folder with the user's own files is never replaced, not even with overwrite.
    await expect(exportAnnotations('davis', syntheticClip(), out, { overwrite: true })).rejects.toThrow(/not a folder Correspond exported/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    const earlier = join(scratch, 'earlier');
    await exportAnnotations('davis', syntheticClip(), earlier);
    const exported = readdirSync(earlier).sort();
    const source = syntheticClip();
    source.annotationsAt = () => {
      throw new Error('disk on fire');
    };
    await expect(exportAnnotations('davis', source, earlier, { overwrite: true })).rejects.toThrow(/disk on fire/);
    expect(readdirSync(earlier).sort()).toEqual(exported);
    expect(readdirSync(scratch).filter((name) => name.includes('partial'))).toEqual([]);
    await exportAnnotations('davis', syntheticClip(), earlier, { overwrite: true });
    expect(readdirSync(earlier).sort()).toEqual(['.correspond-export.json', 'Annotations', 'ImageSets']);
  });

  it('makes hostile clip names safe path components', async () => {
    const source = syntheticClip();
    const hostile = { ...source, name: '../../escape\u0000/x', annotationsAt: source.annotationsAt.bind(source) };
    const out = join(scratch, 'hostile');
    await exportAnnotations('davis', hostile, out);
    expect(readdirSync(join(out, 'Annotations/480p'))).toEqual(['___.._escape__x']);
    expect(existsSync(join(scratch, 'escape'))).toBe(false);
  });

  it('reads frames one at a time (streams) and stops at a cancel', async () => {
    const source = syntheticClip({ frameCount: 30 });
    const controller = new AbortController();
    const out = join(scratch, 'cancelled');
    const exporting = exportAnnotations('davis', source, out, {
      signal: controller.signal,
      onProgress: ({ done }) => done === 10 && controller.abort(),
    });
    await expect(exporting).rejects.toThrow(/cancelled/);
    expect(source.reads).toBe(10);
    expect(existsSync(out)).toBe(false);
  });
});

describe('DAVIS import', () => {
  it('reads DAVIS-2016 grey binary masks, 0/255 and 0/1, as one object', () => {
    const folder = join(scratch, 'binary/Annotations/480p/cows');
    mkdirSync(folder, { recursive: true });
    const values = Uint8Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 255 : 0));
    writeFileSync(join(folder, '00000.png'), encodeGreyPng(4, 3, values));
    writeFileSync(join(folder, '00001.png'), encodeGreyPng(4, 3, values.map((v) => (v ? 1 : 0))));
    const imported = importAnnotations('davis', join(scratch, 'binary'));
    expect(imported.objects).toEqual([{ id: 'davis-1', name: 'object 1', kind: 'mask', paletteIndex: 1 }]);
    const [first] = imported.annotationsAt(0);
    const [second] = imported.annotationsAt(1);
    expect(first.kind === 'labels' && Array.from(first.labels)).toEqual(Array.from(values, (v) => (v ? 1 : 0)));
    expect(second).toEqual(first);
  });

  it('reproduces the labels of the DAVIS-2017 tennis sample exactly: 2 objects and void', () => {
    const tennis = join(sharedData, 'davis2017-samples/Annotations/480p/tennis');
    if (!existsSync(tennis)) {
      console.warn(`skipping: ${tennis} is not there (../shared/data absent)`);
      return;
    }
    const imported = importAnnotations('davis', join(sharedData, 'davis2017-samples'), { sequence: 'tennis' });
    expect(imported.name).toBe('tennis');
    expect([imported.width, imported.height, imported.frameCount]).toEqual([854, 480, 2]);
    expect(imported.objects.map((o) => [o.name, o.paletteIndex])).toEqual([['object 1', 1], ['object 2', 2], ['void', 255]]);
    for (const frame of [0, 1]) {
      const original = readIndexedPng(join(tennis, `0000${frame}.png`)).indices;
      const annotations = imported.annotationsAt(frame);
      for (const annotation of annotations) {
        const value = imported.objects.find((o) => o.id === annotation.objectId)!.paletteIndex;
        const expected = original.map((v) => (v === value ? 1 : 0));
        expect(annotation.kind === 'labels' && Buffer.compare(annotation.labels, expected)).toBe(0);
      }
    }
  });

  it('exports the imported tennis sample back to the same PNG indices', async () => {
    const tennis = join(sharedData, 'davis2017-samples/Annotations/480p/tennis');
    if (!existsSync(tennis)) return;
    const out = join(scratch, 'tennis-again');
    await exportAnnotations('davis', importAnnotations('davis', tennis), out);
    for (const name of ['00000.png', '00001.png']) {
      const again = readIndexedPng(join(out, 'Annotations/480p/tennis', name));
      expect(Buffer.compare(again.indices, readIndexedPng(join(tennis, name)).indices)).toBe(0);
    }
  });

  function writeSequence(name: string, files: Record<string, Uint8Array>): string {
    const folder = join(scratch, 'bad', name);
    mkdirSync(folder, { recursive: true });
    for (const [file, bytes] of Object.entries(files)) writeFileSync(join(folder, file), bytes);
    return folder;
  }
  const good = encodeIndexedPng({ width: 4, height: 3, indices: Uint8Array.of(0, 1, 1, 0, 0, 2, 2, 0, 255, 0, 0, 0) });

  it('names the file and the problem for bad input', () => {
    const cases: Array<[string, Record<string, Uint8Array>, RegExp]> = [
      ['empty-file', { '00000.png': good, '00001.png': new Uint8Array(0) }, /00001\.png: the file is empty \(0 bytes\)/],
      ['truncated', { '00000.png': good.subarray(0, good.length - 20) }, /00000\.png: corrupt or truncated PNG/],
      ['not-png', { '00000.png': new TextEncoder().encode('hello, not a png at all') }, /00000\.png: not a PNG file/],
      ['wrong-palette', { '00000.png': encodeIndexedPng({ width: 4, height: 3, indices: new Uint8Array(12).fill(1) }, Uint8Array.from({ length: 768 }, (_, i) => i % 256)) }, /00000\.png: palette entry 1 is \(3, 4, 5\), not the DAVIS\/VOC colour \(128, 0, 0\)/],
      ['grey-values', { '00000.png': encodeGreyPng(2, 1, Uint8Array.of(0, 7)) }, /00000\.png: a grey binary mask has values \{0,255\} or \{0,1\}; found 0, 7/],
      ['bad-name', { '00000.png': good, 'frame-one.png': good }, /frame-one\.png: the name is not a frame number/],
      ['size-change', { '00000.png': good, '00001.png': encodeIndexedPng({ width: 5, height: 3, indices: new Uint8Array(15) }) }, /00001\.png: is 5×3, the earlier frames are 4×3/],
      ['no-files', {}, /has no %05d\.png annotation files/],
    ];
    for (const [name, files, message] of cases) {
      const folder = writeSequence(name, files);
      let caught: unknown;
      try {
        importAnnotations('davis', folder);
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(FormatError);
      expect((caught as Error).message, name).toMatch(message);
    }
  });

  it('names folders holding entries whose names are not UTF-8', () => {
    const folder = writeSequence('latin1-name', { '00000.png': good });
    writeFileSync(Buffer.concat([Buffer.from(`${folder}/`), Buffer.of(0x66, 0xe9, 0x74, 0x65), Buffer.from('.png')]), good);
    expect(() => importAnnotations('davis', folder)).toThrow(/latin1-name: holds an entry whose name is not UTF-8 \("f\\xe9te\.png"\); rename it/);
    const root = join(scratch, 'latin1-root', 'Annotations', '480p');
    mkdirSync(Buffer.concat([Buffer.from(`${root}/`), Buffer.of(0xff)]), { recursive: true });
    expect(() => importAnnotations('davis', join(scratch, 'latin1-root'))).toThrow(/480p: holds an entry whose name is not UTF-8 \("\\xff"\)/);
  });

  it('imports another palette only when asked to', () => {
    const folder = writeSequence('other-palette', { '00000.png': encodeIndexedPng({ width: 2, height: 1, indices: Uint8Array.of(0, 9) }, Uint8Array.from({ length: 768 }, (_, i) => (i < 27 ? 0 : 191))) });
    expect(() => importAnnotations('davis', folder)).toThrow(/palette entry 9/);
    expect(importAnnotations('davis', folder, { anyPalette: true }).objects.map((o) => o.paletteIndex)).toEqual([9]);
  });
});
