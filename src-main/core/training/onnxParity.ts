import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { type NpyArray, readNpy, writeNpy } from '../engine/npy.ts';
import { TrainingError } from './trainingError.ts';
import { defaultTrainerDir } from './trainingWorker.ts';

export interface OnnxParityOptions {
  pythonExecutable: string;
  /** Training checkpoint whose online encoder was exported. */
  checkpointPath: string;
  onnxPath: string;
  /** Input size; odd sizes exercise the ⌈H/8⌉ rounding of the free height/width axes. */
  height: number;
  width: number;
  seed?: number;
  trainerDir?: string;
  timeoutMs?: number;
}

export interface OnnxParityReport {
  /** [1, C, ⌈H/8⌉, ⌈W/8⌉] (C: 256 for ResNet-18, 96 for MobileNetV2) */
  outputShape: number[];
  maxAbsDifference: number;
  maxAbsReference: number;
  /** maxAbsDifference / maxAbsReference. */
  relativeDifference: number;
}

/** Deterministic pseudo-random RGB in [0, 1], what the exported graph takes (it normalises inside). */
export function parityInput(height: number, width: number, seed = 1): Float32Array {
  const values = new Float32Array(3 * height * width);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < values.length; i++) {
    // xorshift32: reproducible without a dependency.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = state / 0xffffffff;
  }
  return values;
}

type DumpOptions = Pick<OnnxParityOptions, 'pythonExecutable' | 'trainerDir' | 'timeoutMs'> & ({ checkpointPath: string } | { kerasTrunk: string; block: number });

function runDumpReference(options: DumpOptions, inputArgs: string[], outputFile: string): Promise<void> {
  const trainerDir = options.trainerDir ?? defaultTrainerDir;
  const script = path.join(trainerDir, 'dump_reference.py');
  const network = 'checkpointPath' in options ? ['--checkpoint', options.checkpointPath] : ['--keras-trunk', options.kerasTrunk, '--block', String(options.block)];
  const args = [script, ...network, ...inputArgs, '--output', outputFile];
  const source = 'checkpointPath' in options ? options.checkpointPath : options.kerasTrunk;
  return new Promise((resolve, reject) => {
    execFile(options.pythonExecutable, args, { cwd: trainerDir, timeout: options.timeoutMs ?? 120_000 }, (error, _stdout, stderr) => {
      if (error) reject(new TrainingError('PARITY_FAILED', `dump_reference.py failed: ${stderr.trim() || error.message}`, source));
      else resolve();
    });
  });
}

/**
 * PyTorch's stride-8 features of the checkpoint's network for one input: `{ input }` float32 [1,3,H,W] RGB in [0,1]
 * through the exported network, or `{ pixels }` uint8 H×W×3 prepared as training prepares its views, through the
 * trained encoder alone (what the exported model, fed pixel/255, must reproduce). With `kerasTrunk` instead of a
 * checkpoint: block `block` of the ImageNet MobileNetV2 trunk in Keras geometry (what mobilenetv2-backbone.onnx
 * computes from the same weights).
 */
export async function dumpReferenceFeatures(
  options: DumpOptions,
  source: { input: Float32Array } | { pixels: Uint8Array },
  height: number,
  width: number,
): Promise<NpyArray> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'correspond-parity-'));
  try {
    const inputFile = path.join(workDir, 'input.npy');
    const referenceFile = path.join(workDir, 'reference.npy');
    if ('input' in source) writeNpy(inputFile, { shape: [1, 3, height, width], data: source.input, dtype: '<f4' });
    else writeNpy(inputFile, { shape: [height, width, 3], data: source.pixels, dtype: '|u1' });
    await runDumpReference(options, ['input' in source ? '--input' : '--pixels', inputFile], referenceFile);
    return readNpy(referenceFile);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Runs the exported ONNX with onnxruntime-node (CPU) and the PyTorch network of the checkpoint (via
 * resources/trainer/dump_reference.py) on the same input and compares their stride-8 outputs.
 */
export async function checkOnnxParity(options: OnnxParityOptions): Promise<OnnxParityReport> {
  const { height, width } = options;
  const input = parityInput(height, width, options.seed);
  const reference = await dumpReferenceFeatures(options, { input }, height, width);
  const session = await ort.InferenceSession.create(options.onnxPath, { executionProviders: ['cpu'] });
  try {
    const outputs = await session.run({ image: new ort.Tensor('float32', input, [1, 3, height, width]) });
    const features = outputs.features;
    if (!features) throw new TrainingError('PARITY_FAILED', `ONNX has no 'features' output`, options.onnxPath);
    const shape = features.dims.map(Number);
    if (shape.join('x') !== reference.shape.join('x')) {
      throw new TrainingError('PARITY_FAILED', `ONNX output ${shape.join('×')} but PyTorch ${reference.shape.join('×')}`, options.onnxPath);
    }
    const { maxAbsDifference, maxAbsReference } = compareOutputs(features.data as Float32Array, reference.data as Float32Array);
    return { outputShape: shape, maxAbsDifference, maxAbsReference, relativeDifference: maxAbsDifference / maxAbsReference };
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between two outputs and the largest absolute value of the reference. */
export function compareOutputs(actual: Float32Array, expected: Float32Array): { maxAbsDifference: number; maxAbsReference: number } {
  let maxAbsDifference = 0;
  let maxAbsReference = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbsDifference = Math.max(maxAbsDifference, Math.abs(actual[i]! - expected[i]!));
    maxAbsReference = Math.max(maxAbsReference, Math.abs(expected[i]!));
  }
  return { maxAbsDifference, maxAbsReference };
}
