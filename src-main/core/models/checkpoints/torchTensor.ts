import { endianness } from 'node:os';
import { ModelError } from '../modelError.ts';

/** Element types of the storages we decode (the names of torch's dtypes). */
export type TorchDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const ELEMENT_BYTES: Record<TorchDtype, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** `torch.<Name>Storage` (legacy typed storages, how every torch version pickles a storage's type) → dtype. */
export const STORAGE_DTYPES: Record<string, TorchDtype> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/**
 * A storage: a flat run of little-endian elements, read lazily (a checkpoint's optimizer state is never decoded).
 * `elementCount` is what the pickle declared, checked against the bytes when they are read.
 */
export interface TorchStorage {
  dtype: TorchDtype;
  key: string;
  elementCount: number;
  bytes(): Uint8Array;
}

/** A strided view of a storage, as torch._utils._rebuild_tensor_v2 describes it. Shapes are row-major. */
export class TorchTensor {
  constructor(
    readonly storage: TorchStorage,
    /** In elements. */
    readonly storageOffset: number,
    readonly shape: readonly number[],
    /** In elements, one per dimension. */
    readonly strides: readonly number[],
  ) {}

  get dtype(): TorchDtype {
    return this.storage.dtype;
  }

  get elementCount(): number {
    return this.shape.reduce((product, size) => product * size, 1);
  }
}

/**
 * The tensor's values in row-major order as float32 (float16/bfloat16/float64/integers converted), honouring its
 * offset and strides. `name` and `file` go into errors.
 */
export function tensorToFloat32(tensor: TorchTensor, name: string, file: string): Float32Array {
  const count = tensor.elementCount;
  const { storage } = tensor;
  let maximumIndex = tensor.storageOffset;
  for (let axis = 0; axis < tensor.shape.length; axis++) {
    if (tensor.shape[axis]! > 0) maximumIndex += (tensor.shape[axis]! - 1) * Math.max(0, tensor.strides[axis]!);
  }
  if (count > 0 && (maximumIndex >= storage.elementCount || tensor.strides.some((stride) => stride < 0))) {
    throw new ModelError('MODEL_SOURCE_INVALID', `tensor ${name} reads element ${maximumIndex} of a storage of ${storage.elementCount}`, file);
  }
  const elements = decodeStorage(storage, file);
  const output = new Float32Array(count);
  if (count === 0) return output;
  const contiguous = tensor.strides.every((stride, axis) => tensor.shape.slice(axis + 1).reduce((p, s) => p * s, 1) === stride || tensor.shape[axis] === 1);
  if (contiguous) {
    const start = tensor.storageOffset;
    for (let index = 0; index < count; index++) output[index] = Number(elements[start + index]!);
    return output;
  }
  // General strided gather: an odometer over the dimensions.
  const position = new Array<number>(tensor.shape.length).fill(0);
  let source = tensor.storageOffset;
  for (let index = 0; index < count; index++) {
    output[index] = Number(elements[source]!);
    for (let axis = tensor.shape.length - 1; axis >= 0; axis--) {
      position[axis]!++;
      source += tensor.strides[axis]!;
      if (position[axis]! < tensor.shape[axis]!) break;
      source -= position[axis]! * tensor.strides[axis]!;
      position[axis] = 0;
    }
  }
  return output;
}

type DecodedElements = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

const decodedStorages = new WeakMap<TorchStorage, DecodedElements>();

/** The storage's elements in a typed array (float16/bfloat16 widened to float32); cached per storage. */
function decodeStorage(storage: TorchStorage, file: string): DecodedElements {
  const cached = decodedStorages.get(storage);
  if (cached !== undefined) return cached;
  if (endianness() !== 'LE') throw new ModelError('MODEL_SOURCE_INVALID', 'checkpoints can only be decoded on little-endian machines', file);
  const elementBytes = ELEMENT_BYTES[storage.dtype];
  const raw = storage.bytes();
  if (raw.length < storage.elementCount * elementBytes) {
    throw new ModelError('MODEL_TRUNCATED', `storage ${storage.key} has ${raw.length} bytes, its ${storage.elementCount} ${storage.dtype} elements need ${storage.elementCount * elementBytes}`, file);
  }
  // Copy to an aligned buffer: storages inside a zip or after a pickle start at arbitrary byte offsets.
  // (Node Buffers' slice() is a view, hence the explicit copy.)
  const aligned = new Uint8Array(storage.elementCount * elementBytes);
  aligned.set(raw.subarray(0, aligned.length));
  const buffer = aligned.buffer;
  let decoded: DecodedElements;
  switch (storage.dtype) {
    case 'float32':
      decoded = new Float32Array(buffer);
      break;
    case 'float64':
      decoded = new Float64Array(buffer);
      break;
    case 'float16':
      decoded = Float32Array.from(new Uint16Array(buffer), (bits) => halfTable()[bits]!);
      break;
    case 'bfloat16':
      decoded = new Float32Array(Uint32Array.from(new Uint16Array(buffer), (bits) => bits << 16).buffer);
      break;
    case 'int64':
      decoded = new BigInt64Array(buffer);
      break;
    case 'int32':
      decoded = new Int32Array(buffer);
      break;
    case 'int16':
      decoded = new Int16Array(buffer);
      break;
    case 'int8':
      decoded = new Int8Array(buffer);
      break;
    case 'uint8':
    case 'bool':
      decoded = new Uint8Array(buffer);
      break;
  }
  decodedStorages.set(storage, decoded);
  return decoded;
}

let halfValues: Float32Array | undefined;

/** Every float16 bit pattern's value (256 KiB, built once): a lookup is much faster than decoding each time. */
function halfTable(): Float32Array {
  halfValues ??= Float32Array.from({ length: 65536 }, (_, bits) => halfToFloat(bits));
  return halfValues;
}

/** IEEE 754 binary16 → number (subnormals, infinities and NaN included). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
