import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, memorySource, pose, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { FormatError } from './formatError.ts';

const python = '/usr/bin/python3';
const hasPython = existsSync(python);
const scratch = mkdtempSync(join(tmpdir(), 'cvat-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cvatFile(name: string, tracks: string, size = 5): string {
  const file = join(scratch, name);
  writeFileSync(file, `<?xml version="1.0" encoding="utf-8"?>
<annotations><version>1.1</version><meta><task><name>t</name><size>${size}</size>
<original_size><width>4</width><height>3</height></original_size></task></meta>
${tracks}
</annotations>`);
  return file;
}

describe('CVAT for video 1.1', () => {
  it('round-trips mask tracks and joint tracks with keyframe, outside (visibility 0) and occluded (visibility 1)', async () => {
    const source = syntheticClip({ withKeypoints: true, withPart: true, emptyFrames: [5] });
    const annotationsAt = source.annotationsAt.bind(source);
    // Some unlabelled joints too: CVAT keeps their last position on an outside shape.
    source.annotationsAt = (frame) =>
      annotationsAt(frame).map((a) => (a.kind === 'keypoints' ? { ...a, keypoints: a.keypoints.map((p, j) => (j === frame ? { ...p, visibility: 0 as const } : p)) } : a));
    const out = join(scratch, 'roundtrip');
    const result = await exportAnnotations('cvat', source, out);
    expect(result.warnings.join(' ')).toMatch(/part objects left out: parts.*1 empty mask annotations are written as "outside"/);
    expect(readdirSync(out).sort()).toEqual(['.correspond-export.json', 'annotations.xml']);
    const imported = importAnnotations('cvat', out);
    expect(imported.frameCount).toBe(9);
    expect(imported.objects.map((o) => [o.name, o.kind, o.paletteIndex])).toEqual([['dancer', 'mask', 1], ['dog', 'mask', 3], ['person', 'keypoints', 5]]);
    const expected = digest(source, { kinds: ['mask', 'keypoints'] });
    delete expected['2:mask:3']; // the empty dog mask of frame 2
    expect(digest(imported)).toEqual(expected);
  });

  it('writes XML that an independent parser (Python xml.etree) reads with the expected structure', async () => {
    const out = join(scratch, 'etree');
    await exportAnnotations('cvat', syntheticClip({ withKeypoints: true, frameCount: 3 }), out);
    if (!hasPython) {
      console.warn('skipping the xml.etree cross-check: /usr/bin/python3 is not available');
      return;
    }
    const script = `import sys, json, xml.etree.ElementTree as ET\nr = ET.parse(sys.argv[1]).getroot()\nt = r.findall('track')\nprint(json.dumps([r.find('version').text, r.find('meta/task/size').text, len(t), t[0].get('label'), t[0][0].attrib, t[2].get('label'), t[2][0].get('points'), t[2][0].find('attribute').text]))`;
    const run = spawnSync(python, ['-c', script, join(out, 'annotations.xml')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [version, size, tracks, label, firstMask, jointLabel, points, objectName] = JSON.parse(run.stdout);
    expect([version, size, tracks, label, jointLabel, points, objectName]).toEqual(['1.1', '3', 17, 'dancer', 'neck', '7,8', 'person']);
    expect(firstMask).toEqual({ frame: '0', keyframe: '1', outside: '0', occluded: '0', rle: '0, 72', left: '2', top: '3', width: '8', height: '9', z_order: '0' });
  });

  it('follows CVAT between shapes: points interpolate, masks hold, an outside shape ends the track', () => {
    const file = cvatFile(
      'interpolate.xml',
      `<track id="0" label="neck" source="manual" group_id="2">
  <points frame="0" keyframe="1" outside="0" occluded="0" points="0,0" z_order="0"/>
  <points frame="4" keyframe="1" outside="0" occluded="1" points="2,1" z_order="0"/>
</track>
<track id="1" label="ball &amp; chain" source="manual">
  <mask frame="1" keyframe="1" outside="0" occluded="0" rle="1, 2, 1" left="1" top="1" width="2" height="2" z_order="0"/>
  <mask frame="3" keyframe="1" outside="1" occluded="0" rle="4" left="1" top="1" width="2" height="2" z_order="0"/>
</track>`,
    );
    const imported = importAnnotations('cvat', file);
    expect(imported.objects.map((o) => [o.name, o.kind, o.paletteIndex])).toEqual([['person', 'keypoints', 2], ['ball & chain', 'mask', 1]]);
    expect(imported.frameIndices).toEqual([0, 1, 2, 3, 4]);
    const [pointAt2] = imported.annotationsAt(2);
    expect(pointAt2).toEqual({ objectId: 'cvat-group-2', keyframe: false, kind: 'keypoints', keypoints: [{ x: 1, y: 0.5, visibility: 2 }] });
    const maskAt2 = imported.annotationsAt(2)[1];
    expect(maskAt2).toMatchObject({ keyframe: false, kind: 'labels' });
    expect(maskAt2.kind === 'labels' && Array.from(maskAt2.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(imported.annotationsAt(3).map((a) => a.kind)).toEqual(['keypoints']);
  });

  it('names the file and the problem for bad input', () => {
    const shape = (rle: string) => `<track id="0" label="a" source="manual"><mask frame="0" keyframe="1" outside="0" occluded="0" rle="${rle}" left="0" top="0" width="2" height="2" z_order="0"/></track>`;
    const cases: Array<[string, string | Uint8Array, RegExp]> = [
      ['empty.xml', new Uint8Array(0), /empty\.xml: the file is empty \(0 bytes\)/],
      ['latin1.xml', Uint8Array.of(0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e), /latin1\.xml: is not UTF-8 text/],
      ['truncated.xml', readFileSync(cvatFile('t0.xml', shape('1, 3'))).subarray(0, 150), /truncated\.xml: line 3: malformed or cut-off tag/],
      ['cut.xml', readFileSync(cvatFile('t3.xml', shape('1, 3')), 'utf8').split('<track')[0], /cut\.xml: the file ends inside <annotations> of line 2 \(truncated\?\)/],
      ['images.xml', '<annotations><version>1.1</version><image id="0" name="a.jpg"/></annotations>', /images\.xml: is "CVAT for images"/],
      ['rle.xml', readFileSync(cvatFile('t1.xml', shape('1, 2'))), /rle\.xml: line 4: rle covers 3 pixels, the box is 2×2/],
      ['mismatch.xml', '<annotations><meta></task></meta></annotations>', /mismatch\.xml: line 1: <\/task> does not close <meta>/],
      ['frame.xml', readFileSync(cvatFile('t2.xml', shape('1, 3'), 0)), /frame\.xml: meta\/task\/size/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(scratch, 'bad', name);
      mkdirSync(join(scratch, 'bad'), { recursive: true });
      writeFileSync(file, content);
      let caught: unknown;
      try {
        importAnnotations('cvat', file);
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(FormatError);
      expect((caught as Error).message, name).toMatch(message);
    }
  });

  it('escapes object names in labels and attributes', async () => {
    const name = 'a <b> & "c" \u00e9';
    const source = memorySource({
      name: 'x',
      width: 20,
      height: 20,
      frameCount: 1,
      objects: [{ id: 'k', name, kind: 'keypoints', paletteIndex: 9 }],
      annotations: new Map([[0, [{ objectId: 'k', keyframe: true, kind: 'keypoints', keypoints: pose(9, 9) }]]]),
    });
    const out = join(scratch, 'escape');
    await exportAnnotations('cvat', source, out);
    expect(importAnnotations('cvat', out).objects).toEqual([{ id: 'cvat-group-9', name, kind: 'keypoints', paletteIndex: 9 }]);
  });
});
