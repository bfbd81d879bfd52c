import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbFrameAt } from './annotationSource.ts';
import { exportAnnotations, importAnnotations } from './annotationFormats.ts';
import { digest, memorySource, pose, syntheticClip } from '../../../tests/support/formatTestData.ts';
import { FormatError } from './formatError.ts';
import { encodeMatFile, readMatFile } from './matFile.ts';

const sharedData = process.env.CORRESPOND_SHARED_DATA ?? resolve(import.meta.dirname, '../../../../shared/data');
const sampleVideo = 'catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2';
const python = '/usr/bin/python3';
const hasScipy = existsSync(python) && spawnSync(python, ['-c', 'import scipy.io, numpy'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'jhmdb-format-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Visible-only copy of the synthetic pose (JHMDB has no occlusion flag: everything it stores reads back as 2). */
function visibleClip(frameCount = 6) {
  const source = syntheticClip({ withKeypoints: true, withPart: true, frameCount, emptyFrames: [2] });
  const annotationsAt = source.annotationsAt.bind(source);
  source.annotationsAt = (frame) =>
    annotationsAt(frame).map((a) => (a.kind === 'keypoints' ? { ...a, keypoints: a.keypoints.map((p) => ({ ...p, visibility: 2 as const })) } : a));
  return source;
}

function scipy(script: string, ...args: string[]): unknown {
  const run = spawnSync(python, ['-c', `import json, sys\nimport numpy as np\nimport scipy.io as sio\n${script}`, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('JHMDB export and import', () => {
  it('round-trips the pose and the part masks (joint_positions.mat + puppet_mask.mat)', async () => {
    const source = visibleClip();
    const out = join(scratch, 'roundtrip');
    const result = await exportAnnotations('jhmdb', source, out, { className: 'dance' });
    expect(result.files.sort()).toEqual(['joint_positions/dance/dance twirl/joint_positions.mat', 'puppet_mask/dance/dance twirl/puppet_mask.mat']);
    const imported = importAnnotations('jhmdb', out);
    expect([imported.frameCount, imported.exactFrameCount, imported.width, imported.height]).toEqual([6, true, 32, 24]);
    expect(imported.frameIndices).toEqual([0, 1, 2, 3, 4, 5]); // the puppet volume covers every frame
    expect(digest(imported, { kinds: ['keypoints'], keyframes: false, keyBy: 'name' })).toEqual(digest(source, { kinds: ['keypoints'], keyframes: false, keyBy: 'name' }));
    // The volume has every frame: frame 2, unannotated in the source, reads back as an all-background map.
    const importedParts = digest(imported, { kinds: ['part'], keyframes: false, keyBy: 'palette' });
    expect(importedParts['2:part:2']).toMatch(/^labels n=768 sum=0 /);
    delete importedParts['2:part:2'];
    const sourceParts = Object.fromEntries(Object.entries(digest(source, { kinds: ['part'], keyframes: false })).map(([key, value]) => [key.replace(':4', ':2'), value]));
    expect(importedParts).toEqual(sourceParts);
  });

  it('writes what scipy.io.loadmat reads: 2×15×T doubles, 1-based, NaN for unknown joints, pos_world as in the dataset', async () => {
    const source = syntheticClip({ withKeypoints: true, frameCount: 4, emptyFrames: [1] });
    const out = join(scratch, 'scipy');
    await exportAnnotations('jhmdb', source, out);
    const mat = join(out, 'joint_positions/annotated/dance twirl/joint_positions.mat');
    const ours = readMatFile(mat);
    expect(ours.get('pos_img')!.dims).toEqual([2, 15, 4]);
    if (!hasScipy) {
      console.warn('skipping the scipy cross-check: /usr/bin/python3 has no scipy');
      return;
    }
    const read = scipy(
      `m = sio.loadmat(sys.argv[1])\np = m['pos_img']; w = m['pos_world']\nprint(json.dumps({"shape": list(p.shape), "dtype": str(p.dtype), "x": None if np.isnan(p[0,0,0]) else float(p[0,0,0]), "y": float(p[1,0,0]), "nanFrame": bool(np.isnan(p[:,:,1]).all()), "world": float(np.nanmax(np.abs(w - (p - np.array([16.0, 12.0])[:,None,None]) / (0.45*24))))}))`,
      mat,
    ) as { shape: number[]; dtype: string; x: number; y: number; nanFrame: boolean; world: number };
    const first = source.annotationsAt(0).find((a) => a.kind === 'keypoints')!;
    const joint0 = first.kind === 'keypoints' ? first.keypoints[0] : undefined;
    expect(read).toEqual({ shape: [2, 15, 4], dtype: 'float64', x: joint0!.x + 1, y: joint0!.y + 1, nanFrame: true, world: 0 });
  });

  it('streams the puppet mask volume as uint8 H×W×T that scipy reads frame for frame', async () => {
    const source = visibleClip(3);
    const out = join(scratch, 'puppet');
    await exportAnnotations('jhmdb', source, out);
    if (!hasScipy) return;
    const mat = join(out, 'puppet_mask/annotated/dance twirl/puppet_mask.mat');
    const read = scipy(`m = sio.loadmat(sys.argv[1])['part_mask']\nprint(json.dumps({"shape": list(m.shape), "dtype": str(m.dtype), "frame1": m[:,:,1].flatten().tolist()}))`, mat) as {
      shape: number[];
      dtype: string;
      frame1: number[];
    };
    const part = source.annotationsAt(1).find((a) => a.objectId === 'p')!;
    expect(read.shape).toEqual([24, 32, 3]);
    expect(read.dtype).toBe('uint8');
    expect(read.frame1).toEqual(part.kind === 'labels' ? Array.from(part.labels) : []);
  });

  it('writes Rename_Images frames numbered from 00001', async () => {
    const source = visibleClip(3);
    async function* frames(): AsyncIterable<RgbFrameAt> {
      for (let frameIndex = 0; frameIndex < 3; frameIndex++) yield { frameIndex, width: 32, height: 24, data: new Uint8Array(32 * 24 * 3).fill(frameIndex * 40) };
    }
    const out = join(scratch, 'frames');
    await exportAnnotations('jhmdb', source, out, { frames });
    expect(readdirSync(join(out, 'Rename_Images/annotated/dance twirl'))).toEqual(['00001.png', '00002.png', '00003.png']);
  });

  it('reproduces the shared JHMDB sample exactly (pos_img − 1, 40 frames, 320×240 from Rename_Images)', () => {
    const mat = join(sharedData, 'jhmdb-sample/joint_positions', sampleVideo, 'joint_positions.mat');
    if (!existsSync(mat)) {
      console.warn(`skipping: ${mat} is not there (../shared/data absent)`);
      return;
    }
    const imported = importAnnotations('jhmdb', join(sharedData, 'jhmdb-sample'));
    expect([imported.name, imported.frameCount, imported.width, imported.height]).toEqual(['Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2', 40, 320, 240]);
    const posImg = readMatFile(mat).get('pos_img')!;
    for (let frame = 0; frame < 40; frame++) {
      const [annotation] = imported.annotationsAt(frame);
      expect(annotation.kind).toBe('keypoints');
      const points = annotation.kind === 'keypoints' ? annotation.keypoints : [];
      points.forEach((point, joint) => {
        expect(point.x).toBe(posImg.data[2 * joint + 30 * frame] - 1);
        expect(point.y).toBe(posImg.data[1 + 2 * joint + 30 * frame] - 1);
        expect(point.visibility).toBe(2);
      });
    }
    if (hasScipy) {
      const first = scipy(`print(json.dumps((sio.loadmat(sys.argv[1])['pos_img'][:, :, 0] - 1).T.tolist()))`, mat) as number[][];
      const [annotation] = imported.annotationsAt(0);
      expect(annotation.kind === 'keypoints' && annotation.keypoints.map((p) => [p.x, p.y])).toEqual(first);
    }
  });

  it('re-exports the shared sample with the same pos_img and pos_world (the derived relation)', async () => {
    const mat = join(sharedData, 'jhmdb-sample/joint_positions', sampleVideo, 'joint_positions.mat');
    if (!existsSync(mat)) return;
    const imported = importAnnotations('jhmdb', mat);
    const source = { ...imported, width: 320, height: 240, annotationsAt: imported.annotationsAt };
    const out = join(scratch, 'resample');
    await exportAnnotations('jhmdb', source, out, { className: 'catch' });
    const original = readMatFile(mat);
    const ours = readMatFile(join(out, 'joint_positions/catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2/joint_positions.mat'));
    expect(Array.from(ours.get('pos_img')!.data)).toEqual(Array.from(original.get('pos_img')!.data));
    const world = ours.get('pos_world')!.data;
    const originalWorld = original.get('pos_world')!.data;
    expect(Math.max(...world.map((v, i) => Math.abs(v - originalWorld[i])))).toBeLessThan(1e-15);
  });

  it('writes the variables the original file defines (no scale, no viewpoint), with its order, shapes and classes', async () => {
    const mat = join(sharedData, 'jhmdb-sample/joint_positions', sampleVideo, 'joint_positions.mat');
    if (!existsSync(mat)) {
      console.warn(`skipping: ${mat} is not there (../shared/data absent)`);
      return;
    }
    if (!hasScipy) {
      console.warn('skipping the scipy cross-check: /usr/bin/python3 has no scipy');
      return;
    }
    const imported = importAnnotations('jhmdb', mat);
    const out = join(scratch, 'variables');
    await exportAnnotations('jhmdb', { ...imported, width: 320, height: 240, annotationsAt: imported.annotationsAt }, out, { className: 'catch' });
    const ours = join(out, 'joint_positions/catch', sampleVideo.split('/')[1], 'joint_positions.mat');
    // whosmat: (name, shape, class) of every variable in file order; the fit: per frame and axis, pos_img = s·pos_world + o.
    const read = scipy(
      `out = {}\nfor key, f in (("original", sys.argv[1]), ("ours", sys.argv[2])):\n` +
        `    m = sio.loadmat(f); p = m['pos_img']; w = m['pos_world']\n` +
        `    fits = [np.linalg.lstsq(np.stack([w[d,:,t], np.ones(15)], 1), p[d,:,t], rcond=None)[0].tolist() for t in range(p.shape[2]) for d in range(2)]\n` +
        `    out[key] = {"whos": [[n, list(s), c] for n, s, c in sio.whosmat(f)], "scale": [min(f[0] for f in fits), max(f[0] for f in fits)]}\n` +
        `print(json.dumps(out))`,
      mat,
      ours,
    ) as Record<'original' | 'ours', { whos: unknown[]; scale: [number, number] }>;
    expect(read.original.whos).toEqual([['pos_world', [2, 15, 40], 'double'], ['pos_img', [2, 15, 40], 'double']]);
    expect(read.ours.whos).toEqual(read.original.whos);
    // One constant scale 0.45·H = 108 on every frame: pos_world carries no per-frame puppet scale to write as `scale`.
    for (const [low, high] of [read.original.scale, read.ours.scale]) {
      expect(Math.abs(low - 108)).toBeLessThan(1e-9);
      expect(Math.abs(high - 108)).toBeLessThan(1e-9);
    }
  });

  it('names the file and the problem for bad .mat input', () => {
    const folder = join(scratch, 'bad');
    mkdirSync(folder, { recursive: true });
    const good = encodeMatFile([{ name: 'pos_img', dims: [2, 15, 3], data: new Float64Array(90).fill(5) }]);
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['empty.mat', new Uint8Array(0), /empty\.mat: not a MAT file/],
      ['truncated.mat', good.subarray(0, good.length - 100), /truncated\.mat: data element at byte 128 needs/],
      ['missing.mat', encodeMatFile([{ name: 'pos_world', dims: [2, 15, 3], data: new Float64Array(90) }]), /missing\.mat: has no pos_img variable \(found: pos_world\)/],
      ['shape.mat', encodeMatFile([{ name: 'pos_img', dims: [3, 15, 2], data: new Float64Array(90) }]), /shape\.mat: pos_img is 3×15×2, expected 2×15×T/],
      ['joints.mat', encodeMatFile([{ name: 'pos_img', dims: [2, 14, 3], data: new Float64Array(84) }]), /joints\.mat: pos_img is 2×14×3/],
      ['infinite.mat', encodeMatFile([{ name: 'pos_img', dims: [2, 15, 1], data: new Float64Array(30).fill(Infinity) }]), /infinite\.mat: pos_img value 0 is Infinity/],
      ['text.mat', new TextEncoder().encode('MATLAB 7.3 but actually just text'), /text\.mat: file is 33 bytes, shorter than the 128-byte MAT header/],
    ];
    for (const [name, bytes, message] of cases) {
      writeFileSync(join(folder, name), bytes);
      let caught: unknown;
      try {
        importAnnotations('jhmdb', join(folder, name));
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(FormatError);
      expect((caught as Error).message, name).toMatch(message);
    }
  });

  it('refuses poses that are not 15 joints and clips with two people', async () => {
    const objects = [{ id: 'k', name: 'a', kind: 'keypoints' as const, paletteIndex: 1 }];
    const short = memorySource({ name: 'x', width: 8, height: 8, frameCount: 1, objects, annotations: new Map([[0, [{ objectId: 'k', keyframe: true, kind: 'keypoints', keypoints: pose(4, 4).slice(0, 14) }]]]) });
    await expect(exportAnnotations('jhmdb', short, join(scratch, 'short'))).rejects.toThrow(/14 keypoints on frame 0; JHMDB poses have 15/);
    const two = memorySource({ name: 'x', width: 8, height: 8, frameCount: 1, objects: [...objects, { ...objects[0], id: 'k2', name: 'b' }], annotations: new Map() });
    await expect(exportAnnotations('jhmdb', two, join(scratch, 'two'))).rejects.toThrow(/one keypoints object per video; the clip has 2 \(a, b\)/);
    expect(existsSync(join(scratch, 'short'))).toBe(false);
  });
});
