import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type CliCommand, parseArgs, printResult, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import { writeDavisCsvs } from '../../core/eval/davisCsv.ts';
import { evaluateDavis, readDavisValSequences } from '../../core/eval/davisEvaluation.ts';
import { evaluateJhmdbResults, PCK_THRESHOLDS } from '../../core/eval/jhmdbEvaluation.ts';
import { evaluateVip, readVipValVideos } from '../../core/eval/vipEvaluation.ts';

const usage = `Usage:
  correspond eval davis --root DAVIS_ROOT --results DIR [--sequences a,b,...] [--out DIR]
  correspond eval jhmdb --root JHMDB_ROOT --results FILE.json
  correspond eval vip --root VIP_FINE_ROOT --results DIR [--videos a,b,...]

eval davis  Scores result masks exactly like the official DAVIS-2017 semi-supervised evaluator (J, F, J&F with
            recall and decay; frames 1..T-2; objects weighted equally).
            --root       DAVIS root with Annotations/480p/<seq>/%05d.png (and ImageSets/2017/val.txt)
            --results    folder of <seq>/%05d.png indexed result PNGs (value = object id)
            --sequences  comma-separated names; default ImageSets/2017/val.txt of the root, else every folder
                         in the results folder
            --out        folder for the CSV files (created if missing); default: the folder holding the results
                         folder, so the results folder keeps only result PNGs
            Writes global_results-val.csv, per-sequence_results-val.csv and per-frame_results-val.csv there.
            Last line: {"JF","J","F","JRecall","JDecay","FRecall","FDecay","sequences":{...}}
            as fractions 0..1.

eval jhmdb  JHMDB keypoint PCK@0.1..0.5 as videowalk eval_pck.py (percent, mean over the 15 joints).
            --root     JHMDB root with joint_positions/<cls>/<vid>/joint_positions.mat (and Rename_Images/)
            --results  JSON {"videos": {"<cls>/<vid>": {"width": W, "height": H,
                       "keypoints": T×15×[x, y]}}}, x/y in original-image pixels, 0-based; x < 0 = not visible
            Last line: {"PCK@0.1": ..., ..., "PCK@0.5": ..., "videos": N}

eval vip    VIP part-parsing mIoU as videowalk eval_vip.py (20 classes, one confusion matrix, nanmean).
            --root     VIP_Fine folder with Category_ids/<video>/*.png (and lists/val_videos.txt)
            --results  folder of <video>/<same name>.png class-id PNGs (resized to the GT by nearest if needed)
            --videos   comma-separated; default lists/val_videos.txt, else every folder in the results folder
            Last line: {"mIoU": fraction 0..1, "perClass": {...}, "videos": N, "frames": N}`;

function listResultFolders(resultsDir: string): string[] {
  return readdirSync(resultsDir)
    .filter((name) => statSync(join(resultsDir, name)).isDirectory())
    .sort();
}

async function runDavis(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const davisRoot = requiredFlag(args, 'root');
  const resultsDir = requiredFlag(args, 'results');
  if (!existsSync(join(davisRoot, 'Annotations', '480p'))) throw new UsageError(`--root ${davisRoot} has no Annotations/480p folder`);
  if (!existsSync(resultsDir)) throw new UsageError(`--results ${resultsDir} does not exist`);
  const listed = stringFlag(args, 'sequences');
  const sequences = listed
    ? listed.split(',').map((name) => name.trim()).filter((name) => name.length > 0)
    : (readDavisValSequences(davisRoot) ?? listResultFolders(resultsDir));
  if (sequences.length === 0) throw new UsageError('no sequences to evaluate');
  const started = performance.now();
  const report = evaluateDavis({
    davisRoot,
    resultsDir,
    sequences,
    onProgress: ({ sequence, sequenceIndex, sequenceCount, scoredIndex, scoredCount }) => {
      if (scoredIndex === scoredCount - 1) {
        process.stderr.write(`[${sequenceIndex + 1}/${sequenceCount}] ${sequence}: ${scoredCount} frames scored\n`);
      }
    },
  });
  for (const sequence of sequences.filter((name) => !(name in report.sequences))) {
    // Raw DAVIS-2016 masks are 0/255: 255 is void, so such a sequence has no objects and is silently unscored.
    process.stderr.write(`warning: ${sequence}: the first annotation frame has no object ids 1..254, nothing scored\n`);
  }
  // Never into the results folder: it may be an export's Annotations/480p, whose folders are sequences.
  const csvDir = stringFlag(args, 'out') ?? dirname(resolve(resultsDir));
  mkdirSync(csvDir, { recursive: true });
  for (const file of writeDavisCsvs(csvDir, report)) process.stderr.write(`wrote ${file}\n`);
  process.stderr.write(`evaluated ${report.objects.length} objects in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  printResult({ ...report.global, sequences: report.sequences });
  return 0;
}

async function runJhmdb(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const jhmdbRoot = requiredFlag(args, 'root');
  const resultsFile = requiredFlag(args, 'results');
  if (!existsSync(resultsFile)) throw new UsageError(`--results ${resultsFile} does not exist`);
  const report = evaluateJhmdbResults({ jhmdbRoot, resultsFile });
  const result: Record<string, number> = {};
  PCK_THRESHOLDS.forEach((alpha, i) => (result[`PCK@${alpha}`] = report.pck[i]));
  process.stderr.write(`scored ${report.videoCount} video(s), ${report.scoredFrameCount} frame(s) after frame 0\n`);
  printResult({ ...result, videos: report.videoCount });
  return 0;
}

async function runVip(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const vipRoot = requiredFlag(args, 'root');
  const resultsDir = requiredFlag(args, 'results');
  if (!existsSync(join(vipRoot, 'Category_ids'))) throw new UsageError(`--root ${vipRoot} has no Category_ids folder`);
  if (!existsSync(resultsDir)) throw new UsageError(`--results ${resultsDir} does not exist`);
  const listed = stringFlag(args, 'videos');
  const videos = listed
    ? listed.split(',').map((name) => name.trim()).filter((name) => name.length > 0)
    : (readVipValVideos(vipRoot) ?? listResultFolders(resultsDir));
  if (videos.length === 0) throw new UsageError('no videos to evaluate');
  const report = evaluateVip({ vipRoot, resultsDir, videos });
  process.stderr.write(`scored ${report.frameCount} frame(s) of ${report.videoCount} video(s)\n`);
  printResult({ mIoU: report.meanIou, perClass: report.perClassIou, videos: report.videoCount, frames: report.frameCount });
  return 0;
}

export const command: CliCommand = {
  name: 'eval',
  summary: 'Score results with the reference metrics: DAVIS J&F, JHMDB PCK, VIP mIoU',
  usage,
  async run(argv) {
    const [benchmark, ...rest] = argv;
    if (benchmark === 'davis') return runDavis(rest);
    if (benchmark === 'jhmdb') return runJhmdb(rest);
    if (benchmark === 'vip') return runVip(rest);
    throw new UsageError(benchmark ? `unknown benchmark "${benchmark}" (davis, jhmdb or vip)` : 'which benchmark? davis, jhmdb or vip');
  },
};
