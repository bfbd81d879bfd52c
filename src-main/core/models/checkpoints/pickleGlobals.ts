/**
 * The allow-list of Python globals a checkpoint's pickle may name, each with the TypeScript that stands in for it.
 * Nothing here runs Python: tensors are rebuilt as views of lazily read storages, and the few extra objects that
 * training scripts put next to the weights (argparse.Namespace, numpy scalars, torch.device) become inert
 * placeholders. Every other global (a pickled nn.Module, torch.storage._load_from_bytes, os.system, …) is refused
 * with MODEL_UNSAFE_PICKLE naming it, before anything else is read.
 */
import { ModelError } from '../modelError.ts';
import { PickleGlobal, PickleObject } from './pickleReader.ts';
import { STORAGE_DTYPES, type TorchStorage, TorchTensor } from './torchTensor.ts';

export function isTorchStorage(value: unknown): value is TorchStorage {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'elementCount' in value && typeof (value as TorchStorage).bytes === 'function';
}

/** The dtype of a `torch.<Name>Storage` marker (as persistent ids carry it), or undefined. */
export function storageMarkerDtype(value: unknown): TorchStorage['dtype'] | undefined {
  return value instanceof PickleGlobal && value.module === 'torch' ? STORAGE_DTYPES[value.name] : undefined;
}

const TENSOR_TYPE_MARKERS = ['Tensor', 'FloatTensor', 'HalfTensor', 'DoubleTensor', 'LongTensor', 'IntTensor', 'ShortTensor', 'CharTensor', 'ByteTensor', 'BoolTensor', 'BFloat16Tensor'];
const DTYPE_MARKERS = ['float32', 'float', 'float16', 'half', 'bfloat16', 'float64', 'double', 'int64', 'long', 'int32', 'int', 'int16', 'int8', 'uint8', 'bool'];

/** `(module, name) → PickleGlobal` over the allow-list; `file` names the checkpoint in errors. */
export function createGlobalResolver(file: string): (module: string, name: string) => PickleGlobal {
  const invalid = (message: string): never => {
    throw new ModelError('MODEL_SOURCE_INVALID', message, file);
  };
  const rebuildTensor = (args: readonly unknown[], name: string): TorchTensor => {
    const [storage, offset, shape, strides] = args;
    if (!isTorchStorage(storage)) return invalid(`${name} without a storage`);
    if (!isIndex(offset) || !isIndexList(shape) || !isIndexList(strides) || shape.length !== strides.length) {
      return invalid(`${name} with offset ${String(offset)}, size ${String(shape)}, stride ${String(strides)}`);
    }
    return new TorchTensor(storage, offset, [...shape], [...strides]);
  };
  const passTensor = (args: readonly unknown[], name: string): unknown =>
    args[0] instanceof TorchTensor ? args[0] : invalid(`${name} of something that is not a tensor`);
  const placeholder = (className: string) => (args: readonly unknown[]) => new PickleObject(className, args);

  const allowed = new Map<string, ((args: readonly unknown[]) => unknown) | null>([
    ['collections.OrderedDict', (args) => new Map(pairsOf(args[0], invalid))],
    ['torch._utils._rebuild_tensor_v2', (args) => rebuildTensor(args, '_rebuild_tensor_v2')],
    ['torch._utils._rebuild_tensor', (args) => rebuildTensor(args, '_rebuild_tensor')],
    ['torch._utils._rebuild_parameter', (args) => passTensor(args, '_rebuild_parameter')],
    ['torch._utils._rebuild_parameter_with_state', (args) => passTensor(args, '_rebuild_parameter_with_state')],
    ['torch._tensor._rebuild_from_type_v2', (args) => rebuildFromType(args, file)],
    ['torch.Size', (args) => (Array.isArray(args[0]) ? Object.freeze([...args[0]]) : invalid('torch.Size of something that is not a tuple'))],
    ['torch.nn.parameter.Parameter', null],
    ['torch.device', placeholder('torch.device')],
    ['argparse.Namespace', placeholder('argparse.Namespace')],
    ['_codecs.encode', (args) => encodeLatin1(args, invalid)],
    ['numpy.dtype', placeholder('numpy.dtype')],
    ['numpy.ndarray', null],
    ['numpy.core.multiarray.scalar', (args) => numpyScalar(args)],
    ['numpy._core.multiarray.scalar', (args) => numpyScalar(args)],
    ['numpy.core.multiarray._reconstruct', placeholder('numpy.ndarray')],
    ['numpy._core.multiarray._reconstruct', placeholder('numpy.ndarray')],
  ]);
  for (const builtins of ['builtins', '__builtin__']) {
    allowed.set(`${builtins}.set`, (args) => new Set(Array.isArray(args[0]) ? args[0] : []));
    allowed.set(`${builtins}.frozenset`, (args) => new Set(Array.isArray(args[0]) ? args[0] : []));
    allowed.set(`${builtins}.slice`, placeholder('slice'));
    allowed.set(`${builtins}.bytes`, (args) => (args.length === 0 ? new Uint8Array(0) : encodeLatin1(args, invalid)));
    allowed.set(`${builtins}.bytearray`, (args) => (args.length === 0 ? new Uint8Array(0) : encodeLatin1(args, invalid)));
  }
  for (const name of Object.keys(STORAGE_DTYPES)) allowed.set(`torch.${name}`, null);
  for (const name of TENSOR_TYPE_MARKERS) allowed.set(`torch.${name}`, null);
  for (const name of DTYPE_MARKERS) allowed.set(`torch.${name}`, null);

  return (module, name) => {
    const qualified = `${module}.${name}`;
    const behaviour = allowed.get(qualified);
    if (behaviour === undefined) {
      throw new ModelError(
        'MODEL_UNSAFE_PICKLE',
        `the checkpoint's pickle references the Python global ${qualified}, which is not on the allow-list of tensors, ` +
          'storages and plain containers; nothing was executed. Save a state_dict (torch.save(model.state_dict(), path)) and import that',
        file,
      );
    }
    return new PickleGlobal(module, name, behaviour ?? undefined);
  };
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every(isIndex);
}

/** OrderedDict([(k, v), …]) or OrderedDict(): the items of its one optional argument. */
function pairsOf(items: unknown, invalid: (message: string) => never): Array<[unknown, unknown]> {
  if (items === undefined) return [];
  if (!Array.isArray(items)) return invalid('OrderedDict of something that is not a list of pairs');
  return items.map((pair) => (Array.isArray(pair) && pair.length === 2 ? [pair[0], pair[1]] : invalid('OrderedDict item that is not a pair')));
}

/** `_rebuild_from_type_v2(func, type, args, state)`: how torch ≥1.10 pickles tensors that carry Python state. */
function rebuildFromType(args: readonly unknown[], file: string): unknown {
  const [func, type, innerArgs, state] = args;
  const plainType = type instanceof PickleGlobal && (type.qualifiedName === 'torch.Tensor' || type.qualifiedName === 'torch.nn.parameter.Parameter');
  const noState = state === null || state === undefined || (state instanceof Map && state.size === 0);
  if (!(func instanceof PickleGlobal) || func.call === undefined || !plainType || !noState || !Array.isArray(innerArgs)) {
    const typeName = type instanceof PickleGlobal ? type.qualifiedName : 'an unknown type';
    throw new ModelError('MODEL_UNSAFE_PICKLE', `the checkpoint holds a tensor of ${typeName} with Python state; only plain tensors and parameters are read`, file);
  }
  return func.call(innerArgs);
}

/** `_codecs.encode(text, 'latin1')`: how protocol 2 writes Python 3 bytes (numpy scalars' payloads). */
function encodeLatin1(args: readonly unknown[], invalid: (message: string) => never): Uint8Array {
  const [text, encoding] = args;
  if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1' && encoding !== 'iso-8859-1')) {
    return invalid(`bytes encoded as ${String(encoding)}; only latin1 is read`);
  }
  return Uint8Array.from(text, (character) => character.charCodeAt(0) & 0xff);
}

/**
 * `numpy.core.multiarray.scalar(dtype, bytes)` → number for little-endian numeric dtypes (a training script's
 * best accuracy, say); anything else stays an inert placeholder.
 */
function numpyScalar(args: readonly unknown[]): unknown {
  const [dtype, data] = args;
  const code = dtype instanceof PickleObject && typeof dtype.args[0] === 'string' ? dtype.args[0] : undefined;
  const state = dtype instanceof PickleObject && Array.isArray(dtype.state) ? dtype.state : [];
  const order = typeof state[1] === 'string' ? state[1] : '<';
  if (code === undefined || !(data instanceof Uint8Array) || order === '>') return new PickleObject('numpy.scalar', args);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const readers: Record<string, [number, () => number | bigint]> = {
    f8: [8, () => view.getFloat64(0, true)],
    f4: [4, () => view.getFloat32(0, true)],
    i8: [8, () => view.getBigInt64(0, true)],
    i4: [4, () => view.getInt32(0, true)],
    i2: [2, () => view.getInt16(0, true)],
    i1: [1, () => view.getInt8(0)],
    u8: [8, () => view.getBigUint64(0, true)],
    u4: [4, () => view.getUint32(0, true)],
    u2: [2, () => view.getUint16(0, true)],
    u1: [1, () => view.getUint8(0)],
    b1: [1, () => view.getUint8(0)],
  };
  const reader = readers[code];
  if (reader === undefined || data.length !== reader[0]) return new PickleObject('numpy.scalar', args);
  const value = reader[1]();
  if (code === 'b1') return value !== 0;
  return typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}
