import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIndexedPng } from '../formats/png.ts';
import { EvalError } from './evalError.ts';
import { resizeNearest, VIP_CLASS_NAMES, VipConfusion } from './vipMiou.ts';

export interface VipReport {
  /** fraction 0..1 */
  meanIou: number;
  /** fraction 0..1 per class name; NaN (JSON null) for classes absent from GT and predictions */
  perClassIou: Record<string, number>;
  videoCount: number;
  frameCount: number;
}

/** Videos of `<root>/lists/val_videos.txt` (SPEC §4), one per line, when the list exists. */
export function readVipValVideos(vipRoot: string): string[] | undefined {
  const file = join(vipRoot, 'lists', 'val_videos.txt');
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}

/**
 * VIP part-parsing mIoU (SPEC §4): every GT frame `<root>/Category_ids/<video>/<name>.png` (class ids) is compared
 * with `<resultsDir>/<video>/<name>.png`, resized to the GT size by nearest neighbour if needed; one confusion
 * matrix over all frames of all videos.
 */
export function evaluateVip(input: { vipRoot: string; resultsDir: string; videos: string[] }): VipReport {
  const confusion = new VipConfusion();
  let frameCount = 0;
  for (const video of input.videos) {
    const gtDir = join(input.vipRoot, 'Category_ids', video);
    if (!existsSync(gtDir)) throw new EvalError('MISSING_FILE', `GT folder of video "${video}" is missing`, gtDir);
    for (const name of readdirSync(gtDir).filter((file) => file.endsWith('.png')).sort()) {
      const gt = readIndexedPng(join(gtDir, name));
      const predictionFile = join(input.resultsDir, video, name);
      if (!existsSync(predictionFile)) throw new EvalError('MISSING_FILE', `prediction for GT frame ${video}/${name} is missing`, predictionFile);
      const prediction = readIndexedPng(predictionFile);
      const resized = resizeNearest(prediction.indices, prediction.width, prediction.height, gt.width, gt.height);
      confusion.addFrame(gt.indices, resized, predictionFile);
      frameCount++;
    }
  }
  const perClass = confusion.perClassIou();
  return {
    meanIou: confusion.meanIou(),
    perClassIou: Object.fromEntries(VIP_CLASS_NAMES.map((name, c) => [name, perClass[c]])),
    videoCount: input.videos.length,
    frameCount,
  };
}
