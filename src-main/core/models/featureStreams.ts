/**
 * Feature streams by name, for the CLI and the app: `default` (the measured default, DEFAULT_STREAM_SPEC),
 * `hypercolumn` (the embedded MobileNetV2 hypercolumn), `fc` (the shipped fine-grained network, trained here by dense
 * BYOL), `pixels` (the weight-free extractor of SPEC §6), a registered model's name, or a path to a stride-8 ONNX model, fused as SFC does (SPEC §2.3):
 * `default+fc.onnx@1.75` = normalize(cat(normalize(default), 1.75·normalize(fc))).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type FeatureMap, type FeatureStream, fuseStreams, normalizeChannels, type RgbFrame } from '../engine/featureMap.ts';
import { createPixelsStream } from '../engine/pixelsStream.ts';
import { EMBEDDED_MODEL_ID, embeddedModelFiles, ensureGeneratedModels, generatedModelsDirectory, readGeneratedModelMetadata } from './embeddedModel.ts';
import { defaultModelRegistryDirectory, ModelRegistry } from './checkpoints/modelRegistry.ts';
import { ModelError } from './modelError.ts';
import { readShippedFcDescription, SHIPPED_FC_STREAM, shippedFcFiles } from './shippedModels.ts';
import { OnnxFeatureStream } from './onnxFeatureStream.ts';
import type { OnnxSessionPool } from './onnxRuntime.ts';

export interface StreamTerm {
  /** `default`, `pixels` or a model file path. */
  name: string;
  lambda: number;
}

/** Parses `a+b@λ+…` (λ defaults to 1). Throws a ModelError naming the bad part. */
export function parseStreamSpec(spec: string): StreamTerm[] {
  const terms = spec.split('+').map((part) => part.trim());
  if (terms.length === 0 || terms.some((term) => term === '')) {
    throw new ModelError('MODEL_INVALID', `stream "${spec}" has an empty part; write e.g. "default" or "default+fc.onnx@1.75"`);
  }
  return terms.map((term) => {
    const at = term.lastIndexOf('@');
    if (at < 0) return { name: term, lambda: 1 };
    const lambda = Number(term.slice(at + 1));
    if (!(Number.isFinite(lambda) && lambda > 0)) {
      throw new ModelError('MODEL_INVALID', `stream "${spec}": weight "${term.slice(at + 1)}" of ${term.slice(0, at)} must be a positive number`);
    }
    return { name: term.slice(0, at), lambda };
  });
}

export interface OpenedStream extends FeatureStream {
  /** What the stream is, for reports: `hypercolumn (mobilenetv2-hypercolumn, 128 ch)` etc. */
  description: string;
  /** sha256 of every model it runs (feature-cache keys). */
  modelHashes: string[];
}

export interface OpenStreamOptions {
  pool: OnnxSessionPool;
  /** App root (holds resources/models/generated). */
  appRoot: string;
  /** Registry of imported models, whose names and ids work as stream names (default: the user's registry). */
  registryDirectory?: string;
  /**
   * Accept a path to an .onnx file as a term (the command line, where the user typed it). The app leaves it off:
   * a stream from the renderer names built-in and registered models only, so a page cannot make the engine open
   * arbitrary files (issue 20, item 11); a model file the user picks is imported into the registry first.
   */
  allowModelFiles?: boolean;
}

interface OpenedTerm {
  stream: FeatureStream;
  lambda: number;
  description: string;
  hash?: string;
  /** Already L2-normalised (pixels): not normalised again when used alone, so it stays bit-exact. */
  normalized: boolean;
}

/**
 * What `default` means: the embedded hypercolumn fused with the pixels extractor at λ = 0.5, chosen by measurement
 * on the DAVIS dev sequences (BENCHMARKS.md: 71.1 J&F vs 68.7 for the hypercolumn alone, better on 8 of 10).
 */
export const DEFAULT_STREAM_SPEC = 'hypercolumn+pixels@0.5';

async function openTerm(term: StreamTerm, options: OpenStreamOptions): Promise<OpenedTerm> {
  if (term.name === 'pixels') {
    return { stream: createPixelsStream(), lambda: term.lambda, description: 'pixels (48 ch)', normalized: true };
  }
  if (term.name === 'default') {
    // One stream made of two: used alone or as one term of a larger fusion, it is already L2-normalised.
    const inner = await openFeatureStream(DEFAULT_STREAM_SPEC, options);
    return {
      stream: { id: inner.id, channels: inner.channels, stride: 8, extract: (frame) => inner.extract(frame) },
      lambda: term.lambda,
      description: `default (${inner.description})`,
      hash: inner.modelHashes.join(','),
      normalized: true,
    };
  }
  let modelFile: string;
  let id: string;
  let label: string;
  if (term.name === 'hypercolumn') {
    const directory = generatedModelsDirectory(options.appRoot);
    const files = embeddedModelFiles(directory);
    if (!existsSync(files.modelFile) || !existsSync(files.metadataFile)) ensureGeneratedModels(directory);
    const metadata = readGeneratedModelMetadata(files.metadataFile);
    modelFile = files.modelFile;
    id = EMBEDDED_MODEL_ID;
    label = `hypercolumn (${metadata.id}`;
  } else if (term.name === SHIPPED_FC_STREAM) {
    modelFile = shippedFcFiles(options.appRoot).modelFile;
    if (!existsSync(modelFile)) throw new ModelError('MODEL_UNREADABLE', 'the shipped fine-grained model is missing from this installation', modelFile);
    id = 'fc-default';
    label = `fc (shipped fine-grained ${readShippedFcDescription(options.appRoot).network}`;
  } else if (options.allowModelFiles && existsSync(path.resolve(term.name))) {
    modelFile = path.resolve(term.name);
    id = path.basename(modelFile).replace(/\.onnx$/i, '');
    label = `${id} (${modelFile}`;
  } else {
    const registry = new ModelRegistry(options.registryDirectory ?? defaultModelRegistryDirectory());
    const registered = registry.find(term.name);
    if (!registered && !options.allowModelFiles) {
      throw new ModelError(
        'MODEL_NOT_REGISTERED',
        `stream term "${term.name}" is not a model Correspond knows: use "default", "hypercolumn", "fc", "pixels" or the name of a ` +
          'model imported on the Models screen (import a model file there first)',
      );
    }
    if (!registered) {
      throw new ModelError(
        'MODEL_UNREADABLE',
        `no such model file or registered model (a stream is "default", "hypercolumn", "fc", "pixels", a registered model's name or id, or a path to an .onnx model)`,
        path.resolve(term.name),
      );
    }
    modelFile = registry.modelPath(registered);
    id = registered.name;
    label = `${registered.name} (${registered.role}${registered.preset ? `, ${registered.preset}` : ''}`;
  }
  const stream = await OnnxFeatureStream.load(options.pool, modelFile, { id });
  return {
    stream,
    lambda: term.lambda,
    description: `${label}, ${stream.channels} ch)`,
    hash: stream.modelSha256,
    normalized: false,
  };
}

/** Opens the stream a spec names; features come out L2-normalised over channels, as the protocol uses them. */
export async function openFeatureStream(spec: string, options: OpenStreamOptions): Promise<OpenedStream> {
  const terms = await Promise.all(parseStreamSpec(spec).map((term) => openTerm(term, options)));
  const channels = terms.reduce((total, term) => total + term.stream.channels, 0);
  const description = terms.map((term) => (term.lambda === 1 ? term.description : `${term.lambda}·${term.description}`)).join(' + ');
  const extract = async (frame: RgbFrame): Promise<FeatureMap> => {
    const maps = await Promise.all(terms.map((term) => term.stream.extract(frame)));
    if (terms.length === 1) return terms[0].normalized ? maps[0] : normalizeChannels(maps[0]);
    return fuseStreams(maps, terms.map((term) => term.lambda));
  };
  return {
    id: terms.map((term) => (term.lambda === 1 ? term.stream.id : `${term.stream.id}@${term.lambda}`)).join('+'),
    channels,
    stride: 8,
    extract,
    description,
    modelHashes: terms.flatMap((term) => (term.hash ? [term.hash] : [])),
  };
}
