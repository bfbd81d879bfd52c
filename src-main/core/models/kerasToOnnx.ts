import type { KerasTensor } from './kerasArtifacts.ts';
import { type KerasLayer, pairOf, requiredLayers, zeroPaddingAmounts } from './kerasLayers.ts';
import { ModelError } from './modelError.ts';
import type { OnnxGraphBuilder } from '../onnx/onnxGraphBuilder.ts';

/** A tensor of the ONNX graph (NCHW float32) with its channel count. */
export interface EmittedTensor {
  name: string;
  channels: number;
}

export interface KerasToOnnxOptions {
  /** Graph tensor fed to the Keras InputLayer: NCHW float32 [1, channels, H, W], RGB in [0, 1] for nsfwjs. */
  input: EmittedTensor;
  /** Keras layer names whose outputs are wanted; only the layers they depend on are emitted. */
  outputs: string[];
  /** Named in errors (the Keras source file). */
  file: string;
}

/** A ZeroPadding2D folded away: its input tensor and the `[top, bottom, left, right]` amounts. */
interface FoldedPadding {
  tensor: EmittedTensor;
  amounts: [number, number, number, number];
}

/**
 * Emits the Keras layers needed for `outputs` into `builder`, NHWC Keras → NCHW ONNX. Conv2D/DepthwiseConv2D absorb
 * a following BatchNormalization (when it is their only consumer) and a preceding ZeroPadding2D (when they use
 * 'valid' padding), so MobileNetV2 becomes Conv + Clip + Add only. Returns the tensor of each requested output
 * (named after the layer).
 */
export function emitKerasLayers(
  builder: OnnxGraphBuilder,
  layers: KerasLayer[],
  weights: Map<string, KerasTensor>,
  options: KerasToOnnxOptions,
): Map<string, EmittedTensor> {
  // Long on purpose: one switch over the supported layer types sharing the tensor/folding bookkeeping above it.
  const { file } = options;
  const needed = requiredLayers(layers, options.outputs, file);
  const consumers = new Map<string, KerasLayer[]>();
  for (const layer of needed) {
    for (const inbound of layer.inboundNames) consumers.set(inbound, [...(consumers.get(inbound) ?? []), layer]);
  }
  const onlyConsumer = (name: string): KerasLayer | undefined => {
    const list = consumers.get(name) ?? [];
    return list.length === 1 && !options.outputs.includes(name) ? list[0] : undefined;
  };
  const tensors = new Map<string, EmittedTensor>();
  const foldedPaddings = new Map<string, FoldedPadding>();
  const foldedNormalizations = new Set<string>();
  const inputOf = (layer: KerasLayer, index = 0): EmittedTensor => {
    const name = layer.inboundNames[index];
    const tensor = name === undefined ? undefined : tensors.get(name);
    if (tensor === undefined) throw new ModelError('MODEL_SOURCE_INVALID', `layer ${layer.name} reads ${name}, which is not computed before it`, file);
    return tensor;
  };
  const weight = (name: string): KerasTensor => {
    const tensor = weights.get(name);
    if (tensor === undefined) throw new ModelError('MODEL_MISSING_WEIGHT', `the weights have no tensor ${name}`, file);
    return tensor;
  };

  for (const layer of needed) {
    const config = layer.config;
    switch (layer.className) {
      case 'InputLayer':
        tensors.set(layer.name, options.input);
        break;
      case 'ZeroPadding2D': {
        const amounts = zeroPaddingAmounts(config.padding);
        const input = inputOf(layer);
        const list = consumers.get(layer.name) ?? [];
        const foldable = !options.outputs.includes(layer.name) && list.length > 0 && list.every(isValidConvolution);
        if (foldable) {
          foldedPaddings.set(layer.name, { tensor: input, amounts });
          break;
        }
        const [top, bottom, left, right] = amounts;
        const pads = builder.addInt64Initializer(`${layer.name}_pads`, [8], [0, 0, top, left, 0, 0, bottom, right]);
        builder.add('Pad', [input.name, pads], { mode: 'constant' }, layer.name);
        tensors.set(layer.name, { name: layer.name, channels: input.channels });
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const follower = onlyConsumer(layer.name);
        const normalization = follower?.className === 'BatchNormalization' && config.activation === 'linear' ? follower : undefined;
        const padding = foldedPaddings.get(layer.inboundNames[0] ?? '');
        const input = padding?.tensor ?? inputOf(layer);
        const output = emitConvolution(builder, layer, input, weight, { normalization, padding: padding?.amounts, file });
        if (normalization !== undefined) {
          foldedNormalizations.add(normalization.name);
          tensors.set(normalization.name, output);
        } else {
          tensors.set(layer.name, output);
        }
        break;
      }
      case 'BatchNormalization': {
        if (foldedNormalizations.has(layer.name)) break;
        const input = inputOf(layer);
        const { scale, shift } = normalizationAffine(layer, input.channels, weight, file);
        const scaleName = builder.addFloatInitializer(`${layer.name}_scale`, [input.channels, 1, 1], Float32Array.from(scale));
        const shiftName = builder.addFloatInitializer(`${layer.name}_shift`, [input.channels, 1, 1], Float32Array.from(shift));
        const scaled = builder.add('Mul', [input.name, scaleName]);
        builder.add('Add', [scaled, shiftName], undefined, layer.name);
        tensors.set(layer.name, { name: layer.name, channels: input.channels });
        break;
      }
      case 'ReLU': {
        const input = inputOf(layer);
        emitRelu(builder, layer, input.name, file);
        tensors.set(layer.name, { name: layer.name, channels: input.channels });
        break;
      }
      case 'Add': {
        const inputs = layer.inboundNames.map((_, index) => inputOf(layer, index));
        let sum = inputs[0]!.name;
        for (let index = 1; index < inputs.length; index++) {
          sum = builder.add('Add', [sum, inputs[index]!.name], undefined, index === inputs.length - 1 ? layer.name : undefined);
        }
        tensors.set(layer.name, { name: layer.name, channels: inputs[0]!.channels });
        break;
      }
      default:
        throw new ModelError('MODEL_UNSUPPORTED_LAYER', `layer ${layer.name} has unsupported type ${layer.className}`, file);
    }
  }
  return new Map(options.outputs.map((name) => [name, tensors.get(name)!]));
}

function isValidConvolution(layer: KerasLayer): boolean {
  return (layer.className === 'Conv2D' || layer.className === 'DepthwiseConv2D') && layer.config.padding === 'valid';
}

interface ConvolutionOptions {
  normalization: KerasLayer | undefined;
  padding: [number, number, number, number] | undefined;
  file: string;
}

/** Emits one Conv node (weights in ONNX OIHW, BatchNorm folded in) and returns its output tensor. */
function emitConvolution(
  builder: OnnxGraphBuilder,
  layer: KerasLayer,
  input: EmittedTensor,
  weight: (name: string) => KerasTensor,
  options: ConvolutionOptions,
): EmittedTensor {
  // Long on purpose: kernel layout change, BN folding and TF padding rules must agree on the same index space.
  const config = layer.config;
  const depthwise = layer.className === 'DepthwiseConv2D';
  const kernel = weight(depthwise ? `${layer.name}/depthwise_kernel` : `${layer.name}/kernel`);
  const [kernelHeight, kernelWidth, inputChannels, lastDimension] = kernel.shape as [number, number, number, number];
  if (kernel.shape.length !== 4 || inputChannels !== input.channels) {
    throw new ModelError('MODEL_SOURCE_INVALID', `kernel of ${layer.name} has shape [${kernel.shape}] for ${input.channels} input channels`, options.file);
  }
  if (config.data_format !== undefined && config.data_format !== 'channels_last') {
    throw new ModelError('MODEL_UNSUPPORTED_LAYER', `layer ${layer.name} uses data_format ${String(config.data_format)}`, options.file);
  }
  const outputChannels = depthwise ? inputChannels * lastDimension : lastDimension;
  const taps = kernelHeight * kernelWidth;
  const perOutput = depthwise ? taps : taps * inputChannels;
  const onnxWeights = new Float64Array(outputChannels * perOutput);
  // Keras HWIO (or HWCM for depthwise: output channel c·M + m) → ONNX OIHW (depthwise: [C·M, 1, kh, kw], group C).
  for (let y = 0; y < kernelHeight; y++) {
    for (let x = 0; x < kernelWidth; x++) {
      for (let inputChannel = 0; inputChannel < inputChannels; inputChannel++) {
        for (let last = 0; last < lastDimension; last++) {
          const value = kernel.values[((y * kernelWidth + x) * inputChannels + inputChannel) * lastDimension + last]!;
          const target = depthwise
            ? (inputChannel * lastDimension + last) * taps + y * kernelWidth + x
            : last * perOutput + (inputChannel * kernelHeight + y) * kernelWidth + x;
          onnxWeights[target] = value;
        }
      }
    }
  }
  const bias = new Float64Array(outputChannels);
  if (config.use_bias === true) bias.set(weight(`${layer.name}/bias`).values);
  let outputName = layer.name;
  if (options.normalization !== undefined) {
    // Folding: BN(conv(x)) = conv(x)·s + t with s = γ/√(σ²+ε), t = β − μ·s, so W' = W·s and b' = b·s + t.
    const { scale, shift } = normalizationAffine(options.normalization, outputChannels, weight, options.file);
    for (let output = 0; output < outputChannels; output++) {
      for (let index = 0; index < perOutput; index++) onnxWeights[output * perOutput + index]! *= scale[output]!;
      bias[output] = bias[output]! * scale[output]! + shift[output]!;
    }
    outputName = options.normalization.name;
  }
  const weightsName = builder.addFloatInitializer(`${layer.name}_weight`, [outputChannels, depthwise ? 1 : inputChannels, kernelHeight, kernelWidth], Float32Array.from(onnxWeights));
  const biasName = builder.addFloatInitializer(`${layer.name}_bias`, [outputChannels], Float32Array.from(bias));
  const strides = pairOf(config.strides, 1);
  const dilations = pairOf(config.dilation_rate, 1);
  const attributes: Record<string, number | number[] | string> = {
    kernel_shape: [kernelHeight, kernelWidth],
    strides,
    dilations,
    group: depthwise ? inputChannels : 1,
  };
  if (config.padding === 'same') {
    if (options.padding !== undefined) throw new Error(`padding folded into 'same' convolution ${layer.name}`);
    if (strides[0] === 1 && strides[1] === 1) {
      // TF 'same' at stride 1: total (k−1)·d, the odd extra pixel at the end.
      const totalRows = (kernelHeight - 1) * dilations[0];
      const totalColumns = (kernelWidth - 1) * dilations[1];
      const top = Math.floor(totalRows / 2);
      const left = Math.floor(totalColumns / 2);
      attributes.pads = [top, left, totalRows - top, totalColumns - left];
    } else {
      // TF 'same' at stride > 1 depends on the input size; ONNX SAME_UPPER is the same rule (extra pixel at the end).
      attributes.auto_pad = 'SAME_UPPER';
    }
  } else if (config.padding === 'valid') {
    const [top, bottom, left, right] = options.padding ?? [0, 0, 0, 0];
    attributes.pads = [top, left, bottom, right];
  } else {
    throw new ModelError('MODEL_UNSUPPORTED_LAYER', `layer ${layer.name} has padding ${String(config.padding)}`, options.file);
  }
  const activation = config.activation ?? 'linear';
  if (activation === 'linear') {
    builder.add('Conv', [input.name, weightsName, biasName], attributes, outputName);
  } else if (activation === 'relu') {
    const convolution = builder.add('Conv', [input.name, weightsName, biasName], attributes);
    builder.add('Relu', [convolution], undefined, outputName);
  } else {
    throw new ModelError('MODEL_UNSUPPORTED_LAYER', `layer ${layer.name} has activation ${String(activation)}`, options.file);
  }
  return { name: outputName, channels: outputChannels };
}

/** Per-channel `scale`, `shift` of an inference-mode BatchNormalization (float64 for exact folding). */
function normalizationAffine(
  layer: KerasLayer,
  channels: number,
  weight: (name: string) => KerasTensor,
  file: string,
): { scale: Float64Array; shift: Float64Array } {
  const axis = layer.config.axis;
  if (axis !== -1 && axis !== 3 && !(Array.isArray(axis) && (axis[0] === -1 || axis[0] === 3))) {
    throw new ModelError('MODEL_UNSUPPORTED_LAYER', `BatchNormalization ${layer.name} normalises axis ${JSON.stringify(axis)}`, file);
  }
  const epsilon = typeof layer.config.epsilon === 'number' ? layer.config.epsilon : 1e-3;
  const gamma = layer.config.scale === false ? undefined : weight(`${layer.name}/gamma`).values;
  const beta = layer.config.center === false ? undefined : weight(`${layer.name}/beta`).values;
  const mean = weight(`${layer.name}/moving_mean`).values;
  const variance = weight(`${layer.name}/moving_variance`).values;
  if (mean.length !== channels) throw new ModelError('MODEL_SOURCE_INVALID', `BatchNormalization ${layer.name} has ${mean.length} channels, expected ${channels}`, file);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let channel = 0; channel < channels; channel++) {
    scale[channel] = (gamma?.[channel] ?? 1) / Math.sqrt(variance[channel]! + epsilon);
    shift[channel] = (beta?.[channel] ?? 0) - mean[channel]! * scale[channel]!;
  }
  return { scale, shift };
}

/** Keras ReLU(max_value, negative_slope, threshold): plain ReLU or ReLU6 (Clip 0..max). */
function emitRelu(builder: OnnxGraphBuilder, layer: KerasLayer, input: string, file: string): void {
  const { max_value: maxValue, negative_slope: negativeSlope = 0, threshold = 0 } = layer.config;
  if (negativeSlope !== 0 || threshold !== 0) {
    throw new ModelError('MODEL_UNSUPPORTED_LAYER', `ReLU ${layer.name} has negative_slope/threshold`, file);
  }
  if (maxValue === null || maxValue === undefined) {
    builder.add('Relu', [input], undefined, layer.name);
    return;
  }
  const limitName = `clip_max_${String(maxValue).replace('.', '_')}`;
  if (!builder.has('clip_min_0')) builder.addFloatInitializer('clip_min_0', [], new Float32Array([0]));
  if (!builder.has(limitName)) builder.addFloatInitializer(limitName, [], new Float32Array([Number(maxValue)]));
  builder.add('Clip', [input, 'clip_min_0', limitName], undefined, layer.name);
}
