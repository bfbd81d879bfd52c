/**
 * Reads a PyTorch checkpoint (`torch.save` output) without Python, in all three formats torch.load accepts:
 * - zip (torch ≥1.6 default): `<dir>/data.pkl` plus one member `<dir>/data/<key>` per storage;
 * - legacy stream (`_use_new_zipfile_serialization=False`, torch 0.4–1.5): pickled magic number, protocol
 *   version and sys_info, the pickled object, the pickled list of storage keys, then each storage as an int64
 *   element count followed by its little-endian elements;
 * - tar (torch ≤0.3): members `sys_info`, `storages`, `tensors` and `pickle`.
 * Storages are read lazily; tensors come back as TorchTensor views (see torchTensor.ts).
 */
import { readFileSync } from 'node:fs';
import { ModelError } from '../modelError.ts';
import { createGlobalResolver, isTorchStorage, storageMarkerDtype } from './pickleGlobals.ts';
import { readPickle, type UnpicklerHooks } from './pickleReader.ts';
import { looksLikeTar, readTarMembers } from './tarArchive.ts';
import { ELEMENT_BYTES, type TorchStorage, TorchTensor } from './torchTensor.ts';
import { looksLikeZip, readZipEntries } from './zipArchive.ts';

export type CheckpointFormat = 'zip' | 'legacy' | 'tar';

export interface TorchCheckpoint {
  format: CheckpointFormat;
  /** The unpickled object: usually a Map (dict/OrderedDict) holding TorchTensors, maybe nested. */
  value: unknown;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/**
 * Largest data.pkl read: 64 MiB. A checkpoint's pickle holds only the structure (names, shapes, storage keys; a
 * ResNet-50 state dict's is about 50 KB), so a bigger one is refused before it is inflated.
 */
export const MAX_PICKLE_BYTES = 64 * 1024 * 1024;
const LEGACY_PROTOCOL = 1001;

/** Reads and unpickles `file`; errors are ModelErrors naming it. */
export function readTorchCheckpoint(file: string): TorchCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelError(missing ? 'MODEL_SOURCE_MISSING' : 'MODEL_UNREADABLE', `cannot read the checkpoint: ${(cause as Error).message}`, file, { cause });
  }
  return parseTorchCheckpoint(bytes, file);
}

/** Same as readTorchCheckpoint for bytes in memory; `file` names them in errors. */
export function parseTorchCheckpoint(bytes: Uint8Array, file: string): TorchCheckpoint {
  if (bytes.length === 0) throw new ModelError('MODEL_TRUNCATED', 'the checkpoint is empty', file);
  if (looksLikeZip(bytes)) return { format: 'zip', value: readZipCheckpoint(bytes, file) };
  if (looksLikeTar(bytes)) return { format: 'tar', value: readTarCheckpoint(bytes, file) };
  if (bytes[0] === 0x80) return { format: 'legacy', value: readLegacyCheckpoint(bytes, file) };
  throw new ModelError('MODEL_SOURCE_INVALID', 'not a PyTorch checkpoint: neither a zip archive, a tar archive nor a pickle stream', file);
}

function readZipCheckpoint(bytes: Uint8Array, file: string): unknown {
  const entries = readZipEntries(bytes, file);
  const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickleName === undefined) throw new ModelError('MODEL_SOURCE_INVALID', 'the zip archive has no <name>/data.pkl: not a torch.save checkpoint', file);
  const directory = pickleName.slice(0, -'data.pkl'.length);
  const byteOrder = entries.get(`${directory}byteorder`);
  if (byteOrder !== undefined && new TextDecoder().decode(byteOrder.read()).trim() !== 'little') {
    throw new ModelError('MODEL_SOURCE_INVALID', 'the checkpoint was saved big-endian; only little-endian checkpoints are read', file);
  }
  const storages = new Map<string, TorchStorage>();
  const persistentLoad = (id: unknown): TorchStorage => {
    // ('storage', torch.<Type>Storage, key, location, element count)
    const [kind, marker, key, , elementCount] = Array.isArray(id) ? id : [];
    const dtype = storageMarkerDtype(marker);
    if (kind !== 'storage' || dtype === undefined || (typeof key !== 'string' && typeof key !== 'number') || typeof elementCount !== 'number') {
      throw new ModelError('MODEL_SOURCE_INVALID', `unexpected persistent id ${describe(id)} in data.pkl`, file);
    }
    const existing = storages.get(String(key));
    if (existing !== undefined) return existing;
    const entry = entries.get(`${directory}data/${key}`);
    if (entry === undefined) throw new ModelError('MODEL_TRUNCATED', `storage ${directory}data/${key} is missing from the archive`, file);
    const storage: TorchStorage = { dtype, key: String(key), elementCount, bytes: () => entry.read() };
    storages.set(storage.key, storage);
    return storage;
  };
  const pickleEntry = entries.get(pickleName)!;
  if (pickleEntry.size > MAX_PICKLE_BYTES) {
    throw new ModelError('MODEL_SOURCE_INVALID', `${pickleName} declares ${pickleEntry.size} bytes; a checkpoint's pickle holds only its structure, and more than ${MAX_PICKLE_BYTES / 2 ** 20} MiB is not read`, file);
  }
  return readPickle(pickleEntry.read(), 0, { findGlobal: createGlobalResolver(file), persistentLoad }, file).value;
}

interface LegacyRoot {
  dtype: TorchStorage['dtype'];
  data?: Uint8Array;
}

function readLegacyCheckpoint(bytes: Uint8Array, file: string): unknown {
  const plain: UnpicklerHooks = { findGlobal: createGlobalResolver(file) };
  const magic = readPickle(bytes, 0, plain, file);
  if (magic.value !== LEGACY_MAGIC) throw new ModelError('MODEL_SOURCE_INVALID', 'a pickle, but not a PyTorch checkpoint (no torch magic number)', file);
  const protocol = readPickle(bytes, magic.end, plain, file);
  if (protocol.value !== LEGACY_PROTOCOL) throw new ModelError('MODEL_SOURCE_INVALID', `torch serialization protocol ${String(protocol.value)} is not ${LEGACY_PROTOCOL}`, file);
  const systemInfo = readPickle(bytes, protocol.end, plain, file);
  checkLittleEndian(systemInfo.value, file);

  const roots = new Map<string, LegacyRoot>();
  // One object per storage (and view), so tensors sharing a storage decode it once.
  const views = new Map<string, TorchStorage>();
  const storageOf = (rootKey: string, root: LegacyRoot, start: number, elementCount: number): TorchStorage => {
    const viewKey = `${rootKey}:${start}:${elementCount}`;
    const storage = views.get(viewKey) ?? {
      dtype: root.dtype,
      key: rootKey,
      elementCount,
      bytes: () => {
        const elementBytes = ELEMENT_BYTES[root.dtype];
        return root.data!.subarray(start * elementBytes, (start + elementCount) * elementBytes);
      },
    };
    views.set(viewKey, storage);
    return storage;
  };
  const persistentLoad = (id: unknown): TorchStorage => {
    // ('storage', torch.<Type>Storage, root key, location, element count, None | (view key, offset, view size))
    const [kind, marker, rootKey, , elementCount, view] = Array.isArray(id) ? id : [];
    if (kind === 'module') throw pickledModuleError(file);
    const dtype = storageMarkerDtype(marker);
    if (kind !== 'storage' || dtype === undefined || typeof rootKey !== 'string' || typeof elementCount !== 'number') {
      throw new ModelError('MODEL_SOURCE_INVALID', `unexpected persistent id ${describe(id)}`, file);
    }
    const root = roots.get(rootKey) ?? { dtype };
    roots.set(rootKey, root);
    if (Array.isArray(view) && typeof view[1] === 'number' && typeof view[2] === 'number') return storageOf(rootKey, root, view[1], view[2]);
    return storageOf(rootKey, root, 0, elementCount);
  };
  const main = readPickle(bytes, systemInfo.end, { ...plain, persistentLoad }, file);
  const keys = readPickle(bytes, main.end, plain, file);
  if (!Array.isArray(keys.value)) throw new ModelError('MODEL_SOURCE_INVALID', 'the storage key list after the object is not a list', file);
  let offset = keys.end;
  for (const key of keys.value) {
    const root = roots.get(String(key));
    if (root === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `storage ${String(key)} is listed but never referenced`, file);
    const { data, end } = readCountedStorage(bytes, offset, root.dtype, `storage ${String(key)}`, file);
    root.data = data;
    offset = end;
  }
  const unread = [...roots.entries()].find(([, root]) => root.data === undefined);
  if (unread !== undefined) throw new ModelError('MODEL_SOURCE_INVALID', `storage ${unread[0]} is referenced but not stored`, file);
  return main.value;
}

function readTarCheckpoint(bytes: Uint8Array, file: string): unknown {
  const members = readTarMembers(bytes, file);
  const member = (name: string): Uint8Array => {
    const data = members.get(name);
    if (data === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `the tar checkpoint has no "${name}" member`, file);
    return data;
  };
  const plain: UnpicklerHooks = { findGlobal: createGlobalResolver(file) };
  if (members.has('sys_info')) checkLittleEndian(readPickle(member('sys_info'), 0, plain, file).value, file);
  const storages = readTarStorages(member('storages'), plain, file);
  const objects = new Map<string, TorchStorage | TorchTensor>([...storages, ...readTarTensors(member('tensors'), storages, plain, file)]);
  const persistentLoad = (id: unknown): unknown => {
    if (Array.isArray(id)) throw pickledModuleError(file);
    const object = objects.get(String(Number(id)));
    if (object === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `the pickle refers to unknown tensor ${describe(id)}`, file);
    return object;
  };
  return readPickle(member('pickle'), 0, { ...plain, persistentLoad }, file).value;
}

/** Tar `storages`: a count, then per storage (key, location, type) + int64 count + elements; then the views. */
function readTarStorages(data: Uint8Array, plain: UnpicklerHooks, file: string): Map<string, TorchStorage> {
  const storages = new Map<string, TorchStorage>();
  let cursor = readPickle(data, 0, plain, file);
  const storageCount = cursor.value;
  if (typeof storageCount !== 'number') throw new ModelError('MODEL_SOURCE_INVALID', 'the storages member does not start with a count', file);
  for (let index = 0; index < storageCount; index++) {
    cursor = readPickle(data, cursor.end, plain, file);
    const [key, , marker] = Array.isArray(cursor.value) ? cursor.value : [];
    const dtype = storageMarkerDtype(marker);
    if (dtype === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `storage record ${describe(cursor.value)}`, file);
    const stored = readCountedStorage(data, cursor.end, dtype, `storage ${String(key)}`, file);
    storages.set(String(key), { dtype, key: String(key), elementCount: stored.data.length / ELEMENT_BYTES[dtype], bytes: () => stored.data });
    cursor = { value: undefined, end: stored.end };
  }
  cursor = readPickle(data, cursor.end, plain, file);
  for (const view of Array.isArray(cursor.value) ? cursor.value : []) {
    const [target, rootKey, offset, elementCount] = Array.isArray(view) ? view : [];
    const root = storages.get(String(rootKey));
    if (!isTorchStorage(root) || typeof offset !== 'number' || typeof elementCount !== 'number') {
      throw new ModelError('MODEL_SOURCE_INVALID', `storage view ${describe(view)}`, file);
    }
    const elementBytes = ELEMENT_BYTES[root.dtype];
    const slice = root.bytes().subarray(offset * elementBytes, (offset + elementCount) * elementBytes);
    storages.set(String(target), { dtype: root.dtype, key: String(target), elementCount, bytes: () => slice });
  }
  return storages;
}

/** Tar `tensors`: a count, then per tensor (key, storage key, type) + int32 ndim + 4 pad bytes + int64 sizes, strides, offset. */
function readTarTensors(data: Uint8Array, storages: Map<string, TorchStorage>, plain: UnpicklerHooks, file: string): Map<string, TorchTensor> {
  const tensors = new Map<string, TorchTensor>();
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let cursor = readPickle(data, 0, plain, file);
  const tensorCount = typeof cursor.value === 'number' ? cursor.value : 0;
  for (let index = 0; index < tensorCount; index++) {
    cursor = readPickle(data, cursor.end, plain, file);
    const [key, storageKey] = Array.isArray(cursor.value) ? cursor.value : [];
    const storage = storages.get(String(storageKey));
    if (storage === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `tensor ${String(key)} refers to unknown storage ${String(storageKey)}`, file);
    let offset = cursor.end;
    const dimensions = offset + 8 <= data.length ? view.getInt32(offset, true) : -1;
    offset += 8;
    if (dimensions < 0 || offset + 16 * dimensions + 8 > data.length) throw new ModelError('MODEL_TRUNCATED', `tensor ${String(key)} ends early`, file);
    const int64 = (): number => {
      offset += 8;
      return Number(view.getBigInt64(offset - 8, true));
    };
    const shape = Array.from({ length: dimensions }, int64);
    const strides = Array.from({ length: dimensions }, int64);
    tensors.set(String(key), new TorchTensor(storage, int64(), shape, strides));
    cursor = { value: undefined, end: offset };
  }
  return tensors;
}

/** An int64 element count then that many elements (legacy `_write_file` layout). */
function readCountedStorage(bytes: Uint8Array, offset: number, dtype: TorchStorage['dtype'], what: string, file: string): { data: Uint8Array; end: number } {
  if (offset + 8 > bytes.length) throw new ModelError('MODEL_TRUNCATED', `the checkpoint ends before ${what}`, file);
  const count = new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigInt64(0, true);
  const byteCount = Number(count) * ELEMENT_BYTES[dtype];
  const start = offset + 8;
  if (count < 0n || start + byteCount > bytes.length) {
    throw new ModelError('MODEL_TRUNCATED', `the checkpoint ends inside ${what} (needs ${byteCount} bytes at byte ${start}, the file has ${bytes.length})`, file);
  }
  return { data: bytes.subarray(start, start + byteCount), end: start + byteCount };
}

function checkLittleEndian(systemInfo: unknown, file: string): void {
  if (systemInfo instanceof Map && systemInfo.get('little_endian') === false) {
    throw new ModelError('MODEL_SOURCE_INVALID', 'the checkpoint was saved on a big-endian machine; only little-endian checkpoints are read', file);
  }
}

function pickledModuleError(file: string): ModelError {
  return new ModelError('MODEL_UNSAFE_PICKLE', 'the checkpoint pickles whole nn.Module objects (with their source code), which are never executed; save a state_dict and import that', file);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item))?.slice(0, 120) ?? String(value);
  } catch {
    return String(value);
  }
}
