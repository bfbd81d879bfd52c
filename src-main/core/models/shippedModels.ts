/**
 * The fine-grained (FC) model shipped with the app, trained by dense BYOL (SPEC §7) with our own worker on the
 * frames of the DAVIS-2016 dev sequences (no labels); its network is named in its description
 * (`fc-default.onnx.json`), its cost and J&F are in BENCHMARKS.md. `fc-default.onnx` is what propagation runs
 * (stream name `fc`); `fc-default.pt` holds the same weights for PyTorch (float16), so per-project fine-tuning
 * starts from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SHIPPED_FC_STREAM = 'fc';

/** SFC's weight of the fine-grained term in `semantic+fc@λ` (SPEC §2.3), the app's default fusion weight. */
export const SFC_FUSION_LAMBDA = 1.75;

/**
 * What propagation uses unless told otherwise (the app's initial fusion, the CLI's `--stream` default): the
 * semantic default fused with the shipped FC at SFC's λ, the SFC method itself. On the 10 DAVIS-2016 dev sequences
 * it scores 74.2 J&F against 71.1 for the semantic default alone (BENCHMARKS.md).
 */
export const DEFAULT_PROPAGATION_STREAM = `default+${SHIPPED_FC_STREAM}@${SFC_FUSION_LAMBDA}`;

/**
 * Adam's learning rate when training continues from the shipped FC on a user's frames. SPEC §7's 1e-3 is for
 * training from scratch; from a fresh optimiser state it moves every weight of the converged FC by about 1e-3 per
 * step, and on car-shadow 200 steps at 1e-3 dropped the fused J&F from 91.5 to 84.9 while 1e-4 kept it at 91.3
 * (BENCHMARKS.md, "Fine-tuning the FC on one clip").
 */
export const FC_FINE_TUNE_LEARNING_RATE = 1e-4;

export interface ShippedFcFiles {
  modelFile: string;
  /** The exporter's description (steps, batch, image size…), next to the model. */
  metadataFile: string;
  /** Online encoder weights for the training worker's `initFrom`. */
  weightsFile: string;
}

export function shippedFcFiles(appRoot: string): ShippedFcFiles {
  const directory = path.join(appRoot, 'resources', 'models');
  return {
    modelFile: path.join(directory, 'fc-default.onnx'),
    metadataFile: path.join(directory, 'fc-default.onnx.json'),
    weightsFile: path.join(directory, 'fc-default.pt'),
  };
}

/** The shipped weights to start per-project training from, when this build has them. */
export function shippedFcInitialWeights(appRoot: string): string | undefined {
  const { weightsFile } = shippedFcFiles(appRoot);
  return existsSync(weightsFile) ? weightsFile : undefined;
}

/** What the exporter wrote next to the shipped FC: its network and output channels. */
export interface ShippedFcDescription {
  /** e.g. "MobileNetV2" or "ResNet-18". */
  network: string;
  /** The worker's id of that network: `mobilenetv2` or `resnet18`. */
  architecture: string;
  channels: number;
  /** Optimisation steps it was trained for. */
  steps?: number;
}

const NETWORK_NAMES: Record<string, string> = { resnet18: 'ResNet-18', mobilenetv2: 'MobileNetV2' };

/** Reads `fc-default.onnx.json`; a description from before the exporter named the network is a ResNet-18's. */
export function readShippedFcDescription(appRoot: string): ShippedFcDescription {
  const { metadataFile } = shippedFcFiles(appRoot);
  const fallback: ShippedFcDescription = { network: 'ResNet-18', architecture: 'resnet18', channels: 256 };
  try {
    const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as { architectureId?: string; output?: { channels?: number }; training?: { steps?: number } };
    const id = metadata.architectureId ?? 'resnet18';
    return {
      network: NETWORK_NAMES[id] ?? id,
      architecture: id,
      channels: metadata.output?.channels ?? fallback.channels,
      ...(metadata.training?.steps ? { steps: metadata.training.steps } : {}),
    };
  } catch {
    return fallback;
  }
}

/** Display name of an FC network id as the worker reports it (`resnet18`, `mobilenetv2`). */
export function fcNetworkName(architecture: string): string {
  return NETWORK_NAMES[architecture] ?? architecture;
}
