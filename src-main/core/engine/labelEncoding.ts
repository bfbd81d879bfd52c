import type { IndexedImage } from '../formats/png.ts';
import { bilinearResize, type ChannelLastImage } from './bilinearResize.ts';
import { EngineError } from './engineError.ts';

/**
 * The label channels of a clip (SPEC §2.1): channel c stands for `colours[c]` (B,G,R as `cv2.imread` returns it)
 * and writes back as label value `ids[c]` (palette index for DAVIS masks, grey value for part maps).
 */
export interface LabelSet {
  /** [B, G, R] per channel, sorted lexicographically; background (0,0,0) first when present. */
  colours: Array<[number, number, number]>;
  /** Label value (palette index or grey level) written for each channel. */
  ids: number[];
}

/** BGR colour `cv2.imread` gives a pixel of value `index`: the file's palette entry, else grey. */
function colourOf(image: IndexedImage, index: number): [number, number, number] {
  const palette = image.palette;
  if (!palette) return [index, index, index];
  if (index * 3 + 2 >= palette.length) return [0, 0, 0];
  return [palette[index * 3 + 2], palette[index * 3 + 1], palette[index * 3]];
}

/**
 * Channels of a first-frame label map (object mask or part map), SPEC §2.1: the distinct COLOURS present,
 * `np.unique(axis=0)` order i.e. lexicographic by (B,G,R). So DAVIS id 8 = BGR(0,0,64) sorts before id 1, and a
 * void (255) colour present becomes a channel of its own. Values sharing one colour share one channel; the
 * smallest such value is written back.
 * QUIRK: vos.py keeps only the B column when consecutive colours differ by exactly 1 (grey maps like VIP); the
 * B values are then distinct, so matching on B alone gives the same first-frame one-hot — no special case needed.
 */
export function makeLabelSet(image: IndexedImage): LabelSet {
  const present = new Uint8Array(256);
  for (let i = 0; i < image.indices.length; i++) present[image.indices[i]] = 1;
  const byColour = new Map<number, { colour: [number, number, number]; id: number }>();
  for (let value = 0; value < 256; value++) {
    if (!present[value]) continue;
    const colour = colourOf(image, value);
    const key = (colour[0] << 16) | (colour[1] << 8) | colour[2];
    if (!byColour.has(key)) byColour.set(key, { colour, id: value });
  }
  const keys = [...byColour.keys()].sort((a, b) => a - b);
  return { colours: keys.map((k) => byColour.get(k)!.colour), ids: keys.map((k) => byColour.get(k)!.id) };
}

/** Full-resolution one-hot H×W×C float32 of a label map over the channels of `labelSet` (unknown colours: all 0). */
export function oneHotLabels(image: IndexedImage, labelSet: LabelSet): ChannelLastImage {
  const channels = labelSet.colours.length;
  const channelOfValue = new Int16Array(256).fill(-1);
  for (let value = 0; value < 256; value++) {
    const [b, g, r] = colourOf(image, value);
    channelOfValue[value] = labelSet.colours.findIndex((c) => c[0] === b && c[1] === g && c[2] === r);
  }
  const pixelCount = image.width * image.height;
  const data = new Float32Array(pixelCount * channels);
  for (let i = 0; i < pixelCount; i++) {
    const channel = channelOfValue[image.indices[i]];
    if (channel >= 0) data[i * channels + channel] = 1;
  }
  return { width: image.width, height: image.height, channels, data };
}

/** Feature-map size of a frame at stride 8 (SPEC §2.2): ceil(H/8) × ceil(W/8). */
export function featureGridSize(width: number, height: number, stride = 8): { width: number; height: number } {
  return { width: Math.ceil(width / stride), height: Math.ceil(height / stride) };
}

/**
 * Encodes a first-frame label map for propagation: its label set and the h×w×C soft labels at stride 8, made by
 * `cv2.resize` INTER_LINEAR of the one-hot (SPEC §2.1 QUIRK: the INTER_NEAREST argument is really `dst`).
 */
export function encodeLabelMap(image: IndexedImage, labelSet: LabelSet = makeLabelSet(image)): { labelSet: LabelSet; labels: ChannelLastImage } {
  if (image.indices.length !== image.width * image.height) {
    throw new EngineError('BAD_LABELS', `label map has ${image.indices.length} pixels, expected ${image.width}×${image.height}`);
  }
  const grid = featureGridSize(image.width, image.height);
  return { labelSet, labels: bilinearResize(oneHotLabels(image, labelSet), grid.width, grid.height) };
}

/**
 * Decodes a soft prediction (h×w×C) to a label map of width×height (SPEC §2.7): bilinear up-scaling with the
 * reference arithmetic, argmax over channels (first maximum wins), channel → label value.
 * (The reference's own colour round trip maps ids 9, 11, 13, 15, 18, 19 and ≥ 22 to 0 through its non-VOC
 * palette, QUIRK §1.1; we write the true id, which is identical for the ≤ 8 objects of DAVIS.)
 */
export function decodePrediction(prediction: ChannelLastImage, labelSet: LabelSet, width: number, height: number): Uint8Array {
  if (prediction.channels !== labelSet.ids.length) {
    throw new EngineError('BAD_LABELS', `prediction has ${prediction.channels} channels but the label set has ${labelSet.ids.length}`);
  }
  const up = bilinearResize(prediction, width, height);
  const channels = prediction.channels;
  const out = new Uint8Array(width * height);
  const data = up.data;
  for (let i = 0, o = 0; i < out.length; i++, o += channels) {
    let best = 0;
    let bestValue = data[o];
    for (let c = 1; c < channels; c++) {
      if (data[o + c] > bestValue) {
        bestValue = data[o + c];
        best = c;
      }
    }
    out[i] = labelSet.ids[best];
  }
  return out;
}
