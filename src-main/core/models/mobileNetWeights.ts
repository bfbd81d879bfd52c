/**
 * The ImageNet MobileNetV2 trunk weights for the PyTorch training worker: the float32 values of every Keras weight
 * up to the last block the fine-grained stream uses, in a raw little-endian file plus a JSON index
 * (`resources/models/generated/mobilenetv2-trunk.{bin,json}`). The worker (resources/trainer/mobilenet.py) builds
 * its MobileNetV2 FC from them when a run starts from ImageNet rather than from an earlier FC.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeWeights, type KerasArtifacts, readNsfwMobileNetV2 } from './kerasArtifacts.ts';

/** Bump when the written layout changes. */
export const TRUNK_WEIGHTS_VERSION = 1;
export const TRUNK_WEIGHTS_ID = 'mobilenetv2-trunk';
/** Blocks 0 (`expanded_conv`) to 12; nsfwjs kept ImageNet's conv kernels up to block_10, 11–12 start as shipped. */
export const TRUNK_LAST_BLOCK = 12;

export interface TrunkWeightsIndex {
  format: 'correspond-keras-weights';
  version: number;
  source: string;
  sourceSha256: string;
  /** Keras layout (Conv2D kernel H,W,in,out; DepthwiseConv2D kernel H,W,C,1; BatchNormalization vectors). */
  layout: 'keras';
  batchNormEpsilon: number;
  inputRange: [0, 1];
  tensors: Array<{ name: string; shape: number[]; offset: number; count: number }>;
  bytes: number;
}

/** Keras layer-name prefixes of the trunk: the stem, `expanded_conv` and block_1 … block_12. */
function inTrunk(name: string): boolean {
  if (name.startsWith('Conv1/') || name.startsWith('bn_Conv1/') || name.startsWith('expanded_conv_')) return true;
  const block = /^block_(\d+)_/.exec(name);
  return block !== null && Number(block[1]) <= TRUNK_LAST_BLOCK;
}

export function trunkWeightFiles(directory: string): { dataFile: string; indexFile: string } {
  return { dataFile: path.join(directory, `${TRUNK_WEIGHTS_ID}.bin`), indexFile: path.join(directory, `${TRUNK_WEIGHTS_ID}.json`) };
}

/** Writes the trunk weights unless the files are current (same version and nsfwjs source). */
export function ensureTrunkWeights(directory: string, options: { force?: boolean; artifacts?: KerasArtifacts } = {}): { status: 'current' | 'generated'; indexFile: string } {
  const artifacts = options.artifacts ?? readNsfwMobileNetV2();
  const { dataFile, indexFile } = trunkWeightFiles(directory);
  if (!options.force && isCurrent(dataFile, indexFile, artifacts.sourceSha256)) return { status: 'current', indexFile };
  const weights = decodeWeights(artifacts);
  const tensors: TrunkWeightsIndex['tensors'] = [];
  let count = 0;
  for (const [name, tensor] of weights) {
    if (!inTrunk(name)) continue;
    tensors.push({ name, shape: tensor.shape, offset: count * 4, count: tensor.values.length });
    count += tensor.values.length;
  }
  const data = new Float32Array(count);
  let position = 0;
  for (const { name } of tensors) {
    const values = weights.get(name)!.values;
    data.set(values, position);
    position += values.length;
  }
  const index: TrunkWeightsIndex = {
    format: 'correspond-keras-weights',
    version: TRUNK_WEIGHTS_VERSION,
    source: artifacts.source,
    sourceSha256: artifacts.sourceSha256,
    layout: 'keras',
    batchNormEpsilon: 1e-3,
    inputRange: [0, 1],
    tensors,
    bytes: data.byteLength,
  };
  mkdirSync(directory, { recursive: true });
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  writeAtomically(dataFile, littleEndian(bytes));
  writeAtomically(indexFile, `${JSON.stringify(index, null, 1)}\n`);
  return { status: 'generated', indexFile };
}

function isCurrent(dataFile: string, indexFile: string, sourceSha256: string): boolean {
  if (!existsSync(dataFile) || !existsSync(indexFile)) return false;
  try {
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as TrunkWeightsIndex;
    return index.version === TRUNK_WEIGHTS_VERSION && index.sourceSha256 === sourceSha256 && readFileSync(dataFile).length === index.bytes;
  } catch {
    return false;
  }
}

/** Float32Array bytes are in the machine's order; the file is little-endian on every machine. */
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let index = 0; index < bytes.length; index += 4) {
    swapped[index] = bytes[index + 3]!;
    swapped[index + 1] = bytes[index + 2]!;
    swapped[index + 2] = bytes[index + 1]!;
    swapped[index + 3] = bytes[index]!;
  }
  return swapped;
}

function writeAtomically(file: string, contents: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}
