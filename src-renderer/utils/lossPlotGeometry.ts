/** Geometry of the training screen's loss plot (an SVG drawn by hand: no chart library). */
export interface PlotFrame {
  width: number;
  height: number;
  /** Room for the axis labels, in SVG units. */
  marginLeft: number;
  marginRight: number;
  marginTop: number;
  marginBottom: number;
}

export interface PlotTick {
  value: number;
  /** x for a step tick, y for a loss tick, in SVG units. */
  position: number;
  label: string;
}

export interface LossPlotGeometry {
  /** The polyline's `points` ("x,y x,y …"); empty without losses. */
  points: string;
  pointCount: number;
  /** The newest point (a dot marks it). */
  last?: { x: number; y: number };
  stepTicks: PlotTick[];
  /** None before the first loss: the loss axis only ever shows the range the losses took. */
  lossTicks: PlotTick[];
  /** y of loss 0 when the axis spans both signs (BYOL's loss runs from −4 to 4 and is often negative). */
  zeroY?: number;
}

export interface NiceAxis {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/**
 * An axis around [low, high] with about `targetCount` ticks at 1, 2 or 5 × 10^k, widened to whole ticks. A flat
 * range is opened around its value so a single loss still has an axis.
 */
export function niceAxis(low: number, high: number, targetCount = 5, integerSteps = false): NiceAxis {
  let lower = Math.min(low, high);
  let upper = Math.max(low, high);
  if (upper - lower < 1e-9) {
    const half = Math.max(Math.abs(lower) * 0.05, integerSteps ? 1 : 0.05);
    lower -= half;
    upper += half;
  }
  const rough = (upper - lower) / Math.max(1, targetCount - 1);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / magnitude;
  let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
  if (integerSteps) step = Math.max(1, Math.round(step));
  const min = Math.floor(lower / step + 1e-9) * step;
  const max = Math.ceil(upper / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let value = min; value <= max + step * 1e-6; value += step) ticks.push(Number(value.toPrecision(12)));
  return { min, max, step, ticks };
}

function decimalsFor(step: number): number {
  return Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
}

/** Steps run left to right from 0 to the run's total; the loss axis fits the losses seen so far (none: no axis). */
export function lossPlotGeometry(losses: ReadonlyArray<{ step: number; loss: number }>, totalSteps: number, frame: PlotFrame): LossPlotGeometry {
  const left = frame.marginLeft;
  const right = frame.width - frame.marginRight;
  const top = frame.marginTop;
  const bottom = frame.height - frame.marginBottom;
  const lastStep = losses.length > 0 ? losses[losses.length - 1].step : 0;
  const stepAxis = niceAxis(0, Math.max(1, totalSteps, lastStep), 6, true);
  const values = losses.map((entry) => entry.loss);
  // Without losses the axis only places nothing: its ticks are not shown.
  const lossAxis = values.length > 0 ? niceAxis(Math.min(...values), Math.max(...values), 5) : niceAxis(0, 1, 5);
  const xOf = (step: number) => left + ((step - stepAxis.min) / (stepAxis.max - stepAxis.min)) * (right - left);
  const yOf = (loss: number) => bottom - ((loss - lossAxis.min) / (lossAxis.max - lossAxis.min)) * (bottom - top);
  const round = (value: number) => Math.round(value * 10) / 10;
  const coordinates = losses.map((entry) => ({ x: round(xOf(entry.step)), y: round(yOf(entry.loss)) }));
  const lossDecimals = decimalsFor(lossAxis.step);
  return {
    points: coordinates.map(({ x, y }) => `${x},${y}`).join(' '),
    pointCount: coordinates.length,
    last: coordinates[coordinates.length - 1],
    stepTicks: stepAxis.ticks.map((value) => ({ value, position: round(xOf(value)), label: String(value) })),
    lossTicks: values.length > 0 ? lossAxis.ticks.map((value) => ({ value, position: round(yOf(value)), label: value.toFixed(lossDecimals) })) : [],
    ...(values.length > 0 && lossAxis.min < 0 && lossAxis.max > 0 ? { zeroY: round(yOf(0)) } : {}),
  };
}
