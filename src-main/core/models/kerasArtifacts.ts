import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ModelError } from './modelError.ts';

/** One weight as the tfjs manifest describes it; `quantization` present when stored as uint8/uint16. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { min?: number; scale?: number; dtype: string };
}

/** A tfjs Layers model in memory: Keras topology JSON, weight manifest and the concatenated weight bytes. */
export interface KerasArtifacts {
  /** `{ keras_version, model_config: { class_name: 'Model', config: { layers, input_layers, output_layers } } }`. */
  modelTopology: Record<string, unknown>;
  weightSpecs: WeightSpec[];
  weightData: Uint8Array;
  /** The files the artifacts were read from, for error messages and metadata. */
  files: string[];
  /** sha256 over the source files, so generated models know when they are stale. */
  sourceSha256: string;
  /** Human-readable origin, e.g. "npm nsfwjs@4.4.0 dist/models/mobilenet_v2". */
  source: string;
}

/** A decoded weight tensor in Keras layout (row-major over `shape`). */
export interface KerasTensor {
  shape: number[];
  values: Float32Array;
}

/** Finds `node_modules/nsfwjs/dist/models/mobilenet_v2` through Node resolution (the package exports no package.json). */
export function resolveNsfwMobileNetDirectory(): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('nsfwjs/models/mobilenet_v2');
  } catch (cause) {
    throw new ModelError('MODEL_SOURCE_MISSING', 'the npm package nsfwjs is not installed (run npm install)', 'nsfwjs', { cause });
  }
  // entry = <pkg>/dist/cjs/models/mobilenet_v2.js; the data lives in <pkg>/dist/models/mobilenet_v2.
  return path.resolve(path.dirname(entry), '../../models/mobilenet_v2');
}

/**
 * Reads nsfwjs's MobileNetV2 (Keras 2.2.4 topology, uint8-quantised weights). nsfwjs ships both files as UMD
 * bundles exporting `{ modelTopology, weightsManifest }` and one base64 string; requiring them runs only that wrapper.
 */
export function readNsfwMobileNetV2(directory = resolveNsfwMobileNetDirectory()): KerasArtifacts {
  const modelFile = path.join(directory, 'model.min.js');
  const shardFile = path.join(directory, 'group1-shard1of1.min.js');
  for (const file of [modelFile, shardFile]) {
    if (!existsSync(file)) throw new ModelError('MODEL_SOURCE_MISSING', 'nsfwjs model file not found (is nsfwjs@4.4.0 installed?)', file);
  }
  const require = createRequire(import.meta.url);
  const modelJson = loadBundle(require, modelFile) as { modelTopology?: unknown; weightsManifest?: unknown };
  if (typeof modelJson?.modelTopology !== 'object' || !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelError('MODEL_SOURCE_INVALID', 'expected an object with modelTopology and weightsManifest', modelFile);
  }
  const shard = loadBundle(require, shardFile);
  if (typeof shard !== 'string') throw new ModelError('MODEL_SOURCE_INVALID', 'expected a base64 string of weights', shardFile);
  const groups = modelJson.weightsManifest as Array<{ paths: string[]; weights: WeightSpec[] }>;
  if (groups.length !== 1 || groups[0]!.paths.length !== 1) {
    throw new ModelError('MODEL_SOURCE_INVALID', 'expected exactly one weight group with one shard', modelFile);
  }
  const weightData = new Uint8Array(Buffer.from(shard, 'base64'));
  const hash = createHash('sha256');
  for (const file of [modelFile, shardFile]) hash.update(readFileSync(file));
  const artifacts: KerasArtifacts = {
    modelTopology: modelJson.modelTopology as Record<string, unknown>,
    weightSpecs: groups[0]!.weights,
    weightData,
    files: [modelFile, shardFile],
    sourceSha256: hash.digest('hex'),
    source: `npm nsfwjs@${readPackageVersion(directory)} dist/models/mobilenet_v2 (Keras MobileNetV2, uint8 weights)`,
  };
  const expectedBytes = artifacts.weightSpecs.reduce((sum, spec) => sum + byteLength(spec, shardFile), 0);
  if (expectedBytes !== weightData.length) {
    throw new ModelError('MODEL_SOURCE_INVALID', `weights hold ${weightData.length} bytes, the manifest expects ${expectedBytes}`, shardFile);
  }
  return artifacts;
}

/**
 * Decodes every weight to float32 the way tfjs does: quantised values are `q * scale + min` (per tensor), stored
 * back to back in manifest order.
 */
export function decodeWeights(artifacts: KerasArtifacts): Map<string, KerasTensor> {
  const weights = new Map<string, KerasTensor>();
  const file = artifacts.files[1] ?? 'weights';
  const view = new DataView(artifacts.weightData.buffer, artifacts.weightData.byteOffset, artifacts.weightData.byteLength);
  let offset = 0;
  for (const spec of artifacts.weightSpecs) {
    const count = spec.shape.reduce((product, size) => product * size, 1);
    const values = new Float32Array(count);
    const quantization = spec.quantization;
    if (quantization === undefined) {
      for (let index = 0; index < count; index++) values[index] = view.getFloat32(offset + 4 * index, true);
    } else {
      const scale = quantization.scale ?? Number.NaN;
      const min = quantization.min ?? Number.NaN;
      const bytesPerValue = quantization.dtype === 'uint8' ? 1 : 2;
      for (let index = 0; index < count; index++) {
        const quantized = bytesPerValue === 1 ? view.getUint8(offset + index) : view.getUint16(offset + 2 * index, true);
        values[index] = quantized * scale + min;
      }
    }
    offset += byteLength(spec, file);
    weights.set(spec.name, { shape: spec.shape, values });
  }
  return weights;
}

function byteLength(spec: WeightSpec, file: string): number {
  const count = spec.shape.reduce((product, size) => product * size, 1);
  const quantization = spec.quantization;
  if (quantization === undefined) {
    if (spec.dtype !== 'float32') throw new ModelError('MODEL_SOURCE_INVALID', `weight ${spec.name} has dtype ${spec.dtype}`, file);
    return 4 * count;
  }
  const valid = typeof quantization.scale === 'number' && typeof quantization.min === 'number';
  if (!valid || (quantization.dtype !== 'uint8' && quantization.dtype !== 'uint16')) {
    throw new ModelError('MODEL_SOURCE_INVALID', `weight ${spec.name} uses unsupported quantisation ${JSON.stringify(quantization)}`, file);
  }
  return (quantization.dtype === 'uint8' ? 1 : 2) * count;
}

function loadBundle(require: NodeRequire, file: string): unknown {
  try {
    return require(file);
  } catch (cause) {
    throw new ModelError('MODEL_SOURCE_INVALID', `cannot load the bundle: ${(cause as Error).message}`, file, { cause });
  }
}

function readPackageVersion(modelDirectory: string): string {
  const packageFile = path.resolve(modelDirectory, '../../../package.json');
  try {
    return (JSON.parse(readFileSync(packageFile, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
