import { describe, expect, it } from 'vitest';
import { computePck, humanBoxSizes, type PoseSequence } from './pck.ts';

/** Builds a pose sequence from frames of [x, y] per joint. */
function poses(frames: Array<Array<[number, number]>>): PoseSequence {
  return { frameCount: frames.length, jointCount: frames[0].length, coordinates: Float64Array.from(frames.flat(2)) };
}

describe('JHMDB PCK (eval_pck.py)', () => {
  // Two joints, three frames. Frame 1: box = 0.6·|(30, 40)| = 30; frame 2: box = 0.6·|(0, 100)| = 60.
  const gt = poses([
    [[0, 0], [1, 1]],
    [[0, 0], [30, 40]],
    [[10, 10], [10, 110]],
  ]);
  const prediction = poses([
    [[100, 100], [100, 100]], // frame 0 is the given annotation: never scored, however wrong
    [[3, 4], [30, 41.5]], // distances 5/30 and 1.5/30
    [[10, 25], [37, 146]], // distances 15/60 and 45/60
  ]);

  it('normalises by 0.6 × the diagonal of the GT box of the visible joints', () => {
    expect(Array.from(humanBoxSizes(gt, prediction)).slice(1)).toEqual([30, 60]);
  });

  it('scores frames after the first, per joint, then averages the joints (percent)', () => {
    // joint 0: [1/6, 1/4]; joint 1: [1/20, 3/4]
    const results = computePck([{ gt, prediction }]);
    expect(results.map((r) => r.mean)).toEqual([25, 50, 75, 75, 75]);
    expect(results[0].perJoint).toEqual([0, 50]);
    expect(results[4].perJoint).toEqual([100, 50]);
  });

  it('takes visibility from the prediction: invisible joints leave the box and the score', () => {
    const gtThree = poses([
      [[0, 0], [0, 0], [0, 0]],
      [[0, 0], [30, 40], [300, 300]],
    ]);
    const predictionThree = poses([
      [[0, 0], [0, 0], [0, 0]],
      [[3, 0], [30, 40], [-1, -1]], // joint 2 not visible: the box is 0.6·50 = 30, joint 0 is exactly 0.1 away
    ]);
    const [at01] = computePck([{ gt: gtThree, prediction: predictionThree }], [0.1]);
    expect(at01.perJoint.slice(0, 2)).toEqual([100, 100]);
    expect(at01.perJoint[2]).toBeNaN();
  });

  it('pools distances of all videos per joint before taking the share', () => {
    const perfect = poses([
      [[0, 0], [1, 1]],
      [[0, 0], [30, 40]],
    ]);
    // video 1 adds joint 0 [1/6, 1/4] and joint 1 [1/20, 3/4]; video 2 adds a perfect frame: [0] and [0]
    const [at01] = computePck([{ gt, prediction }, { gt: perfect, prediction: perfect }], [0.1]);
    expect(at01.perJoint[0]).toBeCloseTo(100 / 3, 12);
    expect(at01.perJoint[1]).toBeCloseTo(200 / 3, 12);
  });

  it('refuses a prediction whose frame count differs from the GT', () => {
    expect(() => computePck([{ gt, prediction: poses([[[0, 0], [0, 0]]]) }])).toThrow(/frames×joints/);
  });
});
