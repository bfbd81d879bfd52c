import { describe, expect, it } from 'vitest';
import { vocColorMap } from '../formats/palette.ts';
import { EngineError } from './engineError.ts';
import type { FeatureMap } from './featureMap.ts';
import { decodePrediction, encodeLabelMap, type LabelSet } from './labelEncoding.ts';
import { pixelsFeatures } from './pixelsStream.ts';
import { SelectionCache } from './frameSelection.ts';
import { PropagationSession, propagateFromFirstFrame } from './propagationSession.ts';
import { maskIou, movingSquareClip } from '../../../tests/support/syntheticClip.ts';

const width = 128;
const height = 64;
const frameCount = 8;
// 16-px square moving one feature cell (8 px) right per frame.
const clip = movingSquareClip({ width, height, frameCount, squareSize: 16, startX: 16, startY: 24, stepX: 8 });
const features: FeatureMap[] = clip.frames.map(pixelsFeatures);
const settings = { topK: 5, contextFrames: 3, radiusCells: 3, temperature: 0.05 };

function encode(frameIndex: number): { labelSet: LabelSet; labels: ReturnType<typeof encodeLabelMap>['labels'] } {
  return encodeLabelMap({ width, height, indices: clip.masks[frameIndex], palette: vocColorMap() });
}

function newSession(): PropagationSession {
  return new PropagationSession({ frameCount, features: (t) => features[t], settings });
}

function iouOf(labels: { width: number; height: number; channels: number; data: Float32Array }, labelSet: LabelSet, frameIndex: number): number {
  return maskIou(decodePrediction(labels, labelSet, width, height), clip.masks[frameIndex]);
}

describe('PropagationSession', () => {
  it('tracks a moving textured square forward from the first keyframe', async () => {
    const { labelSet, labels } = encode(0);
    const session = newSession();
    session.setKeyframe(0, labels);
    const results = await session.propagate({ from: 0, to: frameCount - 1, direction: 'forward' });
    expect(results.map((r) => r.frameIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const result of results) expect(iouOf(result.labels, labelSet, result.frameIndex)).toBeGreaterThan(0.8);
  });

  it('tracks the square backward from a keyframe on the last frame', async () => {
    const { labelSet, labels } = encode(frameCount - 1);
    const session = newSession();
    session.setKeyframe(frameCount - 1, labels);
    const results = await session.propagate({ from: frameCount - 1, to: 0, direction: 'backward' });
    expect(results.map((r) => r.frameIndex)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    for (const result of results) expect(iouOf(result.labels, labelSet, result.frameIndex)).toBeGreaterThan(0.8);
  });

  it('reproduces the reference protocol when the only keyframe is frame 0 and the pass goes forward', async () => {
    const { labels } = encode(0);
    const session = newSession();
    session.setKeyframe(0, labels);
    const viaSession = await session.propagate({ from: 0, to: frameCount - 1, direction: 'forward' });
    const viaReference = await propagateFromFirstFrame({ frameCount, features: (t) => features[t], firstLabels: labels, settings });
    viaSession.forEach((result, t) => expect(result.labels.data).toEqual(viaReference[t].labels.data));
  });

  it('blends the forward and backward passes by temporal distance between two keyframes', async () => {
    const first = encode(0);
    const last = encode(frameCount - 1);
    const session = newSession();
    session.setKeyframe(0, first.labels);
    session.setKeyframe(frameCount - 1, last.labels);
    const forward = await session.propagate({ from: 0, to: frameCount - 2, direction: 'forward' });
    const backward = await session.propagate({ from: frameCount - 1, to: 1, direction: 'backward' });
    const filled = await session.fillBetweenKeyframes();
    expect(filled.map((r) => r.frameIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(filled[0].isKeyframe && filled[7].isKeyframe).toBe(true);
    for (let t = 1; t < frameCount - 1; t++) {
      const a = forward.find((r) => r.frameIndex === t)!.labels.data;
      const b = backward.find((r) => r.frameIndex === t)!.labels.data;
      const wA = (frameCount - 1 - t) / (frameCount - 1);
      const wB = t / (frameCount - 1);
      const blended = filled[t].labels.data;
      for (let i = 0; i < blended.length; i++) expect(blended[i]).toBeCloseTo(wA * a[i] + wB * b[i], 6);
      expect(iouOf(filled[t].labels, first.labelSet, t)).toBeGreaterThan(0.8);
    }
  });

  it('fills only the frames asked for between two keyframes, each final as it is emitted, with progress on every computed frame', async () => {
    const session = newSession();
    session.setKeyframe(0, encode(0).labels);
    session.setKeyframe(frameCount - 1, encode(frameCount - 1).labels);
    const whole = await session.fillBetweenKeyframes();
    const emitted: number[] = [];
    const progress: number[] = [];
    const part = await session.fillBetween(0, frameCount - 1, {
      first: 2, last: 4, onFrame: (t) => emitted.push(t), onProgress: (event) => progress.push(event.done / event.total),
    });
    expect(emitted).toEqual([4, 3, 2]);
    expect(part.map((r) => r.frameIndex)).toEqual([2, 3, 4]);
    for (const result of part) expect(result.labels.data).toEqual(whole[result.frameIndex].labels.data);
    // Forward 1–4, backward 6–2: nine computed frames, each reported once.
    expect(progress).toEqual(Array.from({ length: 9 }, (_, i) => (i + 1) / 9));
  });

  it('uses every keyframe inside the pass as a long-term anchor and outputs keyframes unchanged', async () => {
    const first = encode(0);
    const middle = encode(4);
    const session = newSession();
    session.setKeyframe(0, first.labels);
    session.setKeyframe(4, middle.labels);
    const results = await session.propagate({ from: 0, to: frameCount - 1, direction: 'forward' });
    expect(results[4].isKeyframe).toBe(true);
    expect(results[4].labels.data).toEqual(middle.labels.data);
    expect(results[4].confidence).toBe(1);
    for (const result of results) expect(iouOf(result.labels, first.labelSet, result.frameIndex)).toBeGreaterThan(0.8);
  });

  it('reports confidence 1 for a confident frame and 1/L when every neighbour is an even split', async () => {
    // 4×1 grid, 2-d features: cells 0-1 = A (label 0), cells 2-3 = B (label 1) in the keyframe.
    const key = { channels: 2, height: 1, width: 4, data: new Float32Array([1, 1, 0, 0, 0, 0, 1, 1]) };
    const same = key;
    const between = { channels: 2, height: 1, width: 4, data: new Float32Array(8).fill(Math.SQRT1_2) };
    const labels = { width: 4, height: 1, channels: 2, data: new Float32Array([1, 0, 1, 0, 0, 1, 0, 1]) };
    const session = new PropagationSession({
      frameCount: 3,
      features: (t) => [key, same, between][t],
      settings: { topK: 4, contextFrames: 0, radiusCells: 2, temperature: 0.05 },
    });
    session.setKeyframe(0, labels);
    const [keyframe, confident, ambiguous] = await session.propagate({ from: 0, to: 2, direction: 'forward' });
    expect(keyframe.confidence).toBe(1);
    expect(confident.confidence).toBeGreaterThan(0.999);
    expect(ambiguous.confidence).toBeCloseTo(0.5, 6);
  });

  it('reports progress per frame and stops with an AbortError when cancelled between frames', async () => {
    const { labels } = encode(0);
    const session = newSession();
    session.setKeyframe(0, labels);
    const controller = new AbortController();
    const progress: string[] = [];
    const run = session.propagate({
      from: 0,
      to: frameCount - 1,
      direction: 'forward',
      signal: controller.signal,
      onProgress: ({ done, total, frameIndex }) => progress.push(`${done}/${total}@${frameIndex}`),
      onFrame: (frameIndex) => {
        if (frameIndex === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(progress).toEqual(['1/8@0', '2/8@1', '3/8@2']);
  });

  it('refuses to start from a frame that is not a keyframe, and mismatched label sizes', async () => {
    const session = newSession();
    session.setKeyframe(0, encode(0).labels);
    await expect(session.propagate({ from: 3, to: 5, direction: 'forward' })).rejects.toBeInstanceOf(EngineError);
    await expect(session.propagate({ from: 0, to: 9, direction: 'forward' })).rejects.toThrow(/outside the clip/);
    expect(() => session.setKeyframe(2, { width: 3, height: 3, channels: 2, data: new Float32Array(18) })).not.toThrow();
    await expect(session.propagate({ from: 0, to: 2, direction: 'forward' })).rejects.toThrow(/do not match the 16×8 feature grid/);
  });

  it('prepares the first frame of a pass without labels: the run after it gives the same bits, edits included', async () => {
    const cache = new SelectionCache();
    let featureReads = 0;
    const prepared = (keyLabels: Float32Array) => {
      const session = new PropagationSession({
        frameCount,
        features: (t) => (featureReads++, features[t]),
        settings,
        selections: { cache, frameKey: (t) => `clip/${t}` },
      });
      session.setKeyframe(0, { ...encode(0).labels, data: keyLabels });
      session.setKeyframe(5, encode(5).labels);
      return session;
    };
    const { labels } = encode(0);
    expect(await prepared(labels.data).prepare({ from: 0, to: 6, direction: 'forward' })).toBe(true);
    expect(cache.size).toBe(1);
    // The annotator changes the keyframe after the preparation: a different mask, the same frames.
    const edited = encode(1).labels.data;
    for (const keyLabels of [labels.data, edited]) {
      const plain = newSession();
      plain.setKeyframe(0, { ...labels, data: keyLabels });
      plain.setKeyframe(5, encode(5).labels);
      const expected = await plain.propagate({ from: 0, to: 6, direction: 'forward' });
      featureReads = 0;
      const frames: number[] = [];
      const got = await prepared(keyLabels).propagate({ from: 0, to: 6, direction: 'forward', onFrame: () => frames.push(featureReads) });
      got.forEach((result, i) => expect(Array.from(result.labels.data)).toEqual(Array.from(expected[i].labels.data)));
      // Frame 1 came out of the selection before any features were read.
      expect(frames.slice(0, 2)).toEqual([0, 0]);
    }
    expect(cache.hits).toBe(2);
    // Other passes have other contexts (here frame 5 is no anchor of frame 1): nothing prepared is taken for them.
    await prepared(labels.data).propagate({ from: 0, to: 3, direction: 'forward' });
    await prepared(labels.data).propagate({ from: 5, to: 3, direction: 'backward' });
    expect(cache.hits).toBe(2);
  });

  it('prepares nothing without a cache or when the pass computes no frame', async () => {
    const session = newSession();
    session.setKeyframe(0, encode(0).labels);
    expect(await session.prepare({ from: 0, to: 3, direction: 'forward' })).toBe(false);
    const cached = new PropagationSession({ frameCount, features: (t) => features[t], settings, selections: { cache: new SelectionCache(), frameKey: String } });
    cached.setKeyframe(0, encode(0).labels);
    cached.setKeyframe(1, encode(1).labels);
    expect(await cached.prepare({ from: 0, to: 1, direction: 'forward' })).toBe(false);
    expect(await cached.prepare({ from: 1, to: 2, direction: 'forward' })).toBe(true);
  });
});
