/**
 * Imports a feature model into a ModelRegistry: a PyTorch checkpoint of a preset (converted to a stride-8 ONNX
 * ResNet trunk) or a ready `.onnx`. The model is checked by OnnxFeatureStream.load — the same stride-8 probe the
 * app runs — before the registry is touched, so a failed import leaves it unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sha256 } from '../embeddedModel.ts';
import { ModelError } from '../modelError.ts';
import { OnnxFeatureStream } from '../onnxFeatureStream.ts';
import { OnnxSessionPool } from '../onnxRuntime.ts';
import { type CheckpointPreset, findPreset, presetNames } from './checkpointPresets.ts';
import { type ModelRegistry, type RegisteredModel } from './modelRegistry.ts';
import { BATCH_NORM_EPSILON, buildResNetFeatureModel, FEATURES_OUTPUT, IMAGE_INPUT } from './resnetOnnx.ts';
import { ARCHITECTURES, findResNetTrunk } from './stateDict.ts';
import { parseTorchCheckpoint } from './torchCheckpoint.ts';

/** Bump when the converted graph changes for the same checkpoint. */
export const CHECKPOINT_CONVERTER_VERSION = 1;

export interface ImportModelOptions {
  /** A PyTorch checkpoint (.pth/.pth.tar/.pt) or an .onnx model. */
  file: string;
  /** Required for checkpoints; optional for .onnx (then it only records the role). */
  preset?: string;
  /** Default: `<preset>-<file name without extension>`. */
  name?: string;
  registry: ModelRegistry;
  /** Session pool for the stride-8 check; default: a one-thread CPU pool released afterwards. */
  pool?: OnnxSessionPool;
  log?: (line: string) => void;
}

export interface ImportModelResult {
  model: RegisteredModel;
  /** False when the same model bytes were already registered. */
  added: boolean;
  modelFile: string;
  metadata: Record<string, unknown>;
}

export async function importModel(options: ImportModelOptions): Promise<ImportModelResult> {
  const file = path.resolve(options.file);
  const preset = options.preset === undefined ? undefined : findPreset(options.preset);
  if (options.preset !== undefined && preset === undefined) {
    throw new ModelError('MODEL_INVALID', `unknown preset "${options.preset}"; presets: ${presetNames().join(', ')}`, file);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelError(missing ? 'MODEL_SOURCE_MISSING' : 'MODEL_UNREADABLE', `cannot read: ${(cause as Error).message}`, file, { cause });
  }
  const log = options.log ?? (() => {});
  const isOnnx = /\.onnx$/i.test(file);
  if (!isOnnx && preset === undefined) {
    throw new ModelError('MODEL_INVALID', `a checkpoint needs a preset (${presetNames().join(', ')}) saying which network it holds`, file);
  }
  const converted = isOnnx ? undefined : convertCheckpoint(bytes, file, preset!, log);
  const modelBytes = converted?.bytes ?? bytes;

  const pool = options.pool ?? new OnnxSessionPool({ threads: 1, allowCuda: false });
  const scratch = mkdtempSync(path.join(tmpdir(), 'correspond-import-'));
  let channels: number;
  try {
    const candidate = isOnnx ? file : path.join(scratch, 'model.onnx');
    if (!isOnnx) writeFileSync(candidate, modelBytes);
    log('checking the model gives a stride-8 feature map…');
    try {
      channels = (await OnnxFeatureStream.load(pool, candidate)).channels;
    } catch (error) {
      // Errors name the file the user gave, not the scratch copy.
      if (error instanceof ModelError && !isOnnx) throw new ModelError(error.code, error.message.replace(`${candidate}: `, ''), file, { cause: error });
      throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (options.pool === undefined) await pool.release();
  }

  const name = options.name ?? `${preset?.name ?? 'onnx'}-${path.basename(file).replace(/(\.pth)?\.tar$|\.[^.]+$/i, '')}`;
  const metadata = converted?.metadata ?? onnxMetadata(file, bytes, preset, channels);
  const { model, added } = options.registry.add({
    bytes: modelBytes,
    name,
    preset: preset?.name ?? null,
    role: preset?.role ?? 'unknown',
    channels,
    source: file,
    metadata: { ...metadata, channels },
  });
  return { model, added, modelFile: options.registry.modelPath(model), metadata };
}

/** Checkpoint → ONNX bytes and the metadata JSON (also embedded in the model as metadata_props.correspond). */
function convertCheckpoint(bytes: Uint8Array, file: string, preset: CheckpointPreset, log: (line: string) => void): { bytes: Uint8Array; metadata: Record<string, unknown> } {
  log(`reading ${file}…`);
  const checkpoint = parseTorchCheckpoint(bytes, file);
  const trunk = findResNetTrunk(checkpoint.value, file, preset.keyPrefix);
  if (trunk.architecture !== preset.architecture) {
    const fitting = presetNamesFor(trunk.architecture);
    throw new ModelError(
      'MODEL_UNKNOWN_ARCHITECTURE',
      `the checkpoint holds a ${ARCHITECTURES[trunk.architecture].label} trunk, but preset ${preset.name} expects a ${ARCHITECTURES[preset.architecture].label}` +
        (fitting.length > 0 ? ` (presets for this network: ${fitting.join(', ')})` : ''),
      file,
    );
  }
  log(`${ARCHITECTURES[trunk.architecture].label} trunk in ${trunk.container}, prefix "${trunk.prefix}", ${trunk.weights.size} tensors (${trunk.ignoredKeys} others ignored)`);
  const { mean, std, label } = preset.normalization;
  const metadata: Record<string, unknown> = {
    preset: preset.name,
    description: preset.description,
    architecture: preset.architecture,
    padding: preset.padding,
    role: preset.role,
    input: {
      name: IMAGE_INPUT,
      layout: 'NCHW',
      shape: [1, 3, 'height', 'width'],
      dtype: 'float32',
      valueRange: [0, 1],
      normalization: `inside the graph: (x − mean) / std with ${label}`,
      mean,
      std,
    },
    // OnnxFeatureStream's defaults: feed RGB/255; the graph normalises.
    streamOptions: { mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: [{ name: FEATURES_OUTPUT, stride: 8, size: 'ceil(H/8)×ceil(W/8), the size PyTorch gives for the same input (no padding added)' }],
    outputName: FEATURES_OUTPUT,
    stride: 8,
    source: path.basename(file),
    sourceSha256: sha256(bytes),
    sourceFormat: checkpoint.format,
    stateDict: { container: trunk.container, prefix: trunk.prefix, layout: trunk.layout, ignoredKeys: trunk.ignoredKeys },
    batchNormEpsilon: BATCH_NORM_EPSILON,
    converterVersion: CHECKPOINT_CONVERTER_VERSION,
    notes: 'torchvision ResNet trunk up to layer3 with layer3 stride 1 (layer4 and the classifier removed); BatchNorm folded into the convolutions.',
  };
  log('building the ONNX graph…');
  const { bytes: onnxBytes } = buildResNetFeatureModel(trunk, {
    padding: preset.padding,
    mean,
    std,
    file,
    metadata: { correspond: JSON.stringify(metadata) },
    graphName: `${preset.name}_stride8`,
  });
  return { bytes: onnxBytes, metadata };
}

function onnxMetadata(file: string, bytes: Uint8Array, preset: CheckpointPreset | undefined, channels: number): Record<string, unknown> {
  return {
    preset: preset?.name ?? null,
    role: preset?.role ?? 'unknown',
    input: { valueRange: [0, 1], normalization: 'unknown: imported as an .onnx; OnnxFeatureStream feeds RGB/255 by default' },
    streamOptions: { mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: [{ stride: 8, channels, size: 'ceil(H/8)×ceil(W/8) (checked on probe frames)' }],
    stride: 8,
    source: path.basename(file),
    sourceSha256: sha256(bytes),
    sourceFormat: 'onnx',
    converterVersion: CHECKPOINT_CONVERTER_VERSION,
  };
}

function presetNamesFor(architecture: string): string[] {
  return presetNames().filter((name) => findPreset(name)!.architecture === architecture);
}
