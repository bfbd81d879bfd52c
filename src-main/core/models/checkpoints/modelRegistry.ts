/**
 * A folder of imported feature models: `registry.json` lists them, each model is `<id>.onnx` plus `<id>.json`
 * (its metadata), where id is the first 16 hex digits of the model's sha256. Every write goes to a temporary
 * file that is then renamed, models before the list, and a lock file serialises writers, so a crash or a failed
 * import leaves the previous registry intact (at worst an unlisted model file stays behind).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../embeddedModel.ts';
import { ModelError } from '../modelError.ts';

export const REGISTRY_FILE = 'registry.json';
const REGISTRY_VERSION = 1;
const LOCK_STALE_MS = 60_000;
const LOCK_WAIT_MS = 15_000;

export interface RegisteredModel {
  id: string;
  name: string;
  /** Model and metadata file names, relative to the registry folder. */
  file: string;
  metadataFile: string;
  sha256: string;
  bytes: number;
  /** Checkpoint preset it was imported with, when there was one. */
  preset: string | null;
  role: 'semantic' | 'fine-grained' | 'unknown';
  channels: number;
  stride: number;
  /** Absolute path of the file it was imported from. */
  source: string;
  addedAt: string;
}

export interface NewModel {
  bytes: Uint8Array;
  name: string;
  preset: string | null;
  role: RegisteredModel['role'];
  channels: number;
  source: string;
  /** Written (with id, name, file and sha256 added) as `<id>.json`. */
  metadata: Record<string, unknown>;
}

/** `$CORRESPOND_HOME/models`, else `$XDG_DATA_HOME/correspond/models`, else `~/.local/share/correspond/models`. */
export function defaultModelRegistryDirectory(env: NodeJS.ProcessEnv = process.env, homeDirectory: string = os.homedir()): string {
  if (env.CORRESPOND_HOME) return path.resolve(env.CORRESPOND_HOME, 'models');
  const dataHome = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(homeDirectory, '.local', 'share');
  return path.join(dataHome, 'correspond', 'models');
}

export class ModelRegistry {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = path.resolve(directory);
  }

  get registryFile(): string {
    return path.join(this.directory, REGISTRY_FILE);
  }

  /** The registered models, oldest first; an absent registry is empty. */
  list(): RegisteredModel[] {
    let text: string;
    try {
      text = readFileSync(this.registryFile, 'utf8');
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ModelError('MODEL_REGISTRY_INVALID', `cannot read the model registry: ${(cause as Error).message}`, this.registryFile, { cause });
    }
    let parsed: { version?: unknown; models?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (cause) {
      throw new ModelError('MODEL_REGISTRY_INVALID', `the model registry is not valid JSON: ${(cause as Error).message}`, this.registryFile, { cause });
    }
    if (parsed?.version !== REGISTRY_VERSION || !Array.isArray(parsed.models) || !parsed.models.every(isRegisteredModel)) {
      throw new ModelError('MODEL_REGISTRY_INVALID', `the model registry is not a version-${REGISTRY_VERSION} list of models`, this.registryFile);
    }
    return parsed.models;
  }

  /** Absolute path of a registered model's `.onnx`. */
  modelPath(model: RegisteredModel): string {
    return path.join(this.directory, model.file);
  }

  /** A model by exact id, exact name, or unique id prefix (≥ 4 digits). */
  find(idOrName: string): RegisteredModel | undefined {
    const models = this.list();
    const exact = models.find((model) => model.id === idOrName || model.name === idOrName);
    if (exact !== undefined) return exact;
    const prefixed = idOrName.length >= 4 ? models.filter((model) => model.id.startsWith(idOrName)) : [];
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  /**
   * Adds a model; the same bytes twice give the existing entry (`added: false`). A name already used by another
   * model is refused, so names stay usable as ids.
   */
  add(model: NewModel): { model: RegisteredModel; added: boolean } {
    return this.locked(() => {
      const models = this.list();
      const digest = sha256(model.bytes);
      const id = digest.slice(0, 16);
      const existing = models.find((entry) => entry.id === id);
      if (existing !== undefined) return { model: existing, added: false };
      const clash = models.find((entry) => entry.name === model.name);
      if (clash !== undefined) {
        throw new ModelError('MODEL_INVALID', `a model named "${model.name}" is already registered (id ${clash.id}); choose another --name`, this.registryFile);
      }
      const entry: RegisteredModel = {
        id,
        name: model.name,
        file: `${id}.onnx`,
        metadataFile: `${id}.json`,
        sha256: digest,
        bytes: model.bytes.length,
        preset: model.preset,
        role: model.role,
        channels: model.channels,
        stride: 8,
        source: model.source,
        addedAt: new Date().toISOString(),
      };
      const modelFile = path.join(this.directory, entry.file);
      const metadataFile = path.join(this.directory, entry.metadataFile);
      try {
        writeAtomically(modelFile, model.bytes);
        writeAtomically(metadataFile, `${JSON.stringify({ id, name: entry.name, file: entry.file, sha256: digest, bytes: entry.bytes, ...model.metadata }, null, 2)}\n`);
        this.writeList([...models, entry]);
      } catch (error) {
        rmSync(modelFile, { force: true });
        rmSync(metadataFile, { force: true });
        throw error;
      }
      return { model: entry, added: true };
    });
  }

  /** Removes a model (by id, name or unique id prefix) and its files; returns what was removed. */
  remove(idOrName: string): RegisteredModel {
    return this.locked(() => {
      const target = this.find(idOrName);
      if (target === undefined) throw new ModelError('MODEL_NOT_REGISTERED', `no registered model has id or name "${idOrName}"`, this.registryFile);
      this.writeList(this.list().filter((model) => model.id !== target.id));
      rmSync(path.join(this.directory, target.file), { force: true });
      rmSync(path.join(this.directory, target.metadataFile), { force: true });
      return target;
    });
  }

  private writeList(models: RegisteredModel[]): void {
    writeAtomically(this.registryFile, `${JSON.stringify({ version: REGISTRY_VERSION, models }, null, 2)}\n`);
  }

  /** Runs `action` holding `registry.lock` (created exclusively; a lock older than a minute is stale). */
  private locked<T>(action: () => T): T {
    mkdirSync(this.directory, { recursive: true });
    const lockFile = path.join(this.directory, 'registry.lock');
    const deadline = Date.now() + LOCK_WAIT_MS;
    let descriptor: number | undefined;
    while (descriptor === undefined) {
      try {
        descriptor = openSync(lockFile, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = lockAgeMs(lockFile);
        if (age !== undefined && age > LOCK_STALE_MS) rmSync(lockFile, { force: true });
        else if (Date.now() > deadline) throw new ModelError('MODEL_REGISTRY_INVALID', 'the model registry is locked by another process (registry.lock)', this.registryFile);
        else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    }
    try {
      return action();
    } finally {
      closeSync(descriptor);
      rmSync(lockFile, { force: true });
    }
  }
}

function lockAgeMs(lockFile: string): number | undefined {
  try {
    return Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, contents: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const descriptor = openSync(temporary, 'w');
  try {
    const data = typeof contents === 'string' ? Buffer.from(contents) : contents;
    for (let written = 0; written < data.length; ) written += writeSync(descriptor, data, written, data.length - written);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  try {
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function isRegisteredModel(value: unknown): value is RegisteredModel {
  const model = value as RegisteredModel;
  return (
    typeof model === 'object' && model !== null && typeof model.id === 'string' && /^[0-9a-f]{16}$/.test(model.id) &&
    typeof model.name === 'string' && model.file === `${model.id}.onnx` && model.metadataFile === `${model.id}.json` &&
    typeof model.sha256 === 'string' && typeof model.channels === 'number'
  );
}
