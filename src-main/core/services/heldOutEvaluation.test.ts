import { describe, expect, it } from 'vitest';
import { type HeldOutPlan, scoreHeldOut } from './heldOutEvaluation.ts';

function square(width: number, height: number, left: number, top: number, size: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let y = top; y < top + size; y++) mask.fill(1, y * width + left, y * width + left + size);
  return mask;
}

const width = 64;
const height = 48;
const plan: HeldOutPlan = {
  clipId: 'c', clipName: 'clip', objectId: 'o', objectName: 'Box', inputFrame: 0, heldOutFrames: [4, 9], width, height,
  truth: new Map([[4, square(width, height, 10, 10, 20)], [9, square(width, height, 20, 12, 20)]]),
};

describe('held-out scoring', () => {
  it('is 1 for a prediction equal to the held-out keyframes and 0 for a missing one', () => {
    expect(scoreHeldOut(plan, plan.truth)).toEqual({ J: 1, F: 1, JF: 1 });
    const half = scoreHeldOut(plan, new Map([[4, plan.truth.get(4)!]]));
    expect(half).toEqual({ J: 0.5, F: 0.5, JF: 0.5 });
  });

  it('averages J and F over the held-out frames', () => {
    const shifted = new Map([[4, square(width, height, 15, 10, 20)], [9, plan.truth.get(9)!]]);
    const score = scoreHeldOut(plan, shifted);
    // Frame 4: 15×20 overlap of two 20×20 squares → J = 300 / 500.
    expect(score.J).toBeCloseTo((300 / 500 + 1) / 2, 12);
    expect(score.F).toBeLessThan(1);
    expect(score.JF).toBeCloseTo((score.J + score.F) / 2, 12);
  });
});
