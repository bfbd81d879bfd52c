import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LabelSetDefinition } from '../vocabulary/labelSetTypes.ts';
import type { AnnotatedObject } from './annotationSource.ts';
import type { ExportWriter } from './exportWriter.ts';
import { FormatError } from './formatError.ts';

// Formats whose files hold only ids (DAVIS and YouTube-VOS object ids, VIP class ids) carry vocabularies in their
// palette order: class i of a part set is value i, a mask object keeps its palette index. The names, colours and
// the classes of mask objects go beside them in one extra file other tools ignore, so our import restores the
// label sets exactly (issue 21).

export const labelSetSidecarFile = 'correspond_label_sets.json';

interface SidecarJson {
  label_sets: LabelSetDefinition[];
  /** Per exported object: its palette index, name, label set (index into label_sets) and class. */
  objects: Array<{ palette_index: number; name: string; kind: string; label_set: number; class_index: number | null }>;
}

/** Writes the sidecar when an exported object has a label set; returns whether it did. */
export function writeLabelSetSidecar(writer: ExportWriter, objects: readonly AnnotatedObject[]): boolean {
  const sets: LabelSetDefinition[] = [];
  const keys: string[] = [];
  const entries: SidecarJson['objects'] = [];
  for (const object of objects) {
    if (!object.labelSet) continue;
    const key = JSON.stringify(object.labelSet);
    let index = keys.indexOf(key);
    if (index < 0) {
      index = keys.length;
      keys.push(key);
      sets.push(object.labelSet);
    }
    entries.push({ palette_index: object.paletteIndex, name: object.name, kind: object.kind, label_set: index, class_index: object.classIndex ?? null });
  }
  if (entries.length === 0) return false;
  writer.writeFile([labelSetSidecarFile], `${JSON.stringify({ label_sets: sets, objects: entries } satisfies SidecarJson, null, 1)}\n`);
  return true;
}

/** The sidecar of an export: in `from` or a folder between the sequence folder and `from` (at most 3 levels up). */
export function readLabelSetSidecar(from: string, sequenceFolder: string): { file: string; json: SidecarJson } | undefined {
  const candidates = [from, sequenceFolder, path.dirname(sequenceFolder), path.dirname(path.dirname(sequenceFolder)), path.dirname(path.dirname(path.dirname(sequenceFolder)))];
  const file = candidates.map((folder) => path.join(folder, labelSetSidecarFile)).find((candidate) => existsSync(candidate));
  if (!file) return undefined;
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as SidecarJson;
    if (!Array.isArray(json.label_sets) || !Array.isArray(json.objects)) throw new Error('it needs "label_sets" and "objects" lists');
    json.objects.forEach((entry, index) => {
      if (!json.label_sets[entry.label_set]) throw new Error(`object ${index} names label set ${entry.label_set}, which is not listed`);
    });
    return { file, json };
  } catch (error) {
    throw new FormatError('BAD_FILE', `is not a Correspond label set file (${(error as Error).message})`, file);
  }
}

/** Gives imported objects the sets and classes the sidecar lists for their palette index (and their names back). */
export function applyLabelSetSidecar(objects: AnnotatedObject[], sidecar: ReturnType<typeof readLabelSetSidecar>): void {
  if (!sidecar) return;
  for (const object of objects) {
    const entry = sidecar.json.objects.find((candidate) => candidate.palette_index === object.paletteIndex && candidate.kind === object.kind);
    if (!entry) continue;
    object.labelSet = sidecar.json.label_sets[entry.label_set];
    object.classIndex = entry.class_index;
    if (typeof entry.name === 'string' && entry.name.trim()) object.name = entry.name;
  }
}

/** The part set of a sidecar (VIP writes all part objects into one map, so one set names its class ids). */
export function sidecarPartSet(sidecar: ReturnType<typeof readLabelSetSidecar>): LabelSetDefinition | undefined {
  const entry = sidecar?.json.objects.find((candidate) => candidate.kind === 'part');
  return entry ? sidecar!.json.label_sets[entry.label_set] : undefined;
}
