import { describe, expect, it } from 'vitest';
import { lossPlotGeometry, niceAxis, type PlotFrame } from './lossPlotGeometry.ts';

const frame: PlotFrame = { width: 200, height: 120, marginLeft: 40, marginRight: 10, marginTop: 10, marginBottom: 20 };

describe('loss plot geometry', () => {
  it('puts axis ticks at 1, 2 or 5 × 10^k covering the range', () => {
    expect(niceAxis(0, 1000, 6, true).ticks).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceAxis(0.13, 0.92, 5).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceAxis(-1.7, -0.4, 5).ticks).toEqual([-2, -1.5, -1, -0.5, 0]);
  });

  it('uses whole steps on the step axis even for tiny runs', () => {
    expect(niceAxis(0, 3, 6, true).ticks).toEqual([0, 1, 2, 3]);
  });

  it('opens a flat range so a single value still gets an axis', () => {
    const axis = niceAxis(2, 2, 5);
    expect(axis.min).toBeLessThan(2);
    expect(axis.max).toBeGreaterThan(2);
  });

  it('maps step 0 to the left edge, the run\'s total to the right and higher losses higher up', () => {
    const geometry = lossPlotGeometry([{ step: 0, loss: 1 }, { step: 10, loss: 0 }], 10, frame);
    expect(geometry.pointCount).toBe(2);
    const [first, second] = geometry.points.split(' ').map((pair) => pair.split(',').map(Number));
    expect(first[0]).toBe(40);
    expect(second[0]).toBe(190);
    expect(first[1]).toBeLessThan(second[1]);
    expect(first[1]).toBeGreaterThanOrEqual(10);
    expect(second[1]).toBeLessThanOrEqual(100);
    expect(geometry.last).toEqual({ x: second[0], y: second[1] });
  });

  it('has a step axis but no line and no invented loss range before the first loss', () => {
    const geometry = lossPlotGeometry([], 1000, frame);
    expect(geometry.points).toBe('');
    expect(geometry.last).toBeUndefined();
    expect(geometry.stepTicks.map((tick) => tick.label)).toEqual(['0', '200', '400', '600', '800', '1000']);
    expect(geometry.lossTicks).toEqual([]);
    expect(geometry.zeroY).toBeUndefined();
  });

  it('fits the loss axis to negative BYOL losses and marks zero when the losses cross it', () => {
    const negative = lossPlotGeometry([{ step: 1, loss: -3.2 }, { step: 2, loss: -3.6 }], 10, frame);
    expect(Math.max(...negative.lossTicks.map((tick) => tick.value))).toBeLessThan(0);
    expect(negative.zeroY).toBeUndefined();
    const crossing = lossPlotGeometry([{ step: 1, loss: 0.4 }, { step: 2, loss: -0.6 }], 10, frame);
    expect(crossing.lossTicks.find((tick) => tick.value === 0)?.position).toBe(crossing.zeroY);
    expect(crossing.zeroY).toBeGreaterThan(10);
    expect(crossing.zeroY).toBeLessThan(100);
  });

  it('labels loss ticks with as many decimals as their spacing needs', () => {
    const coarse = lossPlotGeometry([{ step: 1, loss: -1.93 }, { step: 2, loss: -1.71 }], 3, frame);
    expect(coarse.lossTicks.map((tick) => tick.label)).toEqual(['-2.0', '-1.9', '-1.8', '-1.7']);
    const fine = lossPlotGeometry([{ step: 1, loss: -1.9 }, { step: 2, loss: -1.7 }], 3, frame);
    expect(fine.lossTicks.map((tick) => tick.label)).toEqual(['-1.90', '-1.85', '-1.80', '-1.75', '-1.70']);
  });
});
