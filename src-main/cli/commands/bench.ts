import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appRoot, type BenchRecord, saveRecord } from '../benchmarkRecords.ts';
import { type CliCommand, kernelFlag, numberFlag, parseArgs, printResult, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';
import { propagateClip } from '../propagateClip.ts';
import { benchFirstFrame } from '../benchFirstFrame.ts';
import { benchPropagation } from '../benchPropagation.ts';
import { evaluateDavis } from '../../core/eval/davisEvaluation.ts';
import { evaluateJhmdbResults } from '../../core/eval/jhmdbEvaluation.ts';
import { PCK_THRESHOLDS } from '../../core/eval/pck.ts';
import { propagatePoseClip } from './propagatePose.ts';
import { benchFeatureExtraction } from '../../core/models/benchFeatureExtraction.ts';
import { openFeatureStream } from '../../core/models/featureStreams.ts';
import { OnnxSessionPool } from '../../core/models/onnxRuntime.ts';

const usage = `Usage:
  correspond bench propagate [--channels 48,1280] [--threads N] [--repeats 2] [--label NAME] [--no-record]
  correspond bench davis --root DAVIS_ROOT [--sequences a,b] [--stream default] [--label NAME] [--cache DIR]
                         [--out DIR] [--topk 10] [--context 20] [--radius 12] [--temperature 0.05] [--threads N]
  correspond bench jhmdb --root JHMDB_ROOT [--stream default] [--label NAME] [--topk 10] [--context 7] [--radius 12]
  correspond bench features [--stream default] [--model FILE] [--threads 1,2] [--frames 10]
  correspond bench ui [--repeats 5] [--stream default] [--size 854x480] [--label NAME]

bench propagate  Our kernel and the PyTorch dense reference (resources/bench/dense_propagation.py, run by a Python
                 with torch: $CORRESPOND_PYTHON, /usr/bin/python3, python3) on the same 480p features, side by
                 side; prints ms/frame of both, the ratio and our share of the FMA floor.
bench davis      Propagates every sequence of a DAVIS root from its first annotated frame and scores J&F.
bench jhmdb      Propagates the joints of every clip of a JHMDB root (joint_positions/<class>/<video>) and scores PCK.
bench features   Feature extraction time of a stream (default: default) or of one ONNX model on 854×480 frames.
Each records its result in benchmarks/<kind>.json under --label and re-renders BENCHMARKS.md (unless
--no-record). The last stdout line is the result as JSON.`;

function machine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'} · ${availableParallelism()} cores`;
}

function listFlag(value: string | undefined, fallback: string[]): string[] {
  return value === undefined ? fallback : value.split(',').map((part) => part.trim()).filter(Boolean);
}

async function benchDavis(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const root = resolve(requiredFlag(args, 'root'));
  const annotations = join(root, 'Annotations', '480p');
  if (!existsSync(annotations)) throw new UsageError(`--root ${root} has no Annotations/480p folder`);
  const sequences = listFlag(stringFlag(args, 'sequences'), readdirSync(annotations).sort());
  const stream = stringFlag(args, 'stream', 'default')!;
  const label = stringFlag(args, 'label', stream)!;
  const settings = {
    topK: numberFlag(args, 'topk', 10),
    contextFrames: numberFlag(args, 'context', 20),
    radiusCells: numberFlag(args, 'radius', 12),
    temperature: numberFlag(args, 'temperature', 0.05),
  };
  const threads = numberFlag(args, 'threads', availableParallelism());
  const keepOut = stringFlag(args, 'out');
  const outRoot = keepOut ? resolve(keepOut) : mkdtempSync(join(tmpdir(), 'correspond-bench-davis-'));
  let frames = 0;
  let ms = 0;
  try {
    for (const sequence of sequences) {
      const firstMask = readdirSync(join(annotations, sequence)).filter((name) => name.endsWith('.png')).sort()[0];
      if (!firstMask) throw new UsageError(`${join(annotations, sequence)} holds no PNG annotation`);
      const result = await propagateClip({
        labelsFile: join(annotations, sequence, firstMask),
        framesPath: join(root, 'JPEGImages', '480p', sequence),
        outDir: join(outRoot, sequence),
        stream,
        cacheRoot: stringFlag(args, 'cache'),
        settings,
        threads,
        kernel: kernelFlag(args),
        verbose: false,
      });
      frames += result.frames;
      ms += result.ms;
      process.stderr.write(`${sequence}: ${result.frames} frames, ${result.msPerFrame} ms/frame\n`);
    }
    const report = evaluateDavis({ davisRoot: root, resultsDir: outRoot, sequences });
    const record: BenchRecord = {
      label,
      measuredAt: new Date().toISOString(),
      machine: machine(),
      stream,
      settings,
      threads,
      JF: report.global.JF,
      J: report.global.J,
      F: report.global.F,
      msPerFrame: ms / frames,
      sequences: report.sequences,
      ...(stringFlag(args, 'note') ? { note: stringFlag(args, 'note') } : {}),
    };
    if (!args.flags.has('no-record')) saveRecord(appRoot, 'davis', record);
    printResult(record);
    return 0;
  } finally {
    if (!keepOut) rmSync(outRoot, { recursive: true, force: true });
  }
}

async function benchJhmdb(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const root = resolve(requiredFlag(args, 'root'));
  const positions = join(root, 'joint_positions');
  if (!existsSync(positions)) throw new UsageError(`--root ${root} has no joint_positions folder`);
  const videos = readdirSync(positions).flatMap((cls) => readdirSync(join(positions, cls)).map((video) => `${cls}/${video}`)).sort();
  const stream = stringFlag(args, 'stream', 'default')!;
  const settings = {
    topK: numberFlag(args, 'topk', 10),
    contextFrames: numberFlag(args, 'context', 7),
    radiusCells: numberFlag(args, 'radius', 12),
    temperature: numberFlag(args, 'temperature', 0.05),
  };
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
    const record: BenchRecord = {
      label: stringFlag(args, 'label', stream)!,
      measuredAt: new Date().toISOString(),
      machine: machine(),
      stream,
      settings,
      videos: videos.length,
      frames,
      msPerFrame: ms / frames,
      pck: Object.fromEntries(PCK_THRESHOLDS.map((threshold, i) => [`PCK@${threshold}`, report.pck[i]])),
    };
    if (!args.flags.has('no-record')) saveRecord(appRoot, 'pose', record);
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
    const stream = await openFeatureStream(spec, { pool, appRoot });
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
  const spec = stringFlag(args, 'stream', 'default')!;
  const results = [];
  for (const threads of [...new Set(threadCounts)]) {
    const result = modelFile ? await benchFeatureExtraction(resolve(modelFile), threads, frames) : await benchStreamExtraction(spec, threads, frames);
    const model = modelFile ?? `stream ${spec}`;
    const record: BenchRecord = { label: `${model} · ${threads} threads`, measuredAt: new Date().toISOString(), machine: machine(), model, ...result };
    if (!args.flags.has('no-record')) saveRecord(appRoot, 'features', record);
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
  const stream = stringFlag(args, 'stream', 'default')!;
  const result = await benchFirstFrame({
    repeats, width: Number(size[1]), height: Number(size[2]), frames: 40, stream, log: (line) => process.stderr.write(`${line}\n`),
  });
  const record: BenchRecord = { label: stringFlag(args, 'label', stream)!, measuredAt: new Date().toISOString(), machine: machine(), ...result };
  if (!args.flags.has('no-record')) saveRecord(appRoot, 'ui', record);
  printResult(record);
  return 0;
}

export const command: CliCommand = {
  name: 'bench',
  summary: 'Benchmarks: propagation vs the PyTorch reference, DAVIS J&F and JHMDB PCK of a stream, feature extraction speed, first frame in the UI',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    switch (sub) {
      case 'propagate':
        return benchPropagation(rest, machine());
      case 'davis':
        return benchDavis(rest);
      case 'features':
        return benchFeatures(rest);
      case 'jhmdb':
        return benchJhmdb(rest);
      case 'ui':
        return benchUi(rest);
      default:
        throw new UsageError(sub ? `unknown benchmark "${sub}"` : 'name a benchmark: propagate, davis, jhmdb, features or ui');
    }
  },
};
