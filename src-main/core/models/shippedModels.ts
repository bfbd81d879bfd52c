/**
 * The fine-grained (FC) model shipped with the app: a ResNet-18 trunk trained by dense BYOL (SPEC §7) with our own
 * worker on the frames of the DAVIS-2016 dev sequences (no labels); see BENCHMARKS.md for its cost and J&F.
 * `fc-default.onnx` is what propagation runs (stream name `fc`); `fc-default.pt` holds the same weights for
 * PyTorch (float16), so per-project fine-tuning starts from it instead of from random weights.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SHIPPED_FC_STREAM = 'fc';

/** SFC's weight of the fine-grained term in `semantic+fc@λ` (SPEC §2.3), the app's default fusion weight. */
export const SFC_FUSION_LAMBDA = 1.75;

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
