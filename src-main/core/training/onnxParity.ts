import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readNpy, writeNpy } from '../engine/npy.ts';
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
  /** [1, 256, ⌈H/8⌉, ⌈W/8⌉] */
  outputShape: number[];
  maxAbsDifference: number;
  maxAbsReference: number;
  /** maxAbsDifference / maxAbsReference. */
  relativeDifference: number;
}

/** Deterministic pseudo-random input in roughly the range of ImageNet-normalised pixels (−2.1 … 2.6). */
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
    values[i] = (state / 0xffffffff) * 4.7 - 2.1;
  }
  return values;
}

function runDumpReference(options: OnnxParityOptions, inputFile: string, outputFile: string): Promise<void> {
  const trainerDir = options.trainerDir ?? defaultTrainerDir;
  const script = path.join(trainerDir, 'dump_reference.py');
  const args = [script, '--checkpoint', options.checkpointPath, '--input', inputFile, '--output', outputFile];
  return new Promise((resolve, reject) => {
    execFile(options.pythonExecutable, args, { cwd: trainerDir, timeout: options.timeoutMs ?? 120_000 }, (error, _stdout, stderr) => {
      if (error) reject(new TrainingError('PARITY_FAILED', `dump_reference.py failed: ${stderr.trim() || error.message}`, options.checkpointPath));
      else resolve();
    });
  });
}

/**
 * Runs the exported ONNX with onnxruntime-node (CPU) and the PyTorch network of the checkpoint (via
 * resources/trainer/dump_reference.py) on the same input and compares their stride-8 outputs.
 */
export async function checkOnnxParity(options: OnnxParityOptions): Promise<OnnxParityReport> {
  const { height, width } = options;
  const input = parityInput(height, width, options.seed);
  const workDir = mkdtempSync(path.join(tmpdir(), 'correspond-parity-'));
  try {
    const inputFile = path.join(workDir, 'input.npy');
    const referenceFile = path.join(workDir, 'reference.npy');
    writeNpy(inputFile, { shape: [1, 3, height, width], data: input, dtype: '<f4' });
    await runDumpReference(options, inputFile, referenceFile);
    const reference = readNpy(referenceFile);
    const session = await ort.InferenceSession.create(options.onnxPath, { executionProviders: ['cpu'] });
    try {
      const outputs = await session.run({ image: new ort.Tensor('float32', input, [1, 3, height, width]) });
      const features = outputs.features;
      if (!features) throw new TrainingError('PARITY_FAILED', `ONNX has no 'features' output`, options.onnxPath);
      const shape = features.dims.map(Number);
      if (shape.join('x') !== reference.shape.join('x')) {
        throw new TrainingError('PARITY_FAILED', `ONNX output ${shape.join('×')} but PyTorch ${reference.shape.join('×')}`, options.onnxPath);
      }
      const actual = features.data as Float32Array;
      const expected = reference.data as Float32Array;
      let maxAbsDifference = 0;
      let maxAbsReference = 0;
      for (let i = 0; i < expected.length; i++) {
        maxAbsDifference = Math.max(maxAbsDifference, Math.abs(actual[i] - expected[i]));
        maxAbsReference = Math.max(maxAbsReference, Math.abs(expected[i]));
      }
      return { outputShape: shape, maxAbsDifference, maxAbsReference, relativeDifference: maxAbsDifference / maxAbsReference };
    } finally {
      await session.release();
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
