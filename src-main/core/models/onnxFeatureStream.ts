import * as ort from 'onnxruntime-node';
import { ModelError } from './modelError.ts';
import type { LoadedModel, OnnxSessionPool } from './onnxRuntime.ts';

/** One RGB frame: `data` is height×width×3 uint8, row-major (structurally the engine's RgbFrame). */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Features of one frame: `data` is C×h×w float32, channel-major (structurally the engine's FeatureMap). */
export interface FeatureMap {
  channels: number;
  height: number;
  width: number;
  data: Float32Array;
}

export interface OnnxFeatureStreamOptions {
  /** Stream id (e.g. the model id); default: the model's sha256 prefix. */
  id?: string;
  /** Output to read; default: the model's only output. */
  outputName?: string;
  /**
   * Input transform x = (rgb/255 − mean) / std per channel. Default mean 0, std 1: RGB in [0,1], what the
   * embedded MobileNetV2 expects (its metadata says so).
   */
  mean?: [number, number, number];
  std?: [number, number, number];
}

/** Probe sizes: an even one and one where ⌈·/8⌉ differs from ⌊·/8⌋, so floor-sized maps are refused too. */
const PROBE_SIZES: Array<[number, number]> = [
  [64, 96],
  [36, 52],
];

/**
 * A FeatureStream over an ONNX model with input [1,3,H,W] and a stride-8 output [1,C,⌈H/8⌉,⌈W/8⌉]. `load` checks
 * the stride on tiny probe frames and refuses other models with MODEL_NOT_STRIDE_8, naming the file.
 */
export class OnnxFeatureStream {
  readonly stride = 8 as const;

  private constructor(
    readonly id: string,
    readonly channels: number,
    /** sha256 of the model bytes, for feature caches keyed by model. */
    readonly modelSha256: string,
    private readonly model: LoadedModel,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly scale: [number, number, number],
    private readonly offset: [number, number, number],
  ) {}

  static async load(pool: OnnxSessionPool, modelFile: string, options: OnnxFeatureStreamOptions = {}): Promise<OnnxFeatureStream> {
    const model = await pool.load(modelFile);
    const { session } = model;
    if (session.inputNames.length !== 1) {
      throw new ModelError('MODEL_INVALID', `expected one image input, the model has ${session.inputNames.length} (${session.inputNames.join(', ')})`, modelFile);
    }
    const outputName = options.outputName ?? (session.outputNames.length === 1 ? session.outputNames[0] : undefined);
    if (outputName === undefined || !session.outputNames.includes(outputName)) {
      const wanted = options.outputName === undefined ? 'a single output' : `output ${options.outputName}`;
      throw new ModelError('MODEL_INVALID', `expected ${wanted}, the model has ${session.outputNames.join(', ')}`, modelFile);
    }
    const mean = options.mean ?? [0, 0, 0];
    const std = options.std ?? [1, 1, 1];
    const scale = std.map((deviation) => 1 / (255 * deviation)) as [number, number, number];
    const offset = mean.map((average, channel) => -average / std[channel]!) as [number, number, number];
    const id = options.id ?? `onnx-${model.sha256.slice(0, 12)}`;
    let channels = 0;
    for (const [height, width] of PROBE_SIZES) {
      const probe = new OnnxFeatureStream(id, 0, model.sha256, model, session.inputNames[0]!, outputName, scale, offset);
      const dims = [...(await probe.run({ width, height, data: new Uint8Array(width * height * 3).fill(128) }, modelFile)).dims];
      const expected = [1, channels || dims[1], Math.ceil(height / 8), Math.ceil(width / 8)];
      if (dims.length !== 4 || dims.some((size, index) => size !== expected[index])) {
        throw new ModelError(
          'MODEL_NOT_STRIDE_8',
          `output ${outputName} is ${dims.join('×')} for a ${height}×${width} input; a stride-8 feature map must be 1×C×${expected[2]}×${expected[3]}`,
          modelFile,
        );
      }
      channels = dims[1]!;
    }
    return new OnnxFeatureStream(id, channels, model.sha256, model, session.inputNames[0]!, outputName, scale, offset);
  }

  /** Features of one frame: C×⌈H/8⌉×⌈W/8⌉. */
  async extract(frame: RgbFrame): Promise<FeatureMap> {
    const output = await this.run(frame, this.model.file);
    const [, channels, height, width] = output.dims as number[];
    return { channels: channels!, height: height!, width: width!, data: output.data as Float32Array };
  }

  private async run(frame: RgbFrame, file: string): Promise<ort.Tensor> {
    const { width, height, data } = frame;
    if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height)) || data.length !== width * height * 3) {
      throw new ModelError('MODEL_BAD_FRAME', `frame of ${width}×${height} with ${data.length} bytes; expected ${width}×${height}×3 RGB`);
    }
    const planeSize = width * height;
    const input = new Float32Array(3 * planeSize);
    for (let channel = 0; channel < 3; channel++) {
      const scale = this.scale[channel]!;
      const offset = this.offset[channel]!;
      const plane = channel * planeSize;
      for (let pixel = 0; pixel < planeSize; pixel++) input[plane + pixel] = data[pixel * 3 + channel]! * scale + offset;
    }
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.model.session.run({ [this.inputName]: new ort.Tensor('float32', input, [1, 3, height, width]) }, [this.outputName]);
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new ModelError('MODEL_INVALID', `inference failed on a ${width}×${height} frame: ${message}`, file, { cause: error });
    }
    return outputs[this.outputName] as ort.Tensor;
  }
}
