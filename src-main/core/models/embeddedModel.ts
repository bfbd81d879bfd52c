import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type KerasArtifacts, readNsfwMobileNetV2 } from './kerasArtifacts.ts';
import { ModelError } from './modelError.ts';
import { buildMobileNetBackbone, buildMobileNetHypercolumn, type GeneratedModelDescription } from './mobileNetModels.ts';

/**
 * Bump when the converter or the graph of a generated model changes: installed copies with an older version are
 * regenerated on the next `node scripts/generateModels.mjs`.
 */
export const GENERATOR_VERSION = 2;
/** The default semantic stream (issue 4: 67.7 J&F on the 10 DAVIS-2016 dev sequences with the reference settings). */
export const EMBEDDED_MODEL_ID = 'mobilenetv2-hypercolumn';
/** The two raw MobileNetV2 maps, for experiments with other layer combinations. */
export const BACKBONE_MODEL_ID = 'mobilenetv2-backbone';

/** The JSON written next to every generated `.onnx` (`<id>.json`). */
export interface GeneratedModelMetadata extends GeneratedModelDescription {
  id: string;
  /** File name of the model, relative to the metadata file. */
  file: string;
  /** Name, stride and channels of the first output (the feature map a stream uses). */
  outputName: string;
  stride: number;
  channels: number;
  /** sha256 of the `.onnx` bytes; also the session cache key. */
  sha256: string;
  bytes: number;
  generatorVersion: number;
}

export interface EnsureModelsResult {
  /** 'current' when every model was already up to date (nothing written). */
  status: 'current' | 'generated';
  models: Array<{ metadata: GeneratedModelMetadata; modelFile: string; metadataFile: string }>;
}

/** `<appRoot>/resources/models/generated`: git-ignored, filled at install or first run. */
export function generatedModelsDirectory(appRoot: string): string {
  return path.join(appRoot, 'resources', 'models', 'generated');
}

/** Path of the default embedded model and its metadata under `directory`. */
export function embeddedModelFiles(directory: string, id = EMBEDDED_MODEL_ID): { modelFile: string; metadataFile: string } {
  return { modelFile: path.join(directory, `${id}.onnx`), metadataFile: path.join(directory, `${id}.json`) };
}

/**
 * Writes the generated models into `directory` unless they are current: same generator version, same nsfwjs
 * source hash and a model file whose sha256 matches its metadata. Files are written to a temporary name and
 * renamed, metadata last, so an interrupted run is detected as stale next time.
 */
export function ensureGeneratedModels(directory: string, options: { force?: boolean; artifacts?: KerasArtifacts } = {}): EnsureModelsResult {
  const artifacts = options.artifacts ?? readNsfwMobileNetV2();
  const builders = [
    { id: EMBEDDED_MODEL_ID, build: buildMobileNetHypercolumn },
    { id: BACKBONE_MODEL_ID, build: buildMobileNetBackbone },
  ];
  let status: EnsureModelsResult['status'] = 'current';
  const models: EnsureModelsResult['models'] = [];
  for (const { id, build } of builders) {
    const { modelFile, metadataFile } = embeddedModelFiles(directory, id);
    const existing = options.force ? undefined : currentMetadata(modelFile, metadataFile, artifacts.sourceSha256);
    if (existing !== undefined) {
      models.push({ metadata: existing, modelFile, metadataFile });
      continue;
    }
    const { bytes, description } = build(artifacts);
    const output = description.outputs[0]!;
    const metadata: GeneratedModelMetadata = {
      id,
      file: path.basename(modelFile),
      ...description,
      outputName: output.name,
      stride: output.stride,
      channels: output.channels,
      sha256: sha256(bytes),
      bytes: bytes.length,
      generatorVersion: GENERATOR_VERSION,
    };
    mkdirSync(directory, { recursive: true });
    writeAtomically(modelFile, bytes);
    writeAtomically(metadataFile, `${JSON.stringify(metadata, null, 2)}\n`);
    models.push({ metadata, modelFile, metadataFile });
    status = 'generated';
  }
  return { status, models };
}

/** Reads and checks a generated model's metadata JSON; errors name the file. */
export function readGeneratedModelMetadata(metadataFile: string): GeneratedModelMetadata {
  let metadata: GeneratedModelMetadata;
  try {
    metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as GeneratedModelMetadata;
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const problem = missing ? 'model metadata not found (run `node scripts/generateModels.mjs`)' : `unreadable model metadata: ${(cause as Error).message}`;
    throw new ModelError(missing ? 'MODEL_SOURCE_MISSING' : 'MODEL_INVALID', problem, metadataFile, { cause });
  }
  const valid =
    typeof metadata?.id === 'string' && typeof metadata.file === 'string' && typeof metadata.sha256 === 'string' &&
    typeof metadata.stride === 'number' && typeof metadata.channels === 'number' && typeof metadata.input?.name === 'string' &&
    Array.isArray(metadata.outputs) && metadata.outputs.length > 0;
  if (!valid) throw new ModelError('MODEL_INVALID', 'model metadata lacks id/file/sha256/stride/channels/input/outputs', metadataFile);
  return metadata;
}

function currentMetadata(modelFile: string, metadataFile: string, sourceSha256: string): GeneratedModelMetadata | undefined {
  if (!existsSync(modelFile) || !existsSync(metadataFile)) return undefined;
  try {
    const metadata = readGeneratedModelMetadata(metadataFile);
    const current = metadata.generatorVersion === GENERATOR_VERSION && metadata.sourceSha256 === sourceSha256;
    return current && sha256(readFileSync(modelFile)) === metadata.sha256 ? metadata : undefined;
  } catch {
    return undefined; // unreadable metadata: regenerate
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeAtomically(file: string, contents: Uint8Array | string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}
