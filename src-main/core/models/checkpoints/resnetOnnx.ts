/**
 * ONNX graph of a torchvision ResNet trunk modified for dense correspondence (as CRW/SFC/VFS evaluate it):
 * conv1 → bn1 → relu → maxpool → layer1 → layer2 → layer3 with stride 1, layer4 and the classifier removed.
 *
 * Sizes: conv1 (7×7, s2, p3), maxpool (3×3, s2, p1) and layer2's first block (3×3 s2 p1, 1×1 s2 downsample)
 * each map n to ⌊(n−1)/2⌋+1 = ⌈n/2⌉, so PyTorch's own output is ⌈⌈⌈H/2⌉/2⌉/2⌉ = ⌈H/8⌉ rows for every H (and
 * likewise columns) — exactly the 1×C×⌈H/8⌉×⌈W/8⌉ OnnxFeatureStream requires. The graph therefore does no extra
 * padding: its output equals PyTorch's for every input size, not only multiples of 8 (the parity tests check both).
 *
 * Input: `image` [1,3,H,W] RGB in [0,1] (what OnnxFeatureStream feeds with its default mean 0 / std 1); the
 * preset's mean/std normalisation, (x − mean)/std as torchvision's Normalize, is the graph's first two nodes, so
 * the .onnx works as any stream without extra settings. BatchNorm (eval form, eps 1e-5) is folded into the
 * convolutions in float64. With `padding: 'reflect'` (CRW) every convolution with padding > 0 reflects instead of
 * zero-padding (an explicit Pad node, as PyTorch's padding_mode='reflect' does); inputs must then be ≥ 9 pixels on
 * each side (PyTorch's limit too). Output: `features` [1,C,⌈H/8⌉,⌈W/8⌉], raw ReLU activations (streams
 * L2-normalise them).
 */
import { ModelError } from '../modelError.ts';
import { OnnxGraphBuilder } from '../../onnx/onnxGraphBuilder.ts';
import { ARCHITECTURES, type ResNetTrunk } from './stateDict.ts';
import { tensorToFloat32 } from './torchTensor.ts';

export const IMAGE_INPUT = 'image';
export const FEATURES_OUTPUT = 'features';
/** torch.nn.BatchNorm2d's default epsilon, used by every preset's network. */
export const BATCH_NORM_EPSILON = 1e-5;

export interface ResNetGraphOptions {
  padding: 'zeros' | 'reflect';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Named in errors (the checkpoint). */
  file: string;
  /** ModelProto metadata_props. */
  metadata?: Record<string, string>;
  graphName?: string;
}

/** Encodes the trunk as an ONNX model; returns the bytes and the output's channel count. */
export function buildResNetFeatureModel(trunk: ResNetTrunk, options: ResNetGraphOptions): { bytes: Uint8Array; channels: number } {
  const builder = new OnnxGraphBuilder();
  const emitter = new TrunkEmitter(builder, trunk, options);
  const image = builder.addInput(IMAGE_INPUT, [1, 3, 'height', 'width']);
  const mean = builder.addFloatInitializer('normalize_mean', [1, 3, 1, 1], Float32Array.from(options.mean));
  const std = builder.addFloatInitializer('normalize_std', [1, 3, 1, 1], Float32Array.from(options.std));
  const normalized = builder.add('Div', [builder.add('Sub', [image, mean]), std]);

  const stem = emitter.convolution({ name: normalized, channels: 3 }, 'conv1', 'bn1', 2, true);
  const pooled = builder.add('MaxPool', [stem.name], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let current: Tensor = { name: pooled, channels: stem.channels };
  const { block, blocks } = ARCHITECTURES[trunk.architecture];
  // layer1 stride 1, layer2 stride 2, layer3 stride 1 (torchvision has 2: the correspondence modification).
  const layerStrides = [1, 2, 1];
  for (let layer = 0; layer < 3; layer++) {
    for (let index = 0; index < blocks[layer]!; index++) {
      const last = layer === 2 && index === blocks[layer]! - 1;
      const stride = index === 0 ? layerStrides[layer]! : 1;
      current = emitter.residualBlock(current, `layer${layer + 1}.${index}`, block, stride, last ? FEATURES_OUTPUT : undefined);
    }
  }
  builder.addOutput(FEATURES_OUTPUT, [1, current.channels, 'height8', 'width8']);
  return { bytes: builder.encode(options.graphName ?? `${trunk.architecture}_stride8`, options.metadata ?? {}), channels: current.channels };
}

interface Tensor {
  name: string;
  channels: number;
}

class TrunkEmitter {
  constructor(
    private readonly builder: OnnxGraphBuilder,
    private readonly trunk: ResNetTrunk,
    private readonly options: ResNetGraphOptions,
  ) {}

  /** torchvision BasicBlock / Bottleneck (v1.5: the stride sits on the 3×3 convolution). */
  residualBlock(input: Tensor, prefix: string, block: 'basic' | 'bottleneck', stride: number, outputName?: string): Tensor {
    let body: Tensor;
    if (block === 'basic') {
      const first = this.convolution(input, `${prefix}.conv1`, `${prefix}.bn1`, stride, true);
      body = this.convolution(first, `${prefix}.conv2`, `${prefix}.bn2`, 1, false);
    } else {
      const reduce = this.convolution(input, `${prefix}.conv1`, `${prefix}.bn1`, 1, true);
      const spatial = this.convolution(reduce, `${prefix}.conv2`, `${prefix}.bn2`, stride, true);
      body = this.convolution(spatial, `${prefix}.conv3`, `${prefix}.bn3`, 1, false);
    }
    let identity = input;
    if (this.trunk.weights.has(`${prefix}.downsample.0.weight`)) {
      identity = this.convolution(input, `${prefix}.downsample.0`, `${prefix}.downsample.1`, stride, false);
    } else if (stride !== 1 || input.channels !== body.channels) {
      throw new ModelError('MODEL_MISSING_WEIGHT', `block ${prefix} changes shape but the checkpoint has no ${prefix}.downsample.0.weight`, this.options.file);
    }
    const sum = this.builder.add('Add', [body.name, identity.name]);
    return { name: this.builder.add('Relu', [sum], undefined, outputName), channels: body.channels };
  }

  /** Conv (padding ⌊k/2⌋, zero or reflect) with `norm` folded in, optionally followed by ReLU. */
  convolution(input: Tensor, name: string, norm: string, stride: number, relu: boolean): Tensor {
    const { file } = this.options;
    const weightTensor = this.tensor(`${name}.weight`);
    const [outputs, inputs, kernelHeight, kernelWidth] = weightTensor.shape as [number, number, number, number];
    if (weightTensor.shape.length !== 4 || inputs !== input.channels || kernelHeight !== kernelWidth || kernelHeight % 2 !== 1) {
      throw new ModelError('MODEL_SOURCE_INVALID', `${name}.weight has shape [${weightTensor.shape.join(', ')}], expected [C, ${input.channels}, k, k] with odd k`, file);
    }
    const weights = Float64Array.from(tensorToFloat32(weightTensor, `${name}.weight`, file));
    const bias = new Float64Array(outputs);
    if (this.trunk.weights.has(`${name}.bias`)) bias.set(this.vector(`${name}.bias`, outputs));
    // Folding: BN(conv(x)) = conv(x)·s + t with s = γ/√(σ²+ε), t = β − μ·s, so W' = W·s and b' = b·s + t.
    const gamma = this.vector(`${norm}.weight`, outputs);
    const beta = this.vector(`${norm}.bias`, outputs);
    const mean = this.vector(`${norm}.running_mean`, outputs);
    const variance = this.vector(`${norm}.running_var`, outputs);
    const perOutput = inputs * kernelHeight * kernelWidth;
    for (let output = 0; output < outputs; output++) {
      const scale = gamma[output]! / Math.sqrt(variance[output]! + BATCH_NORM_EPSILON);
      for (let index = output * perOutput; index < (output + 1) * perOutput; index++) weights[index]! *= scale;
      bias[output] = bias[output]! * scale + beta[output]! - mean[output]! * scale;
    }
    const weightName = this.builder.addFloatInitializer(`${name}.weight_folded`, [outputs, inputs, kernelHeight, kernelWidth], Float32Array.from(weights));
    const biasName = this.builder.addFloatInitializer(`${name}.bias_folded`, [outputs], Float32Array.from(bias));
    const pad = (kernelHeight - 1) / 2;
    let source = input.name;
    let pads = [pad, pad, pad, pad];
    if (this.options.padding === 'reflect' && pad > 0) {
      const amounts = this.builder.addInt64Initializer(`${name}.reflect_pads`, [8], [0, 0, pad, pad, 0, 0, pad, pad]);
      source = this.builder.add('Pad', [input.name, amounts], { mode: 'reflect' });
      pads = [0, 0, 0, 0];
    }
    const attributes = { kernel_shape: [kernelHeight, kernelWidth], strides: [stride, stride], pads, dilations: [1, 1], group: 1 };
    const convolved = this.builder.add('Conv', [source, weightName, biasName], attributes);
    return { name: relu ? this.builder.add('Relu', [convolved]) : convolved, channels: outputs };
  }

  private tensor(key: string) {
    const tensor = this.trunk.weights.get(key);
    if (tensor === undefined) throw new ModelError('MODEL_MISSING_WEIGHT', `the checkpoint has no ${key} (after stripping "${this.trunk.prefix}")`, this.options.file);
    return tensor;
  }

  private vector(key: string, length: number): Float32Array {
    const values = tensorToFloat32(this.tensor(key), key, this.options.file);
    if (values.length !== length) throw new ModelError('MODEL_SOURCE_INVALID', `${key} has ${values.length} values, expected ${length}`, this.options.file);
    return values;
  }
}
