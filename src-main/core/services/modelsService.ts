import { existsSync, statSync } from 'node:fs';
import { ApiError } from '../api/apiError.ts';
import type { CallOptions, ModelInfo, ModelPreset, ModelsService } from '../api/contract.ts';
import { CHECKPOINT_PRESETS } from '../models/checkpoints/checkpointPresets.ts';
import { importModel } from '../models/checkpoints/importModel.ts';
import { ModelRegistry, type RegisteredModel } from '../models/checkpoints/modelRegistry.ts';
import { embeddedModelFiles, generatedModelsDirectory, readGeneratedModelMetadata } from '../models/embeddedModel.ts';
import type { OnnxSessionPool } from '../models/onnxRuntime.ts';
import { readShippedFcDescription, SHIPPED_FC_STREAM, shippedFcFiles } from '../models/shippedModels.ts';

/** The models a stream can use: the embedded default, the weight-free pixels extractor, and imported ones. */
export class RegistryModelsService implements ModelsService {
  constructor(
    private readonly options: { registryDirectory: string; appRoot: string; pool: OnnxSessionPool },
  ) {}

  private get registry(): ModelRegistry {
    return new ModelRegistry(this.options.registryDirectory);
  }

  async list(): Promise<ModelInfo[]> {
    const device = this.options.pool.describeComputeDevice().label;
    const models: ModelInfo[] = [];
    const embedded = embeddedModelFiles(generatedModelsDirectory(this.options.appRoot));
    try {
      const metadata = readGeneratedModelMetadata(embedded.metadataFile);
      const bytes = statSync(embedded.modelFile).size;
      models.push({
        streamName: 'default', name: 'Default (hypercolumn + pixels @ 0.5)', origin: 'embedded', role: 'semantic',
        channels: metadata.channels + 48, stride: metadata.stride, bytes, preset: null, device,
        description: 'The embedded MobileNetV2 hypercolumn fused with the pixels extractor at λ 0.5: the best measured offline default.',
      });
      models.push({
        streamName: 'hypercolumn', name: 'MobileNetV2 hypercolumn (embedded)', origin: 'embedded', role: 'semantic',
        channels: metadata.channels, stride: metadata.stride, bytes, preset: null, device,
        description: 'ImageNet MobileNetV2 layers block_5 + block_10, L2-normalised and fused; generated at install, works offline.',
      });
    } catch {
      // Not generated yet (it is, at install); the list simply lacks it.
    }
    const shippedFc = shippedFcFiles(this.options.appRoot);
    if (existsSync(shippedFc.modelFile)) {
      const { network, channels } = readShippedFcDescription(this.options.appRoot);
      models.push({
        streamName: SHIPPED_FC_STREAM, name: `Fine-grained ${network} (shipped)`, origin: 'embedded', role: 'fine-grained',
        channels, stride: 8, bytes: statSync(shippedFc.modelFile).size, preset: null, device,
        description: `Dense-BYOL ${network} trunk trained with Correspond's own worker on unlabelled DAVIS frames; fuse it as default+fc@λ. Per-project training starts from it.`,
      });
    }
    models.push({
      streamName: 'pixels', name: 'Pixels (weight-free)', origin: 'built-in', role: 'pixels', channels: 48, stride: 8, bytes: 0, preset: null,
      device: 'CPU', description: 'Normalised colours of each 8×8 cell: the reference fixtures\' extractor, no model.',
    });
    for (const model of this.registry.list()) models.push(this.toInfo(model, device));
    return models;
  }

  async presets(): Promise<ModelPreset[]> {
    return CHECKPOINT_PRESETS.map((preset) => ({ name: preset.name, description: preset.description, role: preset.role }));
  }

  async import(args: { path: string; preset?: string; name?: string }, options: CallOptions = {}): Promise<ModelInfo> {
    if (args.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(args.name)) {
      // Names are stream names: "+" and "@" would break a fusion spec such as default+fc@1.75.
      throw new ApiError('INVALID_ARGUMENT', `Model name "${args.name}" may use only letters, digits, ".", "_" and "-".`);
    }
    options.onProgress?.({ done: 0, total: 1, message: 'Reading and converting the checkpoint…' });
    const result = await importModel({ file: args.path, preset: args.preset, name: args.name, registry: this.registry, pool: this.options.pool });
    options.onProgress?.({ done: 1, total: 1, message: result.added ? 'Imported.' : 'Already registered.' });
    return this.toInfo(result.model, this.options.pool.describeComputeDevice().label);
  }

  async remove(args: { streamName: string }): Promise<void> {
    if (['default', 'hypercolumn', SHIPPED_FC_STREAM, 'pixels'].includes(args.streamName)) throw new ApiError('INVALID_ARGUMENT', `The ${args.streamName} stream is built in and cannot be removed.`);
    const registry = this.registry;
    const model = registry.find(args.streamName);
    if (!model) throw new ApiError('NOT_FOUND', `No registered model is called ${args.streamName}.`);
    registry.remove(model.id);
  }

  private toInfo(model: RegisteredModel, device: string): ModelInfo {
    return {
      streamName: model.name, name: model.name, origin: 'imported', role: model.role, channels: model.channels, stride: model.stride,
      bytes: model.bytes, preset: model.preset, device,
      description: model.preset ? `Imported from ${model.source} (${model.preset}).` : `Imported from ${model.source}.`,
    };
  }
}
