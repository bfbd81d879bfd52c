import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appRoot, benchRecord, keepRecord } from '../benchmarkRecords.ts';
import { type CliCommand, kernelFlag, numberFlag, type ParsedArgs, parseArgs, printResult, propagationSettings, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import { trainHeadless } from '../trainHeadless.ts';
import type { KernelKind } from '../../core/engine/kernelRunners.ts';
import type { PropagationSettings } from '../../core/engine/propagationKernel.ts';
import { DEFAULT_PROPAGATION_STREAM, FC_FINE_TUNE_LEARNING_RATE, SFC_FUSION_LAMBDA, SHIPPED_FC_STREAM, shippedFcFiles, shippedFcInitialWeights } from '../../core/models/shippedModels.ts';
import { propagateClip } from '../propagateClip.ts';
import { benchFirstFrame } from '../benchFirstFrame.ts';
import { benchPropagation } from '../benchPropagation.ts';
import { loadClickFrames, summarizeEngine } from '../benchClicks.ts';
import { evaluateDavis } from '../../core/eval/davisEvaluation.ts';
import { evaluateJhmdbResults } from '../../core/eval/jhmdbEvaluation.ts';
import { PCK_THRESHOLDS } from '../../core/eval/pck.ts';
import { propagatePoseClip } from './propagatePose.ts';
import { benchFeatureExtraction } from '../../core/models/benchFeatureExtraction.ts';
import { openFeatureStream } from '../../core/models/featureStreams.ts';
import { OnnxSessionPool } from '../../core/models/onnxRuntime.ts';

const usage = `Usage:
  correspond bench propagate [--channels 48,1280] [--threads N] [--repeats 2] [--label NAME] [--no-record]
  correspond bench davis --root DAVIS_ROOT [--sequences a,b] [--stream default+fc@1.75] [--label NAME] [--cache DIR]
                         [--out DIR] [--topk 10] [--context 20] [--radius 12] [--temperature 0.05] [--threads N]
  correspond bench jhmdb --root JHMDB_ROOT [--stream default+fc@1.75] [--label NAME] [--topk 10] [--context 7] [--radius 12]
  correspond bench features [--stream default+fc@1.75] [--model FILE] [--threads 1,2] [--frames 10]
  correspond bench finetune --root DAVIS_ROOT --sequence NAME [--steps 100] [--lambda 1.75] [--learning-rate 1e-4]
                            [--label NAME] [--note TEXT]
  correspond bench clicks --root DAVIS_ROOT [--sequences a,b] [--frames 0] [--max-clicks 20] [--stream default+fc@1.75]
                         [--label NAME] [--note TEXT]
  correspond bench ui [--repeats 5] [--stream default+fc@1.75] [--size 854x480] [--label NAME]

bench propagate  Our kernel and the PyTorch dense reference (resources/bench/dense_propagation.py, run by a Python
                 with torch: $CORRESPOND_PYTHON, /usr/bin/python3, python3) on the same 480p features, side by
                 side; prints ms/frame of both, the ratio and our share of the FMA floor.
bench davis      Propagates every sequence of a DAVIS root from its first annotated frame and scores J&F.
bench jhmdb      Propagates the joints of every clip of a JHMDB root (joint_positions/<class>/<video>) and scores PCK.
bench clicks     Click-to-segment by the standard protocol (next click at the interior point of the largest error
                 region farthest from its boundary) on DAVIS frames: NoC@85/90, IoU after 1/3/5 clicks, ms per click,
                 for the built-in engine and the colour-only graph-cut baseline in the same run.
bench features   Feature extraction time of a stream (default: default+fc@1.75, the app's) or of one ONNX model on 854×480 frames.
Each records its result in benchmarks/<kind>.json under --label and re-renders BENCHMARKS.md (unless
--no-record). The last stdout line is the result as JSON.`;

/** `--note TEXT` as a record field, or nothing. */
function noteOf(args: ParsedArgs): { note?: string } {
  const note = stringFlag(args, 'note');
  return note ? { note } : {};
}

function listFlag(value: string | undefined, fallback: string[]): string[] {
  return value === undefined ? fallback : value.split(',').map((part) => part.trim()).filter(Boolean);
}

interface DavisRun {
  root: string;
  sequences: string[];
  stream: string;
  settings: PropagationSettings;
  threads: number;
  cacheRoot?: string;
  kernel?: KernelKind;
  /** Keep the propagated PNGs here (default: a temporary folder, removed after scoring). */
  outDir?: string;
}

/** Propagates each sequence from its first annotated frame with a stream and scores it with our DAVIS evaluator. */
async function scoreDavisStream(run: DavisRun) {
  const annotations = join(run.root, 'Annotations', '480p');
  const outRoot = run.outDir ?? mkdtempSync(join(tmpdir(), 'correspond-bench-davis-'));
  let frames = 0;
  let ms = 0;
  try {
    for (const sequence of run.sequences) {
      const firstMask = readdirSync(join(annotations, sequence)).filter((name) => name.endsWith('.png')).sort()[0];
      if (!firstMask) throw new UsageError(`${join(annotations, sequence)} holds no PNG annotation`);
      const result = await propagateClip({
        labelsFile: join(annotations, sequence, firstMask),
        framesPath: join(run.root, 'JPEGImages', '480p', sequence),
        outDir: join(outRoot, sequence),
        stream: run.stream,
        cacheRoot: run.cacheRoot,
        settings: run.settings,
        threads: run.threads,
        kernel: run.kernel,
        verbose: false,
      });
      frames += result.frames;
      ms += result.ms;
      process.stderr.write(`${sequence} (${run.stream}): ${result.frames} frames, ${result.msPerFrame} ms/frame\n`);
    }
    const report = evaluateDavis({ davisRoot: run.root, resultsDir: outRoot, sequences: run.sequences });
    return { JF: report.global.JF, J: report.global.J, F: report.global.F, msPerFrame: ms / frames, sequences: report.sequences };
  } finally {
    if (!run.outDir) rmSync(outRoot, { recursive: true, force: true });
  }
}

function davisRoot(args: ParsedArgs): { root: string; annotations: string } {
  const root = resolve(requiredFlag(args, 'root'));
  const annotations = join(root, 'Annotations', '480p');
  if (!existsSync(annotations)) throw new UsageError(`--root ${root} has no Annotations/480p folder`);
  return { root, annotations };
}

async function benchDavis(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const { root, annotations } = davisRoot(args);
  const sequences = listFlag(stringFlag(args, 'sequences'), readdirSync(annotations).sort());
  const stream = stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)!;
  const settings = propagationSettings(args, 20);
  const threads = numberFlag(args, 'threads', availableParallelism());
  const keepOut = stringFlag(args, 'out');
  const scores = await scoreDavisStream({
    root, sequences, stream, settings, threads, cacheRoot: stringFlag(args, 'cache'), kernel: kernelFlag(args), outDir: keepOut ? resolve(keepOut) : undefined,
  });
  const record = benchRecord(stringFlag(args, 'label', stream)!, { stream, settings, threads, ...scores, ...noteOf(args) });
  keepRecord(args, 'davis', record);
  printResult(record);
  return 0;
}

/**
 * The gain of fine-tuning the shipped FC on one clip's own frames (no labels): J&F of `default+fc@λ` on that
 * sequence, then training from the shipped weights on its frames, then J&F with the fine-tuned FC in its place.
 */
async function benchFinetune(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const { root, annotations } = davisRoot(args);
  const sequence = requiredFlag(args, 'sequence');
  if (!existsSync(join(annotations, sequence))) throw new UsageError(`${join(annotations, sequence)} does not exist`);
  const initFrom = shippedFcInitialWeights(appRoot);
  if (!initFrom) throw new UsageError(`the shipped fine-grained weights are missing (${shippedFcFiles(appRoot).weightsFile})`);
  const steps = numberFlag(args, 'steps', 100);
  if (!Number.isInteger(steps) || steps < 1) throw new UsageError('--steps must be a positive integer');
  const lambda = numberFlag(args, 'lambda', SFC_FUSION_LAMBDA);
  const learningRate = numberFlag(args, 'learning-rate', FC_FINE_TUNE_LEARNING_RATE);
  if (!(learningRate > 0)) throw new UsageError('--learning-rate must be a positive number');
  const settings = propagationSettings(args, 20);
  const threads = numberFlag(args, 'threads', availableParallelism());
  const work = mkdtempSync(join(tmpdir(), 'correspond-bench-finetune-'));
  try {
    const before = `default+${SHIPPED_FC_STREAM}@${lambda}`;
    const scoresBefore = await scoreDavisStream({ root, sequences: [sequence], stream: before, settings, threads, cacheRoot: stringFlag(args, 'cache') });
    const model = join(work, `fc-${sequence}.onnx`);
    const training = await trainHeadless(
      {
        framesDir: join(root, 'JPEGImages', '480p', sequence), steps, checkpointDir: join(work, 'checkpoints'), exportPath: model, initFrom,
        // Sizes left out take the worker's defaults for the shipped network on this device, as the app's runs do.
        ...(stringFlag(args, 'batch-size') ? { batchSize: numberFlag(args, 'batch-size', 8) } : {}),
        ...(stringFlag(args, 'image-size') ? { imageSize: numberFlag(args, 'image-size', 192) } : {}),
        checkpointEvery: steps, progressIntervalSeconds: 10, threads: availableParallelism(), learningRate,
      },
      (line) => process.stderr.write(`${line}\n`),
    );
    if (training.reason !== 'completed') throw new Error(`fine-tuning on ${sequence} ${training.reason}: ${training.problem ?? 'see above'}`);
    const after = `default+${model}@${lambda}`;
    const scoresAfter = await scoreDavisStream({ root, sequences: [sequence], stream: after, settings, threads });
    const record = benchRecord(stringFlag(args, 'label', sequence)!, {
      sequence,
      steps,
      trainingSeconds: training.seconds,
      imagesPerSecond: training.imagesPerSecond,
      device: training.device,
      architecture: training.architecture,
      batchSize: training.batchSize,
      imageSize: training.imageSize,
      lambda,
      learningRate,
      settings,
      before: { stream: before, JF: scoresBefore.JF, J: scoresBefore.J, F: scoresBefore.F },
      after: { stream: `default+fc fine-tuned on ${sequence}@${lambda}`, JF: scoresAfter.JF, J: scoresAfter.J, F: scoresAfter.F },
      ...noteOf(args),
    });
    keepRecord(args, 'finetune', record);
    printResult(record);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function benchJhmdb(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const root = resolve(requiredFlag(args, 'root'));
  const positions = join(root, 'joint_positions');
  if (!existsSync(positions)) throw new UsageError(`--root ${root} has no joint_positions folder`);
  const videos = readdirSync(positions).flatMap((cls) => readdirSync(join(positions, cls)).map((video) => `${cls}/${video}`)).sort();
  const stream = stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)!;
  const settings = propagationSettings(args, 7);
  const threads = numberFlag(args, 'threads', availableParallelism());
  const folder = mkdtempSync(join(tmpdir(), 'correspond-bench-jhmdb-'));
  try {
    const results: Record<string, { width: number; height: number; keypoints: number[][][] }> = {};
    let frames = 0;
    let ms = 0;
    for (const video of videos) {
      const run = await propagatePoseClip({
        framesPath: join(root, 'Rename_Images', video),
        matFile: join(positions, video, 'joint_positions.mat'),
        size: numberFlag(args, 'size', 320),
        settings,
        threads,
        kernel: kernelFlag(args),
        stream,
        verbose: false,
      });
      results[video] = { width: run.info.width, height: run.info.height, keypoints: run.keypoints };
      frames += run.info.frameCount;
      ms += run.ms;
    }
    const resultsFile = join(folder, 'results.json');
    writeFileSync(resultsFile, JSON.stringify({ videos: results }));
    const report = evaluateJhmdbResults({ jhmdbRoot: root, resultsFile });
    const record = benchRecord(stringFlag(args, 'label', stream)!, {
      stream,
      settings,
      videos: videos.length,
      frames,
      msPerFrame: ms / frames,
      pck: Object.fromEntries(PCK_THRESHOLDS.map((threshold, i) => [`PCK@${threshold}`, report.pck[i]])),
    });
    keepRecord(args, 'pose', record);
    printResult(record);
    return 0;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Median/min wall time of a whole stream's `extract` (decode excluded) on a textured 854×480 frame. */
async function benchStreamExtraction(spec: string, threads: number, frames: number) {
  const pool = new OnnxSessionPool({ threads, allowCuda: false });
  try {
    const stream = await openFeatureStream(spec, { pool, appRoot, allowModelFiles: true });
    const width = 854;
    const height = 480;
    const data = new Uint8Array(width * height * 3);
    for (let index = 0; index < data.length; index++) data[index] = (index * 2654435761) >>> 24;
    await stream.extract({ width, height, data });
    const times: number[] = [];
    for (let frame = 0; frame < frames; frame++) {
      const started = performance.now();
      await stream.extract({ width, height, data });
      times.push(performance.now() - started);
    }
    times.sort((x, y) => x - y);
    return { stream: stream.description, width, height, threads, device: pool.describeComputeDevice().label, frames, medianMsPerFrame: times[Math.floor(times.length / 2)], minMsPerFrame: times[0] };
  } finally {
    await pool.release();
  }
}

async function benchFeatures(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const threadCounts = listFlag(stringFlag(args, 'threads'), ['1', String(availableParallelism())]).map(Number);
  const frames = numberFlag(args, 'frames', 10);
  const modelFile = stringFlag(args, 'model');
  const spec = stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)!;
  const results = [];
  for (const threads of [...new Set(threadCounts)]) {
    const result = modelFile ? await benchFeatureExtraction(resolve(modelFile), threads, frames) : await benchStreamExtraction(spec, threads, frames);
    const model = modelFile ?? `stream ${spec}`;
    const record = benchRecord(`${model} · ${threads} threads`, { model, ...result });
    keepRecord(args, 'features', record);
    results.push(record);
  }
  printResult({ results });
  return 0;
}

async function benchUi(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const size = /^(\d+)x(\d+)$/.exec(stringFlag(args, 'size', '854x480')!);
  if (!size) throw new UsageError('--size must look like 854x480');
  const repeats = numberFlag(args, 'repeats', 5);
  if (!Number.isInteger(repeats) || repeats < 1) throw new UsageError('--repeats must be a positive integer');
  const stream = stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)!;
  const results = await benchFirstFrame({
    repeats, width: Number(size[1]), height: Number(size[2]), frames: 40, stream, log: (line) => process.stderr.write(`${line}\n`),
  });
  const records = results.map((result) => benchRecord(stringFlag(args, 'label', stream)!, { ...result }));
  for (const record of records) keepRecord(args, 'ui', record);
  printResult({ results: records });
  return 0;
}

async function benchClicks(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const { root, annotations } = davisRoot(args);
  const sequences = listFlag(stringFlag(args, 'sequences'), readdirSync(annotations).sort());
  const frameIndices = listFlag(stringFlag(args, 'frames'), ['0']).map(Number);
  if (frameIndices.some((frame) => !Number.isInteger(frame) || frame < 0)) throw new UsageError('--frames must list frame indices, e.g. 0,20');
  const maxClicks = numberFlag(args, 'max-clicks', 20);
  if (!Number.isInteger(maxClicks) || maxClicks < 5) throw new UsageError('--max-clicks must be an integer of at least 5');
  const stream = stringFlag(args, 'stream', DEFAULT_PROPAGATION_STREAM)!;
  const threads = numberFlag(args, 'threads', availableParallelism());
  const loadBefore = loadavg()[0];
  const { frames, streamDescription } = await loadClickFrames({ root, sequences, frameIndices, stream, appRoot, threads, cacheRoot: stringFlag(args, 'cache') });
  const engines = [
    { engine: `built-in (${stream} features + colour, graph cut)`, useFeatures: true },
    { engine: 'colour-only graph cut (baseline)', useFeatures: false },
  ];
  const summaries = engines.map(({ engine, useFeatures }) => summarizeEngine(engine, frames, maxClicks, useFeatures));
  const load = { loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0] };
  for (const summary of summaries) {
    const record = benchRecord(`${stringFlag(args, 'label', 'dev first frames')} · ${summary.engine}`, {
      ...summary, stream: streamDescription, sequences, frameIndices, maxClicks, ...load, ...noteOf(args),
    });
    keepRecord(args, 'clicks', record);
  }
  const [builtIn, baseline] = summaries;
  const brief = (s: typeof builtIn) => ({ engine: s.engine, frames: s.frames, NoC85: s.NoC85, NoC90: s.NoC90, iouAfter: s.iouAfter, msPerClickMedian: s.msPerClickMedian });
  printResult({ ...brief(builtIn), cpuMsPerClickMedian: builtIn.cpuMsPerClickMedian, ...load, baseline: { ...brief(baseline), cpuMsPerClickMedian: baseline.cpuMsPerClickMedian } });
  return 0;
}

export const command: CliCommand = {
  name: 'bench',
  summary: 'Benchmarks: propagation vs the PyTorch reference, DAVIS J&F and JHMDB PCK of a stream, feature extraction speed, click-to-segment, first frame in the UI',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'propagate':
        return benchPropagation(rest);
      case 'davis':
        return benchDavis(rest);
      case 'features':
        return benchFeatures(rest);
      case 'jhmdb':
        return benchJhmdb(rest);
      case 'ui':
        return benchUi(rest);
      case 'finetune':
        return benchFinetune(rest);
      case 'clicks':
        return benchClicks(rest);
      default:
        throw new UsageError(sub ? `unknown benchmark "${sub}"` : 'name a benchmark: propagate, davis, jhmdb, features, finetune, clicks or ui');
    }
  },
};
