// importJhmdb and exportJhmdb are over 60 lines: each is one pass over pose, puppet volume and frames together.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Keypoint } from '../store/types.ts';
import { readImageSize } from '../video/index.ts';
import type { AnnotatedObject, AnnotationSource, ExportOptions, FrameAnnotation, ImportedAnnotations } from './annotationSource.ts';
import { frameFileName, selectObjects } from './annotationSource.ts';
import type { FormatExportSummary } from './davisFormat.ts';
import type { ExportWriter } from './exportWriter.ts';
import { throwIfCancelled } from '../base/cancellation.ts';
import { asFormatError, FormatError, cancellableSlices } from './formatError.ts';
import { jhmdbJointNames } from './jhmdbJoints.ts';
import { jhmdbSkeleton } from '../vocabulary/labelSets.ts';
import { folderEntries } from './labelPngSequence.ts';
import { type MatArray, encodeMatFile, readMatFile } from './matFile.ts';
import { MatUint8VolumeWriter, toColumnMajor } from './matStreamWriter.ts';
import { encodeRgbPng } from './png.ts';
import { safePathComponent, sequenceNameOf } from './safeNames.ts';

// JHMDB layout (SPEC §3.1): joint_positions/<class>/<video>/joint_positions.mat (MAT v5) with
//   pos_img   2×15×T double, 1-based pixel coordinates, row 0 = x, row 1 = y, joints in SPEC §3.1 order;
//   pos_world 2×15×T double, the same points normalised to the frame.
// The relation, derived from the shared sample (catch/Goal_Keeping_Tips_catch_f_cm_np1_fr_med_2, 320×240, 40
// frames): for all 2×15×40 values, pos_world = (pos_img − c) / 108 with c = (160, 120) = (W/2, H/2), exact to
// 2.2e-16 (e.g. x 286.5 → 1.1712962962962963 = 126.5/108). 108 = 0.45·H for the 240-pixel-high JHMDB frames,
// so we write pos_world = (pos_img − (W/2, H/2)) / (0.45·H).
// `scale` and `viewpoint` (issue 7 item 2), derived from the same sample: scipy.io.whosmat lists exactly two
// variables, [('pos_world', (2, 15, 40), 'double'), ('pos_img', (2, 15, 40), 'double')], in that order. A per-frame
// least-squares fit pos_img = s_t·pos_world + o_t gives s_t = 108 and o_t = (160, 120) on every one of the 40
// frames, so pos_world is not normalised by any per-frame puppet scale either. The original file of this video thus
// defines neither variable: there is no shape, type or value to derive (SPEC §3.1 lists them only as "reportedly",
// UNVERIFIED). We write what the original holds — pos_world then pos_img, 2×15×T double — and no guessed `scale` or
// `viewpoint`; on import they are ignored and reported. jhmdbFormat.test.ts checks the variable list, order, shapes
// and classes against the sample with scipy, and the constant fit. JHMDB has no visibility: imported joints are visible (2); a joint we do not know
// (visibility 0, or a frame without annotation) is written as NaN and read back as unlabelled.
// Frames: Rename_Images/<class>/<video>/%05d.png from 00001. Part objects: puppet_mask/<class>/<video>/puppet_mask.mat
// with part_mask H×W×T uint8 (class ids; 0 background), streamed frame by frame.

export interface JhmdbExportOptions extends ExportOptions {
  /** Action class folder name; default "annotated". */
  className?: string;
  sequenceName?: string;
}

const jointCount = jhmdbJointNames.length;
const worldScaleOfHeight = 0.45;

function pickOne(objects: AnnotatedObject[], what: string): AnnotatedObject | undefined {
  if (objects.length > 1) {
    throw new FormatError('BAD_INPUT', `JHMDB holds one ${what} per video; the clip has ${objects.length} (${objects.map((o) => o.name).join(', ')}): choose one`);
  }
  return objects[0];
}

export async function exportJhmdb(source: AnnotationSource, writer: ExportWriter, options: JhmdbExportOptions = {}): Promise<FormatExportSummary> {
  const person = pickOne(selectObjects(source, ['keypoints'], options.objectIds), 'keypoints object');
  const parts = pickOne(selectObjects(source, ['part'], options.objectIds), 'part object');
  if (!person && !parts) throw new FormatError('BAD_INPUT', 'the clip has no keypoints or part object to write as JHMDB');
  // JHMDB's pos_img is 2×15×T in its own joint order (SPEC §3.1): only the 15-joint JHMDB skeleton fits (issue 21).
  const skeleton = person?.labelSet;
  if (person && skeleton && skeleton.joints.length !== jointCount) {
    throw new FormatError('UNSUPPORTED', `JHMDB holds the ${jointCount} JHMDB joints; "${person.name}" uses skeleton "${skeleton.name}" of ${skeleton.joints.length} joints: export it as COCO or CVAT instead`);
  }
  const className = safePathComponent(options.className ?? 'annotated', 'annotated');
  const video = sequenceNameOf(source.name, options.sequenceName);
  const { width, height, frameCount } = source;
  const posImg = new Float64Array(2 * jointCount * frameCount).fill(NaN);
  const puppet = parts ? new MatUint8VolumeWriter(writer.openFile(['puppet_mask', className, video, 'puppet_mask.mat']), 'part_mask', [height, width, frameCount]) : undefined;
  const empty = new Uint8Array(width * height);
  let framesWithData = 0;
  const pause = cancellableSlices();
  for (let frameIndex = 0; frameIndex < frameCount; frameIndex++) {
    await pause(options.signal);
    const annotations = source.annotationsAt(frameIndex);
    const pose = person && annotations.find((a) => a.objectId === person.id);
    if (pose?.kind === 'keypoints') {
      if (pose.keypoints.length !== jointCount) {
        throw new FormatError('BAD_INPUT', `object "${person!.name}" has ${pose.keypoints.length} keypoints on frame ${frameIndex}; JHMDB poses have ${jointCount}`);
      }
      pose.keypoints.forEach((point, joint) => {
        if (point.visibility === 0) return;
        posImg[2 * joint + 2 * jointCount * frameIndex] = point.x + 1; // MATLAB column-major: (c, j, t) → c + 2j + 30t
        posImg[1 + 2 * joint + 2 * jointCount * frameIndex] = point.y + 1;
      });
    }
    const mask = parts && annotations.find((a) => a.objectId === parts.id);
    if (puppet) await puppet.write(toColumnMajor(mask?.kind === 'labels' ? mask.labels : empty, width, height));
    if (pose || mask) framesWithData++;
    options.onProgress?.({ done: frameIndex + 1, total: frameCount, message: `JHMDB frame ${frameIndex + 1} of ${frameCount}` });
  }
  await puppet?.finish();
  const warnings: string[] = [];
  if (person) {
    const posWorld = posImg.map((value, i) => (value - (i % 2 === 0 ? width / 2 : height / 2)) / (worldScaleOfHeight * height));
    const dims = [2, jointCount, frameCount];
    const mat = encodeMatFile([{ name: 'pos_world', dims, data: posWorld }, { name: 'pos_img', dims, data: posImg }], { compress: true });
    writer.writeFile(['joint_positions', className, video, 'joint_positions.mat'], mat);
    if (posImg.some(Number.isNaN)) warnings.push('joints without annotation (or unlabelled) are written as NaN in pos_img');
  }
  if (options.frames) {
    let number = 0;
    for await (const frame of options.frames()) {
      throwIfCancelled(options.signal);
      if (frame.frameIndex !== number) throw new FormatError('BAD_INPUT', `frames must arrive in order: expected frame ${number}, got ${frame.frameIndex}`);
      writer.writeFile(['Rename_Images', className, video, frameFileName(frame.frameIndex + 1, 'png')], encodeRgbPng(frame));
      number++;
    }
    if (number !== frameCount) throw new FormatError('MISMATCH', `got ${number} frames for a clip of ${frameCount}`);
  }
  return { frames: framesWithData, objects: (person ? 1 : 0) + (parts ? 1 : 0), warnings };
}

/** The video folder `from` names: a .mat file, its folder, or a root with joint_positions/<class>/<video>. */
function resolveJhmdb(from: string, sequence: string | undefined): { matFile: string; root?: string; className: string; video: string } {
  if (!existsSync(from)) throw new FormatError('NOT_FOUND', 'does not exist', from);
  if (statSync(from).isFile()) return { matFile: from, className: path.basename(path.dirname(path.dirname(from))), video: path.basename(path.dirname(from)) };
  const direct = path.join(from, 'joint_positions.mat');
  if (existsSync(direct)) return { matFile: direct, className: path.basename(path.dirname(from)), video: path.basename(from) };
  const positions = path.join(from, 'joint_positions');
  if (!existsSync(positions)) throw new FormatError('NOT_FOUND', 'has neither joint_positions.mat nor a joint_positions folder', from);
  const videos = folderEntries(positions)
    .filter((className) => statSync(path.join(positions, className)).isDirectory())
    .flatMap((className) => folderEntries(path.join(positions, className)).map((video) => `${className}/${video}`))
    .sort();
  const chosen = sequence ?? (videos.length === 1 ? videos[0] : undefined);
  if (!chosen) throw new FormatError('BAD_INPUT', `holds ${videos.length} videos (${videos.slice(0, 5).join(', ')}${videos.length > 5 ? ', …' : ''}); name one as <class>/<video>`, positions);
  if (!videos.includes(chosen)) throw new FormatError('NOT_FOUND', `has no video "${chosen}"`, positions);
  const [className, video] = chosen.split('/');
  return { matFile: path.join(positions, className, video, 'joint_positions.mat'), root: from, className, video };
}

function readMat(file: string): Map<string, MatArray> {
  try {
    return readMatFile(file, { skipUnsupported: true });
  } catch (error) {
    throw asFormatError(error, file);
  }
}

/** Checks pos_img: a real 2×15×T array (T ≥ 1). */
function checkPosImg(variables: Map<string, MatArray>, file: string): { posImg: MatArray; frameCount: number } {
  const posImg = variables.get('pos_img');
  if (!posImg) throw new FormatError('BAD_FILE', `has no pos_img variable (found: ${[...variables.keys()].join(', ') || 'none'})`, file);
  if (posImg.className === 'char' || posImg.className === 'logical') throw new FormatError('BAD_FILE', `pos_img is a ${posImg.className} array, expected numbers`, file);
  const [rows, joints, frames = 1, ...rest] = posImg.dims;
  if (rows !== 2 || joints !== jointCount || frames < 1 || rest.some((d) => d !== 1)) {
    throw new FormatError('BAD_FILE', `pos_img is ${posImg.dims.join('×')}, expected 2×${jointCount}×T (x/y × joints × frames)`, file);
  }
  const bad = posImg.data.findIndex((v) => !Number.isNaN(v) && !Number.isFinite(v));
  if (bad >= 0) throw new FormatError('BAD_FILE', `pos_img value ${bad} is ${posImg.data[bad]}`, file);
  return { posImg, frameCount: frames };
}

/**
 * Reads a JHMDB video: joint_positions.mat → one 15-joint keypoints object ('person'); puppet_mask.mat beside it
 * (or under puppet_mask/<class>/<video>) → a part object ('puppet'). The frame size comes from Rename_Images'
 * first frame or the puppet mask when present; otherwise it is unknown (0) and any clip size is accepted.
 */
export function importJhmdb(from: string, options: { sequence?: string } = {}): ImportedAnnotations {
  const resolved = resolveJhmdb(from, options.sequence);
  const { matFile, className, video } = resolved;
  // A .mat inside a dataset layout (…/joint_positions/<class>/<video>/) finds its puppet mask and frames too.
  const layoutRoot = path.dirname(path.dirname(path.dirname(path.dirname(matFile))));
  const root = resolved.root ?? (path.basename(path.dirname(path.dirname(path.dirname(matFile)))) === 'joint_positions' ? layoutRoot : undefined);
  const variables = readMat(matFile);
  const { posImg, frameCount } = checkPosImg(variables, matFile);
  const warnings: string[] = [];
  const extras = ['scale', 'viewpoint'].filter((name) => variables.has(name));
  if (extras.length > 0) warnings.push(`${matFile}: ${extras.join(' and ')} are not kept (Correspond stores only the joint positions)`);
  const folderOf = (top: string) => (root ? path.join(root, top, className, video) : undefined);
  const puppetFile = [folderOf('puppet_mask'), path.dirname(matFile)].filter((f): f is string => !!f).map((f) => path.join(f, 'puppet_mask.mat')).find(existsSync);
  let width = 0;
  let height = 0;
  let partMask: MatArray | undefined;
  if (puppetFile) {
    partMask = readMat(puppetFile).get('part_mask');
    if (!partMask) throw new FormatError('BAD_FILE', 'has no part_mask variable', puppetFile);
    const [maskHeight, maskWidth, maskFrames = 1] = partMask.dims;
    if (partMask.dims.length > 3 || maskFrames !== frameCount) {
      throw new FormatError('MISMATCH', `part_mask is ${partMask.dims.join('×')}, expected H×W×${frameCount} like pos_img`, puppetFile);
    }
    if (partMask.data.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) throw new FormatError('BAD_FILE', 'part_mask values must be whole numbers 0..255', puppetFile);
    [width, height] = [maskWidth, maskHeight];
  }
  const images = folderOf('Rename_Images');
  const firstImage = images && path.join(images, frameFileName(1, 'png'));
  if (firstImage && existsSync(firstImage)) {
    const size = readImageSize(firstImage);
    if (!size) throw new FormatError('BAD_FILE', 'is not a readable image', firstImage);
    if (partMask && (size.width !== width || size.height !== height)) throw new FormatError('MISMATCH', `is ${size.width}×${size.height}, part_mask is ${width}×${height}`, firstImage);
    ({ width, height } = size);
  }
  const objects: AnnotatedObject[] = [{ id: 'jhmdb-person', name: 'person', kind: 'keypoints', paletteIndex: 1, labelSet: jhmdbSkeleton() }];
  if (partMask) objects.push({ id: 'jhmdb-puppet', name: 'puppet', kind: 'part', paletteIndex: 2 });
  const poseAt = (frameIndex: number): Keypoint[] | undefined => {
    const base = 2 * jointCount * frameIndex;
    const values = posImg.data.subarray(base, base + 2 * jointCount);
    if (values.every(Number.isNaN)) return undefined;
    return jhmdbJointNames.map((_, joint) => {
      const [x, y] = [values[2 * joint], values[2 * joint + 1]];
      return Number.isNaN(x) || Number.isNaN(y) ? { x: 0, y: 0, visibility: 0 } : { x: x - 1, y: y - 1, visibility: 2 };
    });
  };
  const frameIndices = Array.from({ length: frameCount }, (_, i) => i).filter((i) => partMask || poseAt(i));
  return {
    format: 'jhmdb',
    origin: matFile,
    name: video,
    width,
    height,
    frameCount,
    exactFrameCount: true,
    objects,
    frameIndices,
    warnings,
    annotationsAt(frameIndex: number): FrameAnnotation[] {
      const out: FrameAnnotation[] = [];
      const keypoints = frameIndex < frameCount ? poseAt(frameIndex) : undefined;
      if (keypoints) out.push({ objectId: 'jhmdb-person', keyframe: true, kind: 'keypoints', keypoints });
      if (partMask && frameIndex < frameCount) {
        const labels = new Uint8Array(width * height);
        const base = width * height * frameIndex;
        for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) labels[y * width + x] = partMask.data[base + x * height + y];
        out.push({ objectId: 'jhmdb-puppet', keyframe: true, kind: 'labels', labels });
      }
      return out;
    },
  };
}
