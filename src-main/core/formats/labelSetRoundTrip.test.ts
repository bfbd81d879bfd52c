// Every format carries the annotator's own vocabulary (issue 21): a 5-joint mouse skeleton, a 3-class fish part set
// and object classes go out and come back as the same label sets; JHMDB refuses a skeleton that is not its own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import { jhmdbSkeleton } from '../vocabulary/labelSets.ts';
import type { AnnotatedObject, FrameAnnotation } from './annotationSource.ts';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, memorySource, rectangle } from '../../../tests/support/formatTestData.ts';

const scratch = mkdtempSync(join(tmpdir(), 'label-set-formats-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const W = 24;
const H = 16;
const mouse: LabelSetDefinition = {
  kind: 'skeleton', name: 'mouse', classes: [],
  joints: [{ name: 'nose', defaultVisibility: 2 }, { name: 'left ear', defaultVisibility: 2 }, { name: 'right ear', defaultVisibility: 2 }, { name: 'neck', defaultVisibility: 1 }, { name: 'tail base', defaultVisibility: 2 }],
  edges: [[0, 3], [1, 3], [2, 3], [3, 4]], flipPairs: [[1, 2]],
};
const fish: LabelSetDefinition = {
  kind: 'parts', name: 'fish parts', joints: [], edges: [], flipPairs: [],
  classes: [{ name: 'background', color: '#000000' }, { name: 'body', color: '#ff8000' }, { name: 'fin', color: '#00c0ff' }, { name: 'tail', color: '#8000ff' }],
};
const traffic: LabelSetDefinition = {
  kind: 'classes', name: 'traffic', joints: [], edges: [], flipPairs: [],
  classes: [{ name: 'car', color: '#ff0000' }, { name: 'bus', color: '#00ff00' }],
};

function clip(kinds: Array<'mask' | 'part' | 'keypoints'>) {
  const objects: AnnotatedObject[] = [];
  if (kinds.includes('mask')) {
    objects.push({ id: 'c', name: 'red car', kind: 'mask', paletteIndex: 1, labelSet: traffic, classIndex: 0 });
    objects.push({ id: 'b', name: 'city bus', kind: 'mask', paletteIndex: 2, labelSet: traffic, classIndex: 1 });
  }
  if (kinds.includes('part')) objects.push({ id: 'f', name: 'fish', kind: 'part', paletteIndex: 3, labelSet: fish });
  if (kinds.includes('keypoints')) objects.push({ id: 'm', name: 'mouse 1', kind: 'keypoints', paletteIndex: 4, labelSet: mouse });
  const annotations = new Map<number, FrameAnnotation[]>();
  for (let frame = 0; frame < 3; frame++) {
    const list: FrameAnnotation[] = [];
    if (kinds.includes('mask')) {
      list.push({ objectId: 'c', keyframe: frame === 0, kind: 'labels', labels: rectangle(W, H, 1 + frame, 1, 6 + frame, 5) });
      list.push({ objectId: 'b', keyframe: frame === 0, kind: 'labels', labels: rectangle(W, H, 12, 8, 20, 14) });
    }
    if (kinds.includes('part')) {
      const parts = new Uint8Array(W * H);
      for (let i = 0; i < parts.length; i++) parts[i] = (i + frame) % 4;
      list.push({ objectId: 'f', keyframe: frame === 0, kind: 'labels', labels: parts });
    }
    if (kinds.includes('keypoints')) {
      list.push({ objectId: 'm', keyframe: frame === 0, kind: 'keypoints', keypoints: mouse.joints.map((_, j) => ({ x: 2 + 3 * j + frame, y: 4 + j, visibility: j === 3 ? 1 : 2 })) });
    }
    annotations.set(frame, list);
  }
  return memorySource({ name: 'lab clip', width: W, height: H, frameCount: 3, objects, annotations });
}

const vocabularyOf = (objects: readonly AnnotatedObject[]) => objects.map((o) => [o.name, o.kind, o.labelSet, o.classIndex ?? null]);

describe('label sets through every format', () => {
  it('COCO: categories name the joints and edges as defined; import recreates skeleton and classes', async () => {
    const source = clip(['mask', 'keypoints']);
    const out = join(scratch, 'coco');
    await exportAnnotations('coco', source, out);
    const json = JSON.parse(readFileSync(join(out, 'annotations/instances_default.json'), 'utf8'));
    const category = json.categories.find((c: { name: string }) => c.name === 'mouse 1');
    expect(category.keypoints).toEqual(['nose', 'left ear', 'right ear', 'neck', 'tail base']);
    expect(category.skeleton).toEqual([[1, 4], [2, 4], [3, 4], [4, 5]]);
    expect(json.categories.find((c: { name: string }) => c.name === 'city bus').supercategory).toBe('bus');
    const imported = importAnnotations('coco', out);
    expect(vocabularyOf(imported.objects)).toEqual(vocabularyOf(source.objects));
    expect(digest(imported)).toEqual(digest(source));
  });

  it('COCO from another tool: a keypoints category becomes a skeleton, mask categories an object-class set', () => {
    const file = join(scratch, 'foreign.json');
    const coco = {
      images: [{ id: 1, file_name: '00000.jpg', width: 3, height: 2 }],
      categories: [{ id: 1, name: 'fish' }, { id: 7, name: 'mouse', keypoints: ['nose', 'left_ear', 'right_ear'], skeleton: [[1, 2], [1, 3]] }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, track_id: 1, segmentation: { size: [2, 3], counts: [1, 2, 3] } },
        { id: 2, image_id: 1, category_id: 7, track_id: 2, keypoints: [1, 1, 2, 0, 0, 0, 2, 1, 1] },
      ],
    };
    writeFileSync(file, JSON.stringify(coco));
    const imported = importAnnotations('coco', file);
    const [fishObject, mouseObject] = imported.objects;
    expect(fishObject).toMatchObject({ kind: 'mask', classIndex: 0, labelSet: { kind: 'classes', classes: [{ name: 'fish' }] } });
    expect(mouseObject!.labelSet).toMatchObject({ kind: 'skeleton', name: 'mouse', joints: [{ name: 'nose' }, { name: 'left_ear' }, { name: 'right_ear' }], edges: [[0, 1], [0, 2]], flipPairs: [[1, 2]] });
  });

  it('CVAT video XML: skeleton labels with joints and edges; import places each track at its joint', async () => {
    const source = clip(['mask', 'keypoints']);
    const out = join(scratch, 'cvat');
    await exportAnnotations('cvat', source, out);
    const xml = readFileSync(join(out, 'annotations.xml'), 'utf8');
    expect(xml).toMatch(/<label><name>mouse<\/name><color>#[0-9a-f]{6}<\/color><type>skeleton<\/type><svg>/);
    expect(xml).toContain('<label><name>tail base</name>');
    expect(xml).toContain('<parent>mouse</parent>');
    const imported = importAnnotations('cvat', out);
    const mouseObject = imported.objects.find((o) => o.kind === 'keypoints')!;
    expect(mouseObject.labelSet).toEqual(mouse);
    expect(digest(imported, { kinds: ['keypoints'] })).toEqual(digest(source, { kinds: ['keypoints'] }));
  });

  it('YouTube-VOS: meta.json categories are the object classes; the label set file restores names and colours', async () => {
    const source = clip(['mask']);
    const out = join(scratch, 'ytvos');
    await exportAnnotations('ytvos', source, out);
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect((Object.values(meta.videos)[0] as { objects: Record<string, unknown> }).objects['2']).toMatchObject({ category: 'bus', name: 'city bus' });
    const imported = importAnnotations('ytvos', out);
    expect(vocabularyOf(imported.objects)).toEqual(vocabularyOf(source.objects));
    expect(digest(imported, { keyframes: false })).toEqual(digest(source, { keyframes: false }));
  });

  it('DAVIS: object ids in palette order, classes restored from the label set file', async () => {
    const source = clip(['mask']);
    const out = join(scratch, 'davis');
    await exportAnnotations('davis', source, out);
    const imported = importAnnotations('davis', out);
    expect(vocabularyOf(imported.objects)).toEqual(vocabularyOf(source.objects));
  });

  it('VIP: class ids are the part set order; the part set comes back (ids beyond VIP accepted by it)', async () => {
    const source = clip(['part']);
    const out = join(scratch, 'vip');
    const result = await exportAnnotations('vip', source, out);
    expect(result.warnings).toEqual([]);
    const imported = importAnnotations('vip', out);
    expect(imported.objects[0]!.labelSet).toEqual(fish);
    expect(Object.values(digest(imported, { keyframes: false }))).toEqual(Object.values(digest(source, { keyframes: false })));
  });

  it('VIP without a label set file reads VIP class ids (the project part set) and names the bad id', async () => {
    const source = clip(['part']);
    source.objects[0]!.labelSet = undefined;
    const out = join(scratch, 'vip-plain');
    await exportAnnotations('vip', source, out);
    expect(importAnnotations('vip', out).objects[0]!.labelSet).toBeUndefined();
    const custom = clip(['part']);
    await exportAnnotations('vip', custom, join(scratch, 'vip-custom'));
    rmSync(join(scratch, 'vip-custom', 'correspond_label_sets.json'));
    expect(importAnnotations('vip', join(scratch, 'vip-custom')).objects[0]!.labelSet).toBeUndefined();
  });

  it('JHMDB: exports only the 15-joint JHMDB skeleton and says why otherwise', async () => {
    await expect(exportAnnotations('jhmdb', clip(['keypoints']), join(scratch, 'jhmdb'))).rejects.toThrow(/JHMDB holds the 15 JHMDB joints; "mouse 1" uses skeleton "mouse" of 5 joints: export it as COCO or CVAT instead/);
    const jhmdbClip = clip(['keypoints']);
    const person = jhmdbClip.objects[0]!;
    person.labelSet = jhmdbSkeleton();
    for (let frame = 0; frame < 3; frame++) {
      const [annotation] = jhmdbClip.annotationsAt(frame);
      if (annotation?.kind === 'keypoints') annotation.keypoints = Array.from({ length: 15 }, (_, j) => ({ x: j + 1, y: j + 2, visibility: 2 }));
    }
    await exportAnnotations('jhmdb', jhmdbClip, join(scratch, 'jhmdb-ok'));
    expect(importAnnotations('jhmdb', join(scratch, 'jhmdb-ok')).objects[0]!.labelSet).toEqual(jhmdbSkeleton());
  });
});
