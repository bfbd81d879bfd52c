import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DavisReport } from './davisEvaluation.ts';

/**
 * Python's `'%.3f' % value` as pandas `to_csv(float_format="%.3f")` writes it: exact binary ties round half to
 * even (JS toFixed rounds them up), NaN is written as an empty field.
 */
export function formatThreeDecimals(value: number): string {
  if (Number.isNaN(value)) return '';
  // A double is exactly halfway between two 3-decimal numbers only if it is an odd multiple of 1/16
  // ((2k+1)/2000 is dyadic only when 125 divides 2k+1).
  const sixteenths = value * 16;
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const thousandths = value * 1000; // exact: an odd multiple of 62.5
    const down = Math.floor(thousandths);
    const even = down % 2 === 0 ? down : down + 1;
    return (even / 1000).toFixed(3);
  }
  return value.toFixed(3);
}

export const DAVIS_GLOBAL_CSV = 'global_results-val.csv';
export const DAVIS_PER_SEQUENCE_CSV = 'per-sequence_results-val.csv';
export const DAVIS_PER_FRAME_CSV = 'per-frame_results-val.csv';

/** `global_results-val.csv` as evaluation_method.py writes it. */
export function globalCsv(report: DavisReport): string {
  const g = report.global;
  const values = [g.JF, g.J, g.JRecall, g.JDecay, g.F, g.FRecall, g.FDecay].map(formatThreeDecimals);
  return `J&F-Mean,J-Mean,J-Recall,J-Decay,F-Mean,F-Recall,F-Decay\n${values.join(',')}\n`;
}

/** `per-sequence_results-val.csv`: one row per object `<sequence>_<id>`, like the official tool. */
export function perSequenceCsv(report: DavisReport): string {
  const rows = report.objects.map((o) => `${o.name},${formatThreeDecimals(o.j.mean)},${formatThreeDecimals(o.f.mean)}`);
  return `Sequence,J-Mean,F-Mean\n${rows.map((row) => `${row}\n`).join('')}`;
}

/** Our per-frame table (not in the official tool), full precision so numbers can be checked against it. */
export function perFrameCsv(report: DavisReport): string {
  const rows: string[] = ['Sequence,Object,Frame,J,F'];
  for (const o of report.objects) {
    o.frameNames.forEach((frame, i) => rows.push(`${o.sequence},${o.objectId},${frame},${o.jPerFrame[i]},${o.fPerFrame[i]}`));
  }
  return `${rows.join('\n')}\n`;
}

/** Writes the three CSVs into `dir`; returns their paths. */
export function writeDavisCsvs(dir: string, report: DavisReport): string[] {
  const files: Array<[string, string]> = [
    [DAVIS_GLOBAL_CSV, globalCsv(report)],
    [DAVIS_PER_SEQUENCE_CSV, perSequenceCsv(report)],
    [DAVIS_PER_FRAME_CSV, perFrameCsv(report)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
