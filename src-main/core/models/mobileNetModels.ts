import { decodeWeights, type KerasArtifacts } from './kerasArtifacts.ts';
import { parseKerasLayers } from './kerasLayers.ts';
import { emitKerasLayers, type EmittedTensor } from './kerasToOnnx.ts';
import { OnnxGraphBuilder } from '../onnx/onnxGraphBuilder.ts';

/** Stride-8 MobileNetV2 layer: 32 channels. */
export const FINE_LAYER = 'block_5_add';
/** Stride-16 MobileNetV2 layer: 96 channels (end of block 10; the conv kernels up to here are ImageNet's). */
export const COARSE_LAYER = 'block_10_project_BN';
export const IMAGE_INPUT = 'image';
export const FEATURES_OUTPUT = 'features';
/** F.normalize's epsilon (SPEC §2.3): x / max(‖x‖₂, 1e-12). */
const NORM_EPSILON = 1e-12;

/** What a consumer must know to feed a generated model and read its output (also stored in ModelProto metadata). */
export interface GeneratedModelDescription {
  input: { name: string; layout: 'NCHW'; shape: [1, 3, 'height', 'width']; dtype: 'float32'; valueRange: [0, 1]; normalization: string };
  outputs: Array<{ name: string; channels: number; stride: number; size: string }>;
  source: string;
  sourceSha256: string;
  notes: string;
}

const INPUT_NORMALIZATION = 'RGB / 255, no mean/std subtraction (nsfwjs feeds img/255; the BatchNorm statistics expect it)';

/**
 * The plain conversion: `image` [1,3,H,W] → `block_5_add` [1,32,⌊…⌋,…] and `block_10_project_BN` [1,96,…]. Spatial
 * sizes follow Keras exactly (ZeroPadding2D((0,1),(0,1)) + 'valid' stride-2 convs give ⌊n/2⌋ per stage), so this
 * variant is the one compared with tfjs.
 */
export function buildMobileNetBackbone(artifacts: KerasArtifacts): { bytes: Uint8Array; description: GeneratedModelDescription } {
  const builder = new OnnxGraphBuilder();
  const image = builder.addInput(IMAGE_INPUT, [1, 3, 'height', 'width']);
  const outputs = emitBackbone(builder, artifacts, { name: image, channels: 3 });
  const fine = outputs.get(FINE_LAYER)!;
  const coarse = outputs.get(COARSE_LAYER)!;
  builder.addOutput(fine.name, [1, fine.channels, 'height8', 'width8']);
  builder.addOutput(coarse.name, [1, coarse.channels, 'height16', 'width16']);
  const description: GeneratedModelDescription = {
    input: inputDescription(),
    outputs: [
      { name: fine.name, channels: fine.channels, stride: 8, size: 'floor(floor(floor(H/2)/2)/2) (Keras padding)' },
      { name: coarse.name, channels: coarse.channels, stride: 16, size: 'floor(H/16) chained as above' },
    ],
    source: artifacts.source,
    sourceSha256: artifacts.sourceSha256,
    notes: 'MobileNetV2 (nsfwjs) truncated after block_10; BatchNorm folded into the convolutions.',
  };
  return { bytes: builder.encode('mobilenetv2_backbone', { correspond: JSON.stringify(description) }), description };
}

/**
 * The default semantic stream: `image` [1,3,H,W] RGB in [0,1] → `features` [1,128,⌈H/8⌉,⌈W/8⌉] =
 * normalize(cat(normalize(block_5_add), normalize(up2(block_10_project_BN)))) over channels.
 * The image is first edge-padded right/bottom to a multiple of 16 so both maps cover it (Keras' stride-2 stages
 * floor odd sizes); up2 is Resize linear, half_pixel, scale exactly 2 — so stride-16 cell j centred at 16j+8 lands
 * between stride-8 cells 2j and 2j+1 — then both maps are cropped to ⌈H/8⌉×⌈W/8⌉.
 */
export function buildMobileNetHypercolumn(artifacts: KerasArtifacts): { bytes: Uint8Array; description: GeneratedModelDescription } {
  const builder = new OnnxGraphBuilder();
  const image = builder.addInput(IMAGE_INPUT, [1, 3, 'height', 'width']);
  const shape = builder.add('Shape', [image]);
  const starts = builder.addInt64Initializer('spatial_starts', [1], [2]);
  const ends = builder.addInt64Initializer('spatial_ends', [1], [4]);
  const axisZero = builder.addInt64Initializer('axis_zero', [1], [0]);
  const imageSize = builder.add('Slice', [shape, starts, ends, axisZero]); // [H, W]
  const paddedSize = roundUpDivide(builder, imageSize, 16, 'sixteen', true);
  const padAmount = builder.add('Sub', [paddedSize, imageSize]);
  const padPrefix = builder.addInt64Initializer('pad_prefix', [6], [0, 0, 0, 0, 0, 0]);
  const pads = builder.add('Concat', [padPrefix, padAmount], { axis: 0 });
  const padded = builder.add('Pad', [image, pads], { mode: 'edge' }, 'image_padded16');
  const outputs = emitBackbone(builder, artifacts, { name: padded, channels: 3 });
  const fine = outputs.get(FINE_LAYER)!;
  const coarse = outputs.get(COARSE_LAYER)!;

  const cells = roundUpDivide(builder, imageSize, 8, 'eight', false); // [⌈H/8⌉, ⌈W/8⌉]
  const cropStarts = builder.addInt64Initializer('crop_starts', [2], [0, 0]);
  const cropAxes = builder.addInt64Initializer('crop_axes', [2], [2, 3]);
  const fineCropped = builder.add('Slice', [fine.name, cropStarts, cells, cropAxes]);
  const scales = builder.addFloatInitializer('upsample_scales', [4], new Float32Array([1, 1, 2, 2]));
  const upsampled = builder.add('Resize', [coarse.name, '', scales], {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  const coarseCropped = builder.add('Slice', [upsampled, cropStarts, cells, cropAxes]);
  const joined = builder.add('Concat', [l2Normalize(builder, fineCropped), l2Normalize(builder, coarseCropped)], { axis: 1 });
  l2Normalize(builder, joined, FEATURES_OUTPUT);
  const channels = fine.channels + coarse.channels;
  builder.addOutput(FEATURES_OUTPUT, [1, channels, 'cellsHigh', 'cellsWide']);
  const description: GeneratedModelDescription = {
    input: inputDescription(),
    outputs: [{ name: FEATURES_OUTPUT, channels, stride: 8, size: 'ceil(H/8) x ceil(W/8)' }],
    source: artifacts.source,
    sourceSha256: artifacts.sourceSha256,
    notes:
      'Hypercolumn normalize(cat(normalize(block_5_add), normalize(up2(block_10_project_BN)))), weights 1:1, L2 over ' +
      'channels with eps 1e-12. Input edge-padded right/bottom to a multiple of 16; up2 = Resize linear half_pixel ' +
      '(align_corners=false) scale 2; maps cropped to ceil(H/8) x ceil(W/8).',
  };
  return { bytes: builder.encode('mobilenetv2_hypercolumn', { correspond: JSON.stringify(description) }), description };
}

function emitBackbone(builder: OnnxGraphBuilder, artifacts: KerasArtifacts, input: EmittedTensor): Map<string, EmittedTensor> {
  const file = artifacts.files[0] ?? 'model';
  const layers = parseKerasLayers(artifacts.modelTopology, file);
  return emitKerasLayers(builder, layers, decodeWeights(artifacts), { input, outputs: [FINE_LAYER, COARSE_LAYER], file });
}

function inputDescription(): GeneratedModelDescription['input'] {
  return { name: IMAGE_INPUT, layout: 'NCHW', shape: [1, 3, 'height', 'width'], dtype: 'float32', valueRange: [0, 1], normalization: INPUT_NORMALIZATION };
}

/** int64 ⌈size / divisor⌉ (or that times divisor when `multiply`), element-wise on a shape tensor. */
function roundUpDivide(builder: OnnxGraphBuilder, size: string, divisor: number, label: string, multiply: boolean): string {
  const minusOne = builder.has(`${label}_minus_one`) ? `${label}_minus_one` : builder.addInt64Initializer(`${label}_minus_one`, [1], [divisor - 1]);
  const divisorName = builder.has(label) ? label : builder.addInt64Initializer(label, [1], [divisor]);
  const quotient = builder.add('Div', [builder.add('Add', [size, minusOne]), divisorName]);
  return multiply ? builder.add('Mul', [quotient, divisorName]) : quotient;
}

/** x / max(‖x‖₂ over channels, 1e-12), as torch's F.normalize(x, dim=1). */
function l2Normalize(builder: OnnxGraphBuilder, input: string, output?: string): string {
  if (!builder.has('norm_epsilon')) builder.addFloatInitializer('norm_epsilon', [], new Float32Array([NORM_EPSILON]));
  const sumOfSquares = builder.add('ReduceSumSquare', [input], { axes: [1], keepdims: 1 });
  const norm = builder.add('Max', [builder.add('Sqrt', [sumOfSquares]), 'norm_epsilon']);
  return builder.add('Div', [input, norm], undefined, output);
}
