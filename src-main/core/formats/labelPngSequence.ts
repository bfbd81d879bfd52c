import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AnnotatedObject, AnnotationFormat, FrameAnnotation, ImportedAnnotations } from './annotationSource.ts';
import { asFormatError, FormatError } from './formatError.ts';
import { maskOfValue, valuesPresent } from './labelMaps.ts';
import { vocColorMap } from './palette.ts';
import { decodeIndexedPng, readPngHeaderOfFile } from './png.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The entry names of a folder. A name that is not valid UTF-8 would be silently mangled by Node (and then not
 * found), so it is an error that shows its bytes.
 */
export function folderEntries(folder: string): string[] {
  return readdirSync(folder, { encoding: 'buffer' }).map((raw) => {
    try {
      return strictUtf8.decode(raw);
    } catch {
      const shown = Array.from(raw, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
      throw new FormatError('BAD_FILE', `holds an entry whose name is not UTF-8 ("${shown}"); rename it`, folder);
    }
  });
}

/** One numbered file of a frame folder: `00012.png` is frame 12 (plus `frameOffset`). */
export interface FrameFile {
  frameIndex: number;
  file: string;
}

/**
 * The numbered files of a frame folder (`%05d.<extension>`), ascending. Other file types are ignored; a file of
 * the right type whose name is not a number, or two names for one frame, is an error naming the file.
 */
export function listFrameFiles(folder: string, extension: string, firstNumber = 0): FrameFile[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new FormatError('NOT_FOUND', 'no such folder', folder);
  const frames = new Map<number, string>();
  for (const name of folderEntries(folder)) {
    if (path.extname(name).toLowerCase() !== `.${extension}`) continue;
    const file = path.join(folder, name);
    const stem = path.basename(name, path.extname(name));
    if (!/^\d{1,9}$/.test(stem)) throw new FormatError('BAD_FILE', `the name is not a frame number like ${'0'.repeat(5)}.${extension}`, file);
    const frameIndex = Number(stem) - firstNumber;
    if (frameIndex < 0) throw new FormatError('BAD_FILE', `frame numbers start at ${firstNumber}`, file);
    const other = frames.get(frameIndex);
    if (other) throw new FormatError('BAD_FILE', `names the same frame as ${path.basename(other)}`, file);
    frames.set(frameIndex, file);
  }
  return [...frames.entries()].sort((a, b) => a[0] - b[0]).map(([frameIndex, file]) => ({ frameIndex, file }));
}

export interface LabelPngOptions {
  /** Accept palette PNGs whose colours are not the VOC map (e.g. CRW/SFC's palette, SPEC §1.1 QUIRK). */
  anyPalette?: boolean;
  /** Read 8-bit grey PNGs with values {0,255} or {0,1} as one object (DAVIS-2016 binary masks). */
  greyBinary?: boolean;
  /** Read 8-bit grey PNGs as plain values (VIP class ids). */
  greyValues?: boolean;
}

const voc = vocColorMap();
const rgb = (palette: Uint8Array, i: number) => `(${palette[i * 3]}, ${palette[i * 3 + 1]}, ${palette[i * 3 + 2]})`;

/** Decodes one label PNG to its index map as `np.array(Image.open(p))` gives it, after the checks of `options`. */
export function readLabelPng(file: string, options: LabelPngOptions): { width: number; height: number; indices: Uint8Array } {
  let image;
  try {
    image = decodeIndexedPng(readFileSync(file), file);
  } catch (error) {
    throw asFormatError(error, file);
  }
  const { width, height, indices, palette } = image;
  const present = valuesPresent(indices);
  if (palette) {
    for (let value = 0; value < 256; value++) {
      if (!present[value]) continue;
      if (value * 3 + 2 >= palette.length) {
        throw new FormatError('BAD_FILE', `pixel value ${value} has no entry in the ${palette.length / 3}-colour palette`, file);
      }
      const matches = palette[value * 3] === voc[value * 3] && palette[value * 3 + 1] === voc[value * 3 + 1] && palette[value * 3 + 2] === voc[value * 3 + 2];
      if (!matches && !options.anyPalette) {
        throw new FormatError('BAD_FILE', `palette entry ${value} is ${rgb(palette, value)}, not the DAVIS/VOC colour ${rgb(voc, value)}; ` +
          'the values may not be object ids (allow any palette to import the indices as they are)', file);
      }
    }
    return { width, height, indices };
  }
  if (options.greyValues) return { width, height, indices };
  if (!options.greyBinary) throw new FormatError('BAD_FILE', 'is a grey PNG, expected an 8-bit palette PNG (value = object id)', file);
  const others = present.map((seen, value) => (seen && value !== 0 && value !== 1 && value !== 255 ? value : -1)).filter((v) => v >= 0);
  if (others.length > 0 || (present[1] && present[255])) {
    const found = present.map((seen, value) => (seen ? value : -1)).filter((v) => v >= 0);
    throw new FormatError('BAD_FILE', `a grey binary mask has values {0,255} or {0,1}; found ${found.slice(0, 8).join(', ')}${found.length > 8 ? ', …' : ''}`, file);
  }
  if (present[255]) for (let i = 0; i < indices.length; i++) if (indices[i] === 255) indices[i] = 1;
  return { width, height, indices };
}

/** A frame size an import must match (the clip's), checked from file headers before any pixel is decoded. */
export interface ExpectedFrameSize {
  width: number;
  height: number;
  /** What the size belongs to, for the message ("clip \"walk\""). */
  of: string;
}

/** The error for a label map whose declared size is not the clip's. */
export function sizeMismatch(width: number, height: number, expected: ExpectedFrameSize, file: string, where = ''): FormatError {
  return new FormatError('MISMATCH', `${where}is ${width}×${height}, ${expected.of} is ${expected.width}×${expected.height}`, file);
}

/**
 * The size of a sequence from its PNG headers alone: each within the frame cap, all equal, and equal to `expected`
 * when given. Run before any image is decoded, so an oversized or mismatched file costs 33 bytes of reading.
 */
export function checkLabelPngHeaders(frames: readonly FrameFile[], expected?: ExpectedFrameSize): { width: number; height: number } {
  if (frames.length === 0) throw new FormatError('NOT_FOUND', 'no label PNGs to import');
  let size: { width: number; height: number } | undefined;
  for (const { file } of frames) {
    let header;
    try {
      header = readPngHeaderOfFile(file);
    } catch (error) {
      throw asFormatError(error, file);
    }
    if (size && (header.width !== size.width || header.height !== size.height)) {
      throw new FormatError('MISMATCH', `is ${header.width}×${header.height}, the earlier frames are ${size.width}×${size.height}`, file);
    }
    if (expected && (header.width !== expected.width || header.height !== expected.height)) throw sizeMismatch(header.width, header.height, expected, file);
    size = { width: header.width, height: header.height };
  }
  return size!;
}

/** Size of a sequence (checkLabelPngHeaders) and the values its PNGs use, decoding each file once (the validation pass). */
export function scanLabelPngs(frames: readonly FrameFile[], options: LabelPngOptions, expected?: ExpectedFrameSize): { width: number; height: number; present: boolean[] } {
  const size = checkLabelPngHeaders(frames, expected);
  const present = new Array<boolean>(256).fill(false);
  for (const { file } of frames) {
    const image = readLabelPng(file, options);
    if (image.width !== size.width || image.height !== size.height) {
      throw new FormatError('MISMATCH', `is ${image.width}×${image.height}, the earlier frames are ${size.width}×${size.height}`, file);
    }
    valuesPresent(image.indices).forEach((seen, value) => (present[value] ||= seen));
  }
  return { ...size, present };
}

export interface LabelPngSourceInit {
  format: AnnotationFormat;
  origin: string;
  name: string;
  width: number;
  height: number;
  frames: readonly FrameFile[];
  objects: AnnotatedObject[];
  options: LabelPngOptions;
  warnings?: string[];
  /** Which objects a frame annotates (default: every object, absent ones as empty masks). */
  objectsOnFrame?: (frameIndex: number) => readonly AnnotatedObject[];
}

/**
 * An ImportedAnnotations over a folder of label PNGs: each annotationsAt() decodes that frame's file again. Mask
 * objects get the 0/1 mask of their palette index; a part object gets the whole map (class ids).
 */
export function labelPngSource(init: LabelPngSourceInit): ImportedAnnotations {
  const byFrame = new Map(init.frames.map((frame) => [frame.frameIndex, frame.file]));
  const lastFrame = init.frames.at(-1)?.frameIndex ?? -1;
  return {
    format: init.format,
    origin: init.origin,
    name: init.name,
    width: init.width,
    height: init.height,
    frameCount: lastFrame + 1,
    objects: init.objects,
    frameIndices: init.frames.map((frame) => frame.frameIndex),
    exactFrameCount: false,
    warnings: init.warnings ?? [],
    annotationsAt(frameIndex: number): FrameAnnotation[] {
      const file = byFrame.get(frameIndex);
      if (!file) return [];
      const { width, height, indices } = readLabelPng(file, init.options);
      if (width !== init.width || height !== init.height) {
        throw new FormatError('MISMATCH', `is ${width}×${height}, the sequence is ${init.width}×${init.height}`, file);
      }
      const objects = init.objectsOnFrame?.(frameIndex) ?? init.objects;
      return objects.map((object) =>
        object.kind === 'part'
          ? { objectId: object.id, keyframe: true, kind: 'labels', labels: indices }
          : { objectId: object.id, keyframe: true, kind: 'labels', labels: maskOfValue(indices, object.paletteIndex) },
      );
    },
  };
}
