/**
 * Feature-extraction timing of an ONNX stream at 480p (854×480, the DAVIS frame size), per thread count.
 * Run: npx tsx src-main/core/models/benchFeatureExtraction.ts [--threads 1,2] [--frames 10] [--model FILE]
 * (default model: resources/models/generated/mobilenetv2-hypercolumn.onnx, generated if needed).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { embeddedModelFiles, ensureGeneratedModels, generatedModelsDirectory } from './embeddedModel.ts';
import { OnnxFeatureStream } from './onnxFeatureStream.ts';
import { OnnxSessionPool } from './onnxRuntime.ts';

export interface FeatureBenchResult {
  modelFile: string;
  width: number;
  height: number;
  threads: number;
  device: string;
  frames: number;
  /** Median wall time of `extract` (RGB→float conversion + inference), after one warm-up frame. */
  medianMsPerFrame: number;
  minMsPerFrame: number;
  output: string;
}

export async function benchFeatureExtraction(modelFile: string, threads: number, frames = 10, width = 854, height = 480): Promise<FeatureBenchResult> {
  const pool = new OnnxSessionPool({ threads, allowCuda: false });
  try {
    const stream = await OnnxFeatureStream.load(pool, modelFile);
    const data = new Uint8Array(width * height * 3);
    for (let index = 0; index < data.length; index++) data[index] = (index * 2654435761) >>> 24; // textured, not flat
    const first = await stream.extract({ width, height, data }); // warm-up: allocations and kernel selection
    const times: number[] = [];
    for (let frame = 0; frame < frames; frame++) {
      const started = performance.now();
      await stream.extract({ width, height, data });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return {
      modelFile,
      width,
      height,
      threads,
      device: pool.describeComputeDevice().label,
      frames,
      medianMsPerFrame: times[Math.floor(times.length / 2)]!,
      minMsPerFrame: times[0]!,
      output: `${first.channels}×${first.height}×${first.width}`,
    };
  } finally {
    await pool.release();
  }
}

async function main(argumentsList: string[]): Promise<void> {
  const option = (name: string) => {
    const index = argumentsList.indexOf(name);
    return index >= 0 ? argumentsList[index + 1] : undefined;
  };
  const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  let modelFile = option('--model');
  if (modelFile === undefined) {
    const directory = generatedModelsDirectory(appRoot);
    ensureGeneratedModels(directory);
    modelFile = embeddedModelFiles(directory).modelFile;
  }
  const threadCounts = (option('--threads') ?? '1,2').split(',').map(Number);
  const frames = Number(option('--frames') ?? 10);
  for (const threads of threadCounts) {
    const result = await benchFeatureExtraction(modelFile, threads, frames);
    console.log(
      `${path.basename(result.modelFile)} ${result.width}×${result.height} → ${result.output}: ${result.threads} thread(s) ` +
        `median ${result.medianMsPerFrame.toFixed(1)} ms/frame (min ${result.minMsPerFrame.toFixed(1)}, ${result.frames} frames, ${result.device})`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
