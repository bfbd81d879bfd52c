/**
 * `bench propagate`: our kernel and the PyTorch dense reference on the same features, one run, side by side.
 * Features (60×107 cells, 22 frames: long-term slot, 20 short-term slots, the query):
 *  - C = 48: the car-shadow reference fixture (`features_l2.npy`, the pixels extractor of SPEC §6);
 *  - other C: the default stream fused with pixels (176 real channels) on the same frames, lifted to C by a
 *    fixed Gaussian matrix plus 10% isotropic noise energy (full rank), L2-normalised. Without the shared data,
 *    smooth synthetic features are used and the record says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { appRoot, type BenchRecord, benchRecord, keepRecord, sharedDataDir } from './benchmarkRecords.ts';
import { kernelFlag, numberFlag, parseArgs, printResult, stringFlag, UsageError } from './cliCommand.ts';
import { type FeatureMap, sharedFloat32 } from '../core/engine/featureMap.ts';
import { createKernelRunner } from '../core/engine/kernelRunners.ts';
import type { FrameJob } from '../core/engine/kernelRunner.ts';
import { readNpy, writeNpy } from '../core/engine/npy.ts';
import { defaultPropagationSettings, windowOffsets } from '../core/engine/propagationKernel.ts';
import { openFeatureStream } from '../core/models/featureStreams.ts';
import { OnnxGraphBuilder } from '../core/onnx/onnxGraphBuilder.ts';
import { OnnxSessionPool } from '../core/models/onnxRuntime.ts';
import { findPython } from '../core/training/findPython.ts';
import { openClipPipeline } from '../core/pipeline/clipPipeline.ts';
import { probeSource } from '../core/video/index.ts';

const WIDTH = 107;
const HEIGHT = 60;
const FRAMES = defaultPropagationSettings.contextFrames + 2;

/** Deterministic normal deviates (xorshift + Box–Muller). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** C×h×w maps → cell-major unit vectors. */
function cellMajorUnit(map: FeatureMap): Float32Array {
  const cells = map.height * map.width;
  const out = sharedFloat32(cells * map.channels);
  for (let i = 0; i < cells; i++) {
    let sum = 0;
    for (let c = 0; c < map.channels; c++) sum += map.data[c * cells + i] ** 2;
    const norm = Math.max(Math.sqrt(sum), 1e-12);
    for (let c = 0; c < map.channels; c++) out[i * map.channels + c] = map.data[c * cells + i] / norm;
  }
  return out;
}

/** Lifts cell-major D-dim vectors to C dims: x·G (G D×C Gaussian) + noise with `noiseShare` of the energy. */
function lift(frames: Float32Array[], D: number, C: number, noiseShare: number): Float32Array[] {
  const next = gaussian(1280);
  const G = Float32Array.from({ length: D * C }, () => next() / Math.sqrt(D));
  const noiseScale = Math.sqrt(noiseShare / (1 - noiseShare) / C);
  return frames.map((frame) => {
    const cells = frame.length / D;
    const out = sharedFloat32(cells * C);
    const row = new Float64Array(C);
    for (let i = 0; i < cells; i++) {
      row.fill(0);
      for (let d = 0; d < D; d++) {
        const v = frame[i * D + d];
        if (v === 0) continue;
        for (let c = 0; c < C; c++) row[c] += v * G[d * C + c];
      }
      let sum = 0;
      for (let c = 0; c < C; c++) sum += row[c] ** 2;
      const base = Math.sqrt(sum) || 1;
      let total = 0;
      for (let c = 0; c < C; c++) total += (row[c] = row[c] / base + noiseScale * next()) ** 2;
      const norm = Math.sqrt(total);
      for (let c = 0; c < C; c++) out[i * C + c] = row[c] / norm;
    }
    return out;
  });
}

function smoothSynthetic(C: number): Float32Array[] {
  const next = gaussian(48 + C);
  const step = 8;
  const gw = Math.ceil(WIDTH / step) + 2;
  const gh = Math.ceil(HEIGHT / step) + 2;
  const grid = Float32Array.from({ length: gw * gh * C }, next);
  return Array.from({ length: FRAMES }, (_, t) => {
    const out = sharedFloat32(WIDTH * HEIGHT * C);
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const gx = (x + 0.5 * t) / step;
        const gy = y / step;
        const x0 = Math.floor(gx);
        const y0 = Math.floor(gy);
        const ax = gx - x0;
        const ay = gy - y0;
        let sum = 0;
        const o = (y * WIDTH + x) * C;
        for (let c = 0; c < C; c++) {
          const v =
            (1 - ax) * (1 - ay) * grid[(y0 * gw + x0) * C + c] + ax * (1 - ay) * grid[(y0 * gw + x0 + 1) * C + c] +
            (1 - ax) * ay * grid[((y0 + 1) * gw + x0) * C + c] + ax * ay * grid[((y0 + 1) * gw + x0 + 1) * C + c] + 0.3 * next();
          out[o + c] = v;
          sum += v * v;
        }
        const norm = Math.sqrt(sum);
        for (let c = 0; c < C; c++) out[o + c] /= norm;
      }
    }
    return out;
  });
}

interface BenchFeatures {
  description: string;
  frames: Float32Array[];
  labels: Float32Array;
  labelChannels: number;
}

async function benchFeatures(C: number): Promise<BenchFeatures> {
  const fixture = join(sharedDataDir, 'reference', 'propagation', 'car-shadow');
  const framesDir = join(sharedDataDir, 'davis2016-dev', 'JPEGImages', '480p', 'car-shadow');
  // Labels: the fixture's frame-0 map when present (2 channels), else a fixed pattern; every slot carries them.
  const labels = sharedFloat32(WIDTH * HEIGHT * 2);
  if (existsSync(join(fixture, 'label0_60x107.npy'))) labels.set(readNpy(join(fixture, 'label0_60x107.npy')).data as Float32Array);
  else for (let i = 0; i < WIDTH * HEIGHT; i++) labels[i * 2 + (i % 3 === 0 ? 1 : 0)] = 1;
  const files = Array.from({ length: FRAMES }, (_, t) => join(framesDir, `${String(t).padStart(5, '0')}.jpg`));
  if (!files.every((file) => existsSync(file))) {
    return { description: 'synthetic smooth random (shared data absent)', frames: smoothSynthetic(C), labels, labelChannels: 2 };
  }
  const pool = new OnnxSessionPool({ allowCuda: false });
  try {
    // C = 48: the pixels extractor of the fixtures (SPEC §6); otherwise real 176-channel features lifted to C.
    const stream = await openFeatureStream(C === 48 ? 'pixels' : 'default+pixels', { pool, appRoot });
    const info = await probeSource(framesDir);
    const clip = openClipPipeline({ frames: { ...info, frameCount: FRAMES, files }, stream, input: { kind: 'reference' } });
    const base: Float32Array[] = [];
    for (let t = 0; t < FRAMES; t++) base.push(cellMajorUnit(await clip.features(t)));
    clip.close();
    if (C === 48) return { description: 'car-shadow frames 0–21, pixels stream', frames: base, labels, labelChannels: 2 };
    return {
      description: `car-shadow frames 0–21, default+pixels (176 ch) lifted to ${C} ch (+10% noise energy)`,
      frames: lift(base, stream.channels, C, 0.1),
      labels,
      labelChannels: 2,
    };
  } finally {
    await pool.release();
  }
}

/** Peak multiply-add rate of a large onnxruntime GEMM at C channels (the floor's yardstick), GMAC/s. */
async function gemmPeak(C: number, threads: number): Promise<number> {
  const builder = new OnnxGraphBuilder();
  builder.addInput('a', ['m', 'k']);
  builder.addInput('b', ['n', 'k']);
  builder.add('Gemm', ['a', 'b'], { transB: 1 }, 'c');
  builder.addOutput('c', ['m', 'n']);
  const session = await ort.InferenceSession.create(builder.encode('gemm'), { intraOpNumThreads: threads, interOpNumThreads: 1 });
  try {
    const M = 1024;
    const N = 4096;
    const a = new ort.Tensor('float32', new Float32Array(M * C).fill(0.01), [M, C]);
    const b = new ort.Tensor('float32', new Float32Array(N * C).fill(0.02), [N, C]);
    await session.run({ a, b });
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await session.run({ a, b });
      best = Math.min(best, performance.now() - started);
    }
    return (M * N * C) / (best / 1000) / 1e9;
  } finally {
    await session.release();
  }
}

export async function benchPropagation(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-record']);
  const channelList = (stringFlag(args, 'channels') ?? '48,1280').split(',').map(Number);
  if (channelList.some((c) => !(Number.isInteger(c) && c > 0))) throw new UsageError('--channels takes positive integers, e.g. 48,1280');
  const threads = numberFlag(args, 'threads', 2);
  const repeats = numberFlag(args, 'repeats', 2);
  const found = await findPython();
  if (!found.found) throw new UsageError(`bench propagate needs PyTorch for the reference side: ${found.message}`);
  const settings = defaultPropagationSettings;
  const windowSize = windowOffsets(settings.radiusCells).dy.length;
  const results: BenchRecord[] = [];
  for (const C of channelList) {
    process.stderr.write(`C=${C}: preparing features…\n`);
    const features = await benchFeatures(C);
    const slots = [{ features: features.frames[0], labels: features.labels, restricted: false }];
    for (let j = 1; j <= settings.contextFrames; j++) slots.push({ features: features.frames[j], labels: features.labels, restricted: true });
    const job: FrameJob = {
      width: WIDTH, height: HEIGHT, featureChannels: C, labelChannels: features.labelChannels,
      query: features.frames[FRAMES - 1], slots, settings,
    };
    // Ours: warm-up (JIT, workers), then the mean of `repeats` frames.
    const runner = createKernelRunner({ threads, kind: kernelFlag(args) });
    let ours: Float32Array;
    let oursMs: number;
    try {
      ours = await runner.run(job);
      const started = performance.now();
      for (let i = 0; i < repeats; i++) ours = await runner.run(job);
      oursMs = (performance.now() - started) / repeats;
    } finally {
      await runner.close();
    }
    process.stderr.write(`C=${C}: ours ${oursMs.toFixed(0)} ms/frame (${runner.name}); running PyTorch…\n`);
    // PyTorch dense reference on the same features.
    const folder = mkdtempSync(join(tmpdir(), 'correspond-bench-propagate-'));
    let torch: { msPerFrame: number; torch: string };
    let maxAbsDiff = 0;
    let sameArgmax = 0;
    let argmaxAgreement = 0;
    try {
      const cells = WIDTH * HEIGHT;
      const channelMajor = new Float32Array(C * FRAMES * cells);
      features.frames.forEach((frame, t) => {
        for (let i = 0; i < cells; i++) for (let c = 0; c < C; c++) channelMajor[(c * FRAMES + t) * cells + i] = frame[i * C + c];
      });
      writeNpy(join(folder, 'features.npy'), { shape: [C, FRAMES, HEIGHT, WIDTH], data: channelMajor });
      const labelStack = new Float32Array(FRAMES * cells * features.labelChannels);
      for (let t = 0; t < FRAMES; t++) labelStack.set(features.labels, t * cells * features.labelChannels);
      writeNpy(join(folder, 'labels.npy'), { shape: [FRAMES, HEIGHT, WIDTH, features.labelChannels], data: labelStack });
      const script = join(appRoot, 'resources', 'bench', 'dense_propagation.py');
      const run = spawnSync(found.python.executable, [script, folder, '--topk', String(settings.topK), '--radius', String(settings.radiusCells),
        '--temperature', String(settings.temperature), '--repeats', String(repeats), '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (run.status !== 0) throw new Error(`${script} failed: ${(run.stderr || run.error?.message || '').trim().split('\n').at(-1)}`);
      torch = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { msPerFrame: number; torch: string };
      const prediction = readNpy(join(folder, 'prediction.npy')).data as Float32Array;
      const L = features.labelChannels;
      for (let cell = 0; cell < prediction.length / L; cell++) {
        let theirsBest = 0;
        let oursBest = 0;
        for (let c = 0; c < L; c++) {
          const i = cell * L + c;
          maxAbsDiff = Math.max(maxAbsDiff, Math.abs(prediction[i] - ours[i]));
          if (prediction[i] > prediction[cell * L + theirsBest]) theirsBest = c;
          if (ours[i] > ours[cell * L + oursBest]) oursBest = c;
        }
        if (theirsBest === oursBest) sameArgmax++;
      }
      argmaxAgreement = sameArgmax / (prediction.length / L);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const peak = await gemmPeak(C, threads);
    const floorGmac = (WIDTH * HEIGHT * (windowSize * settings.contextFrames + WIDTH * HEIGHT) * C) / 1e9;
    const record = benchRecord(stringFlag(args, 'label') ? `${stringFlag(args, 'label')} C=${C}` : `C=${C}`, {
      features: features.description,
      channels: C,
      threads,
      kernel: runner.name,
      oursMs,
      torchMs: torch.msPerFrame,
      torchVersion: torch.torch,
      speedup: torch.msPerFrame / oursMs,
      maxAbsDiff,
      argmaxAgreement,
      floorGmac,
      peakGmacPerSecond: peak,
    });
    process.stderr.write(`C=${C}: PyTorch ${torch.msPerFrame.toFixed(0)} ms/frame → ${(torch.msPerFrame / oursMs).toFixed(1)}×\n`);
    keepRecord(args, 'propagate', record);
    results.push(record);
  }
  printResult({ results });
  return 0;
}
