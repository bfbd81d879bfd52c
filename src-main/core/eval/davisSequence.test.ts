import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeIndexedPng } from '../formats/png.ts';
import { evaluateDavisSequence } from './davisSequence.ts';
import { EvalError } from './evalError.ts';

const width = 8;
const height = 4;
let root: string;

/** Writes `<root>/<folder>/<name>.png` from an 8×4 pixel list given as a string of id characters ('v' = 255). */
function writeFrame(folder: string, name: string, pixels: string): void {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  const indices = Uint8Array.from(pixels.replace(/\s/g, '').split(''), (c) => (c === 'v' ? 255 : Number(c)));
  writeIndexedPng(join(dir, `${name}.png`), { width, height, indices });
}

function makeRoot(): void {
  root = mkdtempSync(join(tmpdir(), 'davis-sequence-'));
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

const annotationsDir = () => join(root, 'gt');
const resultsDir = () => join(root, 'results');

describe('evaluateDavisSequence', () => {
  it('scores only frames 1..T-2, so results for the first and last frame are not needed', () => {
    makeRoot();
    const square = '11000000 11000000 00000000 00000000';
    for (const name of ['00000', '00001', '00002', '00003']) writeFrame('gt', name, square);
    for (const name of ['00001', '00002']) writeFrame('results/seq', name, square);
    const scores = evaluateDavisSequence({ annotationsDir: annotationsDir(), resultsDir: resultsDir(), sequence: 'seq' });
    expect(scores.objects).toHaveLength(1);
    expect(scores.objects[0].frameNames).toEqual(['00001', '00002']);
    expect(Array.from(scores.objects[0].jPerFrame)).toEqual([1, 1]);
    expect(Array.from(scores.objects[0].fPerFrame)).toEqual([1, 1]);
  });

  it('treats void pixels as background in semi-supervised J', () => {
    makeRoot();
    writeFrame('gt', '00000', '11000000 11000000 00000000 00000000');
    writeFrame('gt', '00001', '11vv0000 11vv0000 00000000 00000000');
    writeFrame('gt', '00002', '00000000 00000000 00000000 00000000');
    writeFrame('results/seq', '00001', '11110000 11110000 00000000 00000000');
    const scores = evaluateDavisSequence({ annotationsDir: annotationsDir(), resultsDir: resultsDir(), sequence: 'seq' });
    expect(scores.objects[0].jPerFrame[0]).toBe(0.5);
  });

  it('takes the object count from the first frame and scores absent result ids against empty masks', () => {
    makeRoot();
    writeFrame('gt', '00000', '11000220 11000220 00000000 00000000');
    writeFrame('gt', '00001', '11000220 11000220 00000000 00000033');
    writeFrame('gt', '00002', '00000000 00000000 00000000 00000000');
    writeFrame('results/seq', '00001', '11000000 11000000 00000000 00000000');
    const scores = evaluateDavisSequence({ annotationsDir: annotationsDir(), resultsDir: resultsDir(), sequence: 'seq' });
    expect(scores.objects.map((o) => o.objectId)).toEqual([1, 2]);
    expect(scores.objects[0].jPerFrame[0]).toBe(1);
    expect(scores.objects[1].jPerFrame[0]).toBe(0);
    expect(scores.objects[1].fPerFrame[0]).toBe(0);
  });

  it('refuses result ids above the object count of the first frame, naming the result file', () => {
    makeRoot();
    for (const name of ['00000', '00001', '00002']) writeFrame('gt', name, '11000000 11000000 00000000 00000000');
    writeFrame('results/seq', '00001', '11000000 11000000 00000000 00000002');
    const run = () => evaluateDavisSequence({ annotationsDir: annotationsDir(), resultsDir: resultsDir(), sequence: 'seq' });
    expect(run).toThrow(EvalError);
    expect(run).toThrow(/results\/seq\/00001\.png: result contains object id 2 .* only 1 object/);
  });

  it('names the missing result frame', () => {
    makeRoot();
    for (const name of ['00000', '00001', '00002']) writeFrame('gt', name, '11000000 11000000 00000000 00000000');
    mkdirSync(join(root, 'results/seq'), { recursive: true });
    expect(() => evaluateDavisSequence({ annotationsDir: annotationsDir(), resultsDir: resultsDir(), sequence: 'seq' })).toThrow(
      /results\/seq\/00001\.png: result frame 00001 of sequence "seq" is missing/,
    );
  });

  it('refuses sequences of fewer than 3 frames', () => {
    makeRoot();
    for (const name of ['00000', '00001']) writeFrame('gt', name, '11000000 11000000 00000000 00000000');
    expect(() => evaluateDavisSequence({ annotationsDir: annotationsDir(), resultsDir: resultsDir(), sequence: 'seq' })).toThrow(/at least 3/);
  });
});
