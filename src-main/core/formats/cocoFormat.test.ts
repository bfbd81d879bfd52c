import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, memorySource, pose, rectangle, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { FormatError } from './formatError.ts';

const python = '/usr/bin/python3';
const hasPycocotools = existsSync(python) && spawnSync(python, ['-c', 'import pycocotools.mask'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'coco-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('COCO export and import', () => {
  it('round-trips masks, keypoints and keyframe flags (parts are left out with a warning)', async () => {
    const source = syntheticClip({ withKeypoints: true, withPart: true, emptyFrames: [3] });
    const out = join(scratch, 'roundtrip');
    const result = await exportAnnotations('coco', source, out);
    expect(result.warnings.join()).toMatch(/part objects; left out: parts/);
    expect(result.files).toEqual(['annotations/instances_default.json']);
    const imported = importAnnotations('coco', out);
    expect(imported.exactFrameCount).toBe(true);
    expect(imported.frameCount).toBe(9);
    expect(imported.objects.map((o) => [o.name, o.kind, o.paletteIndex])).toEqual([['dancer', 'mask', 1], ['dog', 'mask', 3], ['person', 'keypoints', 5]]);
    expect(digest(imported)).toEqual(digest(source, { kinds: ['mask', 'keypoints'] }));
  });

  it('writes standard COCO fields: RLE size/counts, area, bbox, keypoints [x,y,v], names and skeleton', async () => {
    const out = join(scratch, 'fields');
    await exportAnnotations('coco', syntheticClip({ withKeypoints: true, frameCount: 2 }), out);
    const json = JSON.parse(readFileSync(join(out, 'annotations/instances_default.json'), 'utf8'));
    expect(json.images[1]).toMatchObject({ id: 2, file_name: '00001.jpg', width: 32, height: 24, frame_id: 1 });
    const [mask, , person] = json.annotations;
    // dancer on frame 0: x 2..9, y 3..11 → 8×9 = 72 pixels, first set pixel at column 2 row 3 → 2·24+3 zeros.
    expect(mask).toMatchObject({ image_id: 1, category_id: 1, track_id: 1, iscrowd: 0, area: 72, bbox: [2, 3, 8, 9], segmentation: { size: [24, 32] } });
    expect(typeof mask.segmentation.counts).toBe('string');
    expect(person.keypoints).toHaveLength(45);
    expect(person.keypoints.slice(0, 3)).toEqual([7, 8, 1]);
    expect(person.num_keypoints).toBe(15);
    const category = json.categories[2];
    expect(category.keypoints[0]).toBe('neck');
    expect(category.skeleton).toContainEqual([3, 1]);
  });

  it('decodes like pycocotools (cross-check when /usr/bin/python3 has pycocotools)', async () => {
    if (!hasPycocotools) {
      console.warn('skipping the pycocotools cross-check: `import pycocotools.mask` fails in /usr/bin/python3 (Debian 12 has no package for it)');
      return;
    }
    const out = join(scratch, 'pycocotools');
    const source = syntheticClip({ frameCount: 3 });
    await exportAnnotations('coco', source, out);
    const script = `import json, sys\nimport numpy as np\nimport pycocotools.mask as m\nd = json.load(open(sys.argv[1]))\nprint(json.dumps([[int(a['area']), [float(v) for v in a['bbox']], int(m.area(a['segmentation'])), [float(v) for v in m.toBbox(a['segmentation'])], m.decode(a['segmentation']).flatten().tolist()] for a in d['annotations']]))`;
    const run = spawnSync(python, ['-c', script, join(out, 'annotations/instances_default.json')], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(run.status, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<[number, number[], number, number[], number[]]>;
    let index = 0;
    for (let frame = 0; frame < 3; frame++) {
      for (const annotation of source.annotationsAt(frame)) {
        const [area, bbox, pyArea, pyBbox, pixels] = rows[index++];
        expect(pyArea).toBe(area);
        expect(pyBbox).toEqual(bbox);
        expect(annotation.kind === 'labels' && Array.from(annotation.labels)).toEqual(pixels);
      }
    }
  });

  it('reads uncompressed RLE and unlabelled keypoints from other tools; refuses polygons', () => {
    const file = join(scratch, 'foreign.json');
    const coco = {
      images: [{ id: 10, file_name: 'frames/00000.jpg', width: 3, height: 2 }, { id: 11, file_name: 'frames/00001.jpg', width: 3, height: 2 }],
      categories: [{ id: 1, name: 'cat' }, { id: 2, name: 'person' }],
      annotations: [
        { id: 1, image_id: 11, category_id: 1, segmentation: { size: [2, 3], counts: [1, 2, 3] } },
        { id: 2, image_id: 10, category_id: 2, keypoints: [1, 1, 2, 0, 0, 0] },
      ],
    };
    writeFileSync(file, JSON.stringify(coco));
    const imported = importAnnotations('coco', file);
    expect(imported.objects.map((o) => [o.name, o.kind])).toEqual([['cat', 'mask'], ['person', 'keypoints']]);
    const [mask] = imported.annotationsAt(1);
    expect(mask.kind === 'labels' && Array.from(mask.labels)).toEqual([0, 1, 0, 1, 0, 0]);
    expect(imported.annotationsAt(0)).toEqual([{ objectId: 'category-2', keyframe: true, kind: 'keypoints', keypoints: [{ x: 1, y: 1, visibility: 2 }, { x: 0, y: 0, visibility: 0 }] }]);
    writeFileSync(file, JSON.stringify({ ...coco, annotations: [{ id: 5, image_id: 10, category_id: 1, segmentation: [[0, 0, 1, 0, 1, 1]] }] }));
    expect(() => importAnnotations('coco', file)).toThrow(/annotation 5 has a polygon/);
  });

  it('names the file and the problem for bad input', () => {
    const folder = join(scratch, 'bad');
    mkdirSync(folder, { recursive: true });
    const base = { images: [{ id: 1, file_name: '00000.jpg', width: 2, height: 2 }], categories: [{ id: 1, name: 'a' }] };
    const cases: Array<[string, string | Uint8Array, RegExp]> = [
      ['empty.json', '', /empty\.json: the file is empty \(0 bytes\)/],
      ['latin1.json', Uint8Array.of(0x7b, 0x22, 0xe9, 0x22, 0x7d), /latin1\.json: is not UTF-8 text/],
      ['truncated.json', '{"images": [', /truncated\.json: is not valid JSON/],
      ['not-coco.json', '{"hello": 1}', /not-coco\.json: is JSON but not COCO/],
      ['short-runs.json', JSON.stringify({ ...base, annotations: [{ id: 3, image_id: 1, category_id: 1, segmentation: { size: [2, 2], counts: [1, 1] } }] }), /short-runs\.json: annotation 3: the runs cover 2 of 2×2 = 4 pixels/],
      ['bad-string.json', JSON.stringify({ ...base, annotations: [{ id: 4, image_id: 1, category_id: 1, segmentation: { size: [2, 2], counts: '4 ' } }] }), /bad-string\.json: annotation 4: character/],
      ['dangling.json', JSON.stringify({ ...base, annotations: [{ id: 6, image_id: 9, category_id: 1, segmentation: { size: [2, 2], counts: [4] } }] }), /dangling\.json: annotation 6 refers to image 9/],
      ['twins.json', JSON.stringify({ ...base, annotations: [1, 2].map((id) => ({ id, image_id: 1, category_id: 1, segmentation: { size: [2, 2], counts: [4] } })) }), /twins\.json: annotation 2: image 1 already has an annotation of category 1 \(no track_id/],
    ];
    for (const [name, content, message] of cases) {
      writeFileSync(join(folder, name), content);
      let caught: unknown;
      try {
        importAnnotations('coco', join(folder, name));
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(FormatError);
      expect((caught as Error).message, name).toMatch(message);
    }
  });

  it('keeps unlabelled keypoints unlabelled (COCO writes them as 0, 0, 0)', async () => {
    const keypoints = pose(10, 10, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0]);
    const source = memorySource({
      name: 'v',
      width: 20,
      height: 20,
      frameCount: 1,
      objects: [{ id: 'k', name: 'walker', kind: 'keypoints', paletteIndex: 7 }, { id: 'm', name: 'bag', kind: 'mask', paletteIndex: 2 }],
      annotations: new Map([[0, [{ objectId: 'k', keyframe: false, kind: 'keypoints', keypoints }, { objectId: 'm', keyframe: true, kind: 'labels', labels: rectangle(20, 20, 0, 0, 20, 20) }]]]),
    });
    const out = join(scratch, 'unlabelled');
    await exportAnnotations('coco', source, out);
    const [annotation] = importAnnotations('coco', out).annotationsAt(0);
    expect(annotation).toMatchObject({ keyframe: false, kind: 'keypoints' });
    expect(annotation.kind === 'keypoints' && annotation.keypoints[0]).toEqual({ x: 0, y: 0, visibility: 0 });
    expect(annotation.kind === 'keypoints' && annotation.keypoints[1]).toEqual(keypoints[1]);
  });
});
