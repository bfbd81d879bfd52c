// exportCvat is over 60 lines: one frame pass keeps every track's inside/outside state; splitting it would scatter that.
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import type { Keypoint } from '../store/types.ts';
import { frameSizeProblem } from '../video/frameLimits.ts';
import type { AnnotatedObject, AnnotationSource, ExportOptions, FrameAnnotation, ImportedAnnotations } from './annotationSource.ts';
import { selectObjects } from './annotationSource.ts';
import type { FormatExportSummary } from './davisFormat.ts';
import type { ExportWriter, FileSink } from './exportWriter.ts';
import { FormatError, cancellableSlices } from './formatError.ts';
import { jhmdbJointNames, keypointNames } from './jhmdbJoints.ts';
import { vocColor } from './palette.ts';
import { type ExpectedFrameSize, sizeMismatch } from './labelPngSequence.ts';
import { sequenceNameOf } from './safeNames.ts';
import { child, escapeXml, parseXml, type XmlElement } from './xmlReader.ts';

// "CVAT for video 1.1" XML (annotations.xml): <annotations><version>1.1</version><meta><task>… size, labels,
// original_size …</task></meta> then one <track id label source group_id> per tracked thing, holding one shape per
// frame: <mask frame keyframe outside occluded rle left top width height z_order> (rle = comma-separated run
// lengths over the left/top/width/height box, row-major, starting with a 0-run) or <points … points="x,y">.
// A track shows from its first shape until a shape with outside="1"; frames between two shapes are CVAT's
// interpolation (points move linearly, masks hold), which we write out explicitly, every annotated frame.
// Mapping: a mask object → one mask track (label = object name); a keypoints object → one points track per joint
// (label = joint name) sharing group_id = palette index, the object's name in an "object" attribute; joint
// visibility 0 → outside="1", 1 → occluded="1". CVAT has no empty mask shape: an empty mask is written as outside.
// Skeletons (issue 21): a keypoints object's skeleton is declared as CVAT declares one, a <label> of type skeleton
// whose <svg> holds a circle per joint (data-node-id, data-label-name) and a line per edge (data-node-from/-to),
// plus one points sublabel per joint (<parent>); flip pairs and default visibility ride along as extra data-
// attributes. Import builds the skeleton from those labels and places each points track at its joint.

export const cvatAnnotationFile = 'annotations.xml';

interface TrackPlan {
  object: AnnotatedObject;
  /** Joint index for keypoints tracks. */
  joint?: number;
  label: string;
  sink: FileSink;
  /** Last written geometry, re-used by the outside shape that ends a run. */
  last?: string;
  inside: boolean;
}

function maskShape(labels: Uint8Array, width: number, height: number): string | undefined {
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!labels[y * width + x]) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  if (right < 0) return undefined;
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      const value = labels[y * width + x] ? 1 : 0;
      if (value !== current) {
        counts.push(run);
        [run, current] = [0, value];
      }
      run++;
    }
  }
  counts.push(run);
  return `rle="${counts.join(', ')}" left="${left}" top="${top}" width="${right - left + 1}" height="${bottom - top + 1}"`;
}

const flag = (value: boolean) => (value ? '1' : '0');
const hexColor = (index: number) => `#${vocColor(index).map((c) => c.toString(16).padStart(2, '0')).join('')}`;

function writeShape(plan: TrackPlan, frameIndex: number, geometry: string, keyframe: boolean, outside: boolean, occluded: boolean): void {
  const tag = plan.joint === undefined ? 'mask' : 'points';
  const attribute = plan.joint === undefined ? '' : `\n      <attribute name="object">${escapeXml(plan.object.name)}</attribute>\n    `;
  plan.sink.write(`    <${tag} frame="${frameIndex}" keyframe="${flag(keyframe)}" outside="${flag(outside)}" occluded="${flag(occluded)}" ${geometry} z_order="0">${attribute}</${tag}>\n`);
}

function copyInto(target: FileSink, file: string): void {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 16);
  try {
    let read: number;
    while ((read = readSync(fd, buffer, 0, buffer.length, null)) > 0) target.write(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

/** CVAT's skeleton drawing: a line per edge and a circle per joint (1-based node ids), laid out on a unit circle. */
function skeletonSvg(set: LabelSetDefinition): string {
  const at = (joint: number) => {
    const angle = (2 * Math.PI * joint) / set.joints.length;
    return { x: (50 + 40 * Math.cos(angle)).toFixed(1), y: (50 + 40 * Math.sin(angle)).toFixed(1) };
  };
  const flipOf = new Map(set.flipPairs.flatMap(([a, b]) => [[a, b], [b, a]]));
  const lines = set.edges.map(([a, b]) => `<line x1="${at(a).x}" y1="${at(a).y}" x2="${at(b).x}" y2="${at(b).y}" data-type="edge" data-node-from="${a + 1}" data-node-to="${b + 1}"></line>`);
  const circles = set.joints.map((joint, j) => {
    const flip = flipOf.has(j) ? ` data-flip-with="${flipOf.get(j)! + 1}"` : '';
    return `<circle r="0.75" cx="${at(j).x}" cy="${at(j).y}" data-type="element node" data-element-id="${j + 1}" data-node-id="${j + 1}" data-label-name="${escapeXml(joint.name)}" data-default-visibility="${joint.defaultVisibility}"${flip}></circle>`;
  });
  return [...lines, ...circles].join('');
}

/** Skeletons declared in <labels>: each skeleton label's svg gives its joints (by node id), edges and our flip pairs. */
function readSkeletons(task: XmlElement | undefined, file: string): Map<string, LabelSetDefinition> {
  const skeletons = new Map<string, LabelSetDefinition>();
  const labels = task && child(task, 'labels');
  for (const label of labels?.children.filter((c) => c.name === 'label') ?? []) {
    if (child(label, 'type')?.text.trim() !== 'skeleton') continue;
    const name = child(label, 'name')?.text.trim() || 'skeleton';
    const svg = child(label, 'svg')?.text ?? '';
    const attribute = (tag: string, key: string) => new RegExp(`${key}="([^"]*)"`).exec(tag)?.[1];
    const nodes = [...svg.matchAll(/<circle\b[^>]*>/g)].map((match) => match[0]).map((tag) => ({
      id: Number(attribute(tag, 'data-node-id')),
      name: attribute(tag, 'data-label-name') ?? '',
      visibility: Number(attribute(tag, 'data-default-visibility') ?? 2),
      flip: Number(attribute(tag, 'data-flip-with') ?? NaN),
    })).sort((a, b) => a.id - b.id);
    if (nodes.length === 0 || nodes.some((node) => !Number.isInteger(node.id) || !node.name)) {
      throw new FormatError('BAD_FILE', `line ${label.line}: skeleton "${name}" needs a circle with data-node-id and data-label-name per joint`, file);
    }
    const indexOf = (id: number) => nodes.findIndex((node) => node.id === id);
    const edges = [...svg.matchAll(/<line\b[^>]*>/g)].map((match) => [indexOf(Number(attribute(match[0], 'data-node-from'))), indexOf(Number(attribute(match[0], 'data-node-to')))] as [number, number]);
    if (edges.some(([a, b]) => a < 0 || b < 0)) throw new FormatError('BAD_FILE', `line ${label.line}: an edge of skeleton "${name}" names a joint it does not have`, file);
    const flipPairs: Array<[number, number]> = [];
    nodes.forEach((node, j) => {
      const other = indexOf(node.flip);
      if (other > j) flipPairs.push([j, other]);
    });
    const joints = nodes.map((node) => ({ name: node.name, defaultVisibility: (node.visibility === 0 || node.visibility === 1 ? node.visibility : 2) as 0 | 1 | 2 }));
    skeletons.set(name, { kind: 'skeleton', name, classes: [], joints, edges, flipPairs });
  }
  return skeletons;
}

/** Streams the clip: shapes go to one scratch file per track during the frame pass, then are joined in order. */
export async function exportCvat(source: AnnotationSource, writer: ExportWriter, options: ExportOptions = {}): Promise<FormatExportSummary> {
  const objects = selectObjects(source, ['mask', 'keypoints'], options.objectIds);
  if (objects.length === 0) throw new FormatError('BAD_INPUT', 'the clip has no mask or keypoints objects to write as CVAT tracks');
  const warnings: string[] = [];
  const parts = source.objects.filter((o) => o.kind === 'part' && (!options.objectIds || options.objectIds.includes(o.id)));
  if (parts.length > 0) warnings.push(`CVAT tracks here hold masks and points only; part objects left out: ${parts.map((o) => o.name).join(', ')}`);
  const plans: TrackPlan[] = [];
  const planFor = (object: AnnotatedObject, joint: number | undefined, label: string) => {
    const plan: TrackPlan = { object, joint, label, sink: writer.scratchFile(`track-${plans.length}.xml`), inside: false };
    plans.push(plan);
    return plan;
  };
  const keypointPlans = new Map<string, TrackPlan[]>();
  for (const object of objects) if (object.kind === 'mask') planFor(object, undefined, object.name);
  let framesWithData = 0;
  let emptyMasks = 0;
  const pause = cancellableSlices();
  for (let frameIndex = 0; frameIndex < source.frameCount; frameIndex++) {
    await pause(options.signal);
    const annotations = source.annotationsAt(frameIndex);
    const seen = new Set<TrackPlan>();
    for (const annotation of annotations) {
      const object = objects.find((o) => o.id === annotation.objectId);
      if (!object) continue;
      if (annotation.kind === 'labels') {
        const plan = plans.find((p) => p.object === object)!;
        const geometry = maskShape(annotation.labels, source.width, source.height);
        if (!geometry) {
          emptyMasks++;
          continue;
        }
        writeShape(plan, frameIndex, geometry, annotation.keyframe, false, false);
        [plan.last, plan.inside] = [geometry, true];
        seen.add(plan);
      } else {
        let jointPlans = keypointPlans.get(object.id);
        if (!jointPlans) {
          const set = object.labelSet?.kind === 'skeleton' && object.labelSet.joints.length === annotation.keypoints.length ? object.labelSet : undefined;
          const names = set ? set.joints.map((joint) => joint.name) : keypointNames(annotation.keypoints.length);
          jointPlans = names.map((name, joint) => planFor(object, joint, name));
          keypointPlans.set(object.id, jointPlans);
        }
        if (jointPlans.length !== annotation.keypoints.length) {
          throw new FormatError('BAD_INPUT', `object "${object.name}" has ${annotation.keypoints.length} keypoints on frame ${frameIndex} but ${jointPlans.length} before`);
        }
        annotation.keypoints.forEach((point: Keypoint, joint) => {
          const plan = jointPlans![joint];
          const geometry = `points="${point.x},${point.y}"`;
          writeShape(plan, frameIndex, geometry, annotation.keyframe, point.visibility === 0, point.visibility === 1);
          [plan.last, plan.inside] = [geometry, true];
          seen.add(plan);
        });
      }
    }
    // A track that showed on the previous frame and has nothing now ends with an outside shape.
    for (const plan of plans) {
      if (plan.inside && !seen.has(plan)) {
        writeShape(plan, frameIndex, plan.last!, true, true, false);
        plan.inside = false;
      }
    }
    if (seen.size > 0) framesWithData++;
    options.onProgress?.({ done: frameIndex + 1, total: source.frameCount, message: `CVAT frame ${frameIndex + 1} of ${source.frameCount}` });
  }
  if (emptyMasks > 0) warnings.push(`${emptyMasks} empty mask annotations are written as "outside" (CVAT has no empty mask shape)`);
  const out = writer.openFile([cvatAnnotationFile]);
  const labels = new Map<string, string>();
  for (const plan of plans) if (!labels.has(plan.label)) labels.set(plan.label, plan.joint === undefined ? 'mask' : 'points');
  const skeletons = new Map<string, LabelSetDefinition>();
  for (const object of objects) if (object.labelSet?.kind === 'skeleton' && keypointPlans.has(object.id)) skeletons.set(object.labelSet.name, object.labelSet);
  const parentOf = new Map<string, string>();
  for (const [name, set] of skeletons) for (const joint of set.joints) if (!parentOf.has(joint.name)) parentOf.set(joint.name, name);
  const labelXml = [...labels].map(([name, type], i) => {
    const attributes = type === 'points'
      ? '<attributes><attribute><name>object</name><mutable>False</mutable><input_type>text</input_type><default_value></default_value><values></values></attribute></attributes>'
      : '<attributes></attributes>';
    const parent = parentOf.has(name) ? `<parent>${escapeXml(parentOf.get(name)!)}</parent>` : '';
    return `      <label><name>${escapeXml(name)}</name><color>${hexColor(i + 1)}</color><type>${type}</type>${parent}${attributes}</label>\n`;
  });
  [...skeletons].forEach(([name, set], i) => labelXml.push(`      <label><name>${escapeXml(name)}</name><color>${hexColor(labels.size + i + 1)}</color><type>skeleton</type><svg>${escapeXml(skeletonSvg(set))}</svg><attributes></attributes></label>\n`));
  out.write(`<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n    <task>\n`);
  out.write(`      <name>${escapeXml(sequenceNameOf(source.name))}</name>\n      <size>${source.frameCount}</size>\n      <mode>interpolation</mode>\n      <overlap>0</overlap>\n`);
  out.write(`      <start_frame>0</start_frame>\n      <stop_frame>${source.frameCount - 1}</stop_frame>\n      <frame_filter></frame_filter>\n      <labels>\n${labelXml.join('')}      </labels>\n`);
  out.write(`      <original_size><width>${source.width}</width><height>${source.height}</height></original_size>\n    </task>\n    <dumped>${new Date().toISOString()}</dumped>\n  </meta>\n`);
  plans.forEach((plan, id) => {
    plan.sink.close();
    out.write(`  <track id="${id}" label="${escapeXml(plan.label)}" source="manual" group_id="${plan.object.paletteIndex}">\n`);
    copyInto(out, plan.sink.filePath);
    out.write('  </track>\n');
  });
  out.write('</annotations>\n');
  out.close();
  return { frames: framesWithData, objects: objects.length, warnings };
}

// ── import ─────────────────────────────────────────────────────────────────────────────────────────────────

interface Shape {
  frame: number;
  keyframe: boolean;
  outside: boolean;
  occluded: boolean;
  element: XmlElement;
}

interface Track {
  object: AnnotatedObject;
  joint?: number;
  shapes: Shape[];
}

function integerAttribute(element: XmlElement, name: string, file: string, minimum = 0): number {
  const value = Number(element.attributes[name]);
  if (element.attributes[name] === undefined || !Number.isInteger(value) || value < minimum) {
    throw new FormatError('BAD_FILE', `line ${element.line}: <${element.name}> needs ${name} as a whole number ≥ ${minimum}, got ${JSON.stringify(element.attributes[name] ?? null)}`, file);
  }
  return value;
}

function decodeMaskShape(element: XmlElement, width: number, height: number, file: string): Uint8Array {
  const [left, top, boxWidth, boxHeight] = ['left', 'top', 'width', 'height'].map((name, i) => integerAttribute(element, name, file, i < 2 ? 0 : 1));
  if (left + boxWidth > width || top + boxHeight > height) throw new FormatError('BAD_FILE', `line ${element.line}: the mask box leaves the ${width}×${height} frame`, file);
  const counts = (element.attributes.rle ?? '').split(',').map((part) => Number(part.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 0)) throw new FormatError('BAD_FILE', `line ${element.line}: rle must be comma-separated run lengths`, file);
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total !== boxWidth * boxHeight) throw new FormatError('BAD_FILE', `line ${element.line}: rle covers ${total} pixels, the box is ${boxWidth}×${boxHeight}`, file);
  const labels = new Uint8Array(width * height);
  let position = 0;
  counts.forEach((count, i) => {
    if (i % 2 === 1) {
      for (let p = position; p < position + count; p++) labels[(top + Math.floor(p / boxWidth)) * width + left + (p % boxWidth)] = 1;
    }
    position += count;
  });
  return labels;
}

function pointOf(element: XmlElement, file: string): { x: number; y: number } {
  const values = (element.attributes.points ?? '').split(/[,;]/).map(Number);
  if (values.length !== 2 || values.some((v) => !Number.isFinite(v))) throw new FormatError('BAD_FILE', `line ${element.line}: a joint's points must be one "x,y" pair`, file);
  return { x: values[0], y: values[1] };
}

function readCvatXml(from: string): { file: string; root: XmlElement } {
  if (!existsSync(from)) throw new FormatError('NOT_FOUND', 'does not exist', from);
  const file = statSync(from).isDirectory() ? path.join(from, cvatAnnotationFile) : from;
  if (!existsSync(file)) throw new FormatError('NOT_FOUND', `no ${cvatAnnotationFile} here`, file);
  const bytes = readFileSync(file);
  if (bytes.length === 0) throw new FormatError('BAD_FILE', 'the file is empty (0 bytes)', file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError('BAD_FILE', 'is not UTF-8 text', file);
  }
  const root = parseXml(text, file);
  if (root.name !== 'annotations') throw new FormatError('BAD_FILE', `the root element is <${root.name}>, not <annotations>`, file);
  if (root.children.some((c) => c.name === 'image') && !root.children.some((c) => c.name === 'track')) {
    throw new FormatError('UNSUPPORTED', 'is "CVAT for images" (<image> elements); export the task as "CVAT for video 1.1"', file);
  }
  return { file, root };
}

/** Tracks → objects: mask tracks one each; points tracks grouped by group_id into one keypoints object. */
function buildTracks(root: XmlElement, file: string, skeletons: Map<string, LabelSetDefinition>): Track[] {
  const tracks: Track[] = [];
  const groups = new Map<string, Track[]>();
  const used = new Set<number>();
  const freeIndex = (wanted: number) => {
    const index = wanted >= 1 && wanted <= 255 && !used.has(wanted) ? wanted : Array.from({ length: 255 }, (_, i) => i + 1).find((i) => !used.has(i));
    if (index === undefined) throw new FormatError('BAD_FILE', 'more than 255 tracks', file);
    used.add(index);
    return index;
  };
  for (const track of root.children.filter((c) => c.name === 'track')) {
    const shapes = track.children.filter((c) => c.name === 'mask' || c.name === 'points');
    if (shapes.length === 0) continue;
    const kind = shapes[0].name;
    if (shapes.some((s) => s.name !== kind)) throw new FormatError('UNSUPPORTED', `line ${track.line}: track mixes <mask> and <points>`, file);
    const parsed = shapes
      .map((element) => ({
        frame: integerAttribute(element, 'frame', file),
        keyframe: element.attributes.keyframe !== '0',
        outside: element.attributes.outside === '1',
        occluded: element.attributes.occluded === '1',
        element,
      }))
      .sort((a, b) => a.frame - b.frame);
    parsed.forEach((shape, i) => {
      if (i > 0 && parsed[i - 1].frame === shape.frame) throw new FormatError('BAD_FILE', `line ${shape.element.line}: two shapes of one track on frame ${shape.frame}`, file);
    });
    const label = track.attributes.label ?? 'object';
    const group = Number(track.attributes.group_id ?? NaN);
    if (kind === 'mask') {
      tracks.push({ object: { id: `cvat-${track.attributes.id ?? tracks.length}`, name: label, kind: 'mask', paletteIndex: group }, shapes: parsed });
      continue;
    }
    const key = Number.isInteger(group) && group > 0 ? `group-${group}` : `track-${track.attributes.id}`;
    const members = groups.get(key) ?? [];
    const objectName = parsed.map((s) => child(s.element, 'attribute')).find((a) => a?.attributes.name === 'object')?.text;
    const skeleton = members[0]?.object.labelSet ?? [...skeletons.values()].find((set) => set.joints.some((joint) => joint.name === label));
    const object = members[0]?.object ?? { id: `cvat-${key}`, name: objectName ?? 'person', kind: 'keypoints' as const, paletteIndex: group, ...(skeleton ? { labelSet: skeleton } : {}) };
    const ownJoint = skeleton ? skeleton.joints.findIndex((joint) => joint.name === label) : -1;
    if (skeleton && ownJoint < 0) throw new FormatError('BAD_FILE', `line ${track.line}: track "${label}" is grouped with joints of skeleton "${skeleton.name}", which has no joint "${label}"`, file);
    const jhmdbJoint = jhmdbJointNames.indexOf(label);
    members.push({ object, joint: skeleton ? ownJoint : jhmdbJoint >= 0 ? jhmdbJoint : members.length, shapes: parsed });
    groups.set(key, members);
    tracks.push(members[members.length - 1]);
  }
  // Palette indices: the group ids of our own exports, else the first free ones.
  const objects = [...new Set(tracks.map((t) => t.object))];
  for (const object of objects) object.paletteIndex = freeIndex(object.paletteIndex);
  for (const members of groups.values()) {
    if (members[0]!.object.labelSet) continue;
    const joints = members.map((m) => m.joint!);
    if (new Set(joints).size !== joints.length || joints.some((j) => j >= members.length)) members.forEach((m, i) => (m.joint = i));
  }
  return tracks;
}

/** The shape state of a track at `frame`: the shape itself, or the one before it continued (not outside). */
function stateAt(track: Track, frame: number): { shape: Shape; next?: Shape } | undefined {
  let low = 0;
  let high = track.shapes.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (track.shapes[middle].frame <= frame) [found, low] = [middle, middle + 1];
    else high = middle - 1;
  }
  if (found < 0) return undefined;
  return { shape: track.shapes[found], next: track.shapes[found + 1] };
}

/**
 * Reads "CVAT for video 1.1". Masks are decoded when a frame is read; everything else (structure, every rle and
 * box) is checked here first. Non-keyframe frames between shapes follow CVAT: points interpolate linearly,
 * masks hold their last shape.
 */
export function importCvat(from: string, frameSize?: ExpectedFrameSize): ImportedAnnotations {
  const { file, root } = readCvatXml(from);
  const task = child(child(root, 'meta') ?? root, 'task') ?? child(child(root, 'meta') ?? root, 'job');
  const size = task && child(task, 'original_size');
  const width = Number(size && child(size, 'width')?.text);
  const height = Number(size && child(size, 'height')?.text);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) throw new FormatError('BAD_FILE', 'meta/task/original_size has no width and height', file);
  // Every mask shape allocates a frame of this size: check it before the first is decoded.
  const tooLarge = frameSizeProblem(width, height);
  if (tooLarge) throw new FormatError('BAD_FILE', `meta/task/original_size ${tooLarge}`, file);
  if (frameSize && (width !== frameSize.width || height !== frameSize.height)) throw sizeMismatch(width, height, frameSize, file, 'meta/task/original_size ');
  const frameCount = Number(task && child(task, 'size')?.text);
  if (!(Number.isInteger(frameCount) && frameCount > 0)) throw new FormatError('BAD_FILE', 'meta/task/size (the frame count) is missing', file);
  const tracks = buildTracks(root, file, readSkeletons(task, file));
  for (const track of tracks) {
    for (const shape of track.shapes) {
      if (shape.frame >= frameCount) throw new FormatError('MISMATCH', `line ${shape.element.line}: frame ${shape.frame} is past the task's ${frameCount} frames`, file);
      if (track.joint === undefined) decodeMaskShape(shape.element, width, height, file);
      else pointOf(shape.element, file);
    }
  }
  const objects = [...new Set(tracks.map((t) => t.object))];
  const annotationsAt = (frameIndex: number): FrameAnnotation[] => {
    const out: FrameAnnotation[] = [];
    for (const object of objects) {
      const members = tracks.filter((t) => t.object === object);
      if (object.kind === 'mask') {
        const state = stateAt(members[0], frameIndex);
        if (!state || state.shape.outside) continue;
        out.push({ objectId: object.id, keyframe: state.shape.frame === frameIndex && state.shape.keyframe, kind: 'labels', labels: decodeMaskShape(state.shape.element, width, height, file) });
        continue;
      }
      const keypoints: Keypoint[] = Array.from({ length: object.labelSet?.joints.length ?? members.length }, () => ({ x: 0, y: 0, visibility: 0 as const }));
      let any = false;
      let keyframe = false;
      for (const member of members) {
        const state = stateAt(member, frameIndex);
        if (!state) {
          keypoints[member.joint!] = { x: 0, y: 0, visibility: 0 };
          continue;
        }
        let point = pointOf(state.shape.element, file);
        const { shape, next } = state;
        if (shape.frame !== frameIndex && !shape.outside && next && !next.outside) {
          const to = pointOf(next.element, file);
          const t = (frameIndex - shape.frame) / (next.frame - shape.frame);
          point = { x: point.x + (to.x - point.x) * t, y: point.y + (to.y - point.y) * t };
        }
        keypoints[member.joint!] = { ...point, visibility: shape.outside ? 0 : shape.occluded ? 1 : 2 };
        if (!shape.outside) any = true;
        if (shape.frame === frameIndex && shape.keyframe && !shape.outside) keyframe = true;
      }
      if (any) out.push({ objectId: object.id, keyframe, kind: 'keypoints', keypoints });
    }
    return out;
  };
  const frameIndices = Array.from({ length: frameCount }, (_, i) => i).filter((i) =>
    tracks.some((track) => {
      const state = stateAt(track, i);
      return state !== undefined && !state.shape.outside;
    }),
  );
  return { format: 'cvat', origin: file, name: (task && child(task, 'name')?.text) || path.basename(path.dirname(file)), width, height, frameCount, exactFrameCount: true, objects, frameIndices, warnings: [], annotationsAt };
}
