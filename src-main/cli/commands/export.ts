import { resolve } from 'node:path';
import { exportAnnotations, type FormatExportOptions } from '../../core/formats/annotationFormats.ts';
import { type AnnotationFormat, annotationFormats, type RgbFrameAt } from '../../core/formats/annotationSource.ts';
import { projectAnnotationSource } from '../../core/formats/projectAnnotationSource.ts';
import { ProjectStore } from '../../core/store/projectStore.ts';
import type { ClipRecord } from '../../core/store/types.ts';
import { FrameSource, sourceInfoOf } from '../../core/video/index.ts';
import { type CliCommand, type ParsedArgs, parseArgs, printResult, requiredFlag, stringFlag, UsageError } from '../cliCommand.ts';

const usage = `Usage:
  correspond export --project FILE.correspond --clip ID --format davis|jhmdb|vip|coco|cvat|ytvos --out DIR
                    [--objects ID,ID] [--frames] [--all-frames] [--overwrite] [--sequence NAME] [--class NAME]

Writes one clip's annotations in a dataset format. The export is written into a temporary folder beside --out and
renamed into place when complete, so an interrupted export leaves nothing half-written.
  davis   Annotations/480p/<seq>/%05d.png palette PNGs (VOC colours, value = palette index; 255 void),
          ImageSets/2017/val.txt; --frames adds JPEGImages/480p/<seq>/%05d.jpg       (mask objects)
  jhmdb   joint_positions/<class>/<video>/joint_positions.mat (pos_img, pos_world); puppet_mask.mat for a part
          object; --frames adds Rename_Images/<class>/<video>/%05d.png from 00001      (keypoints, part)
  vip     Category_ids/<video>/%05d.png grey class-id PNGs                                (part objects)
  coco    annotations/instances_default.json: RLE masks, keypoints [x,y,v]; --frames adds images/%05d.jpg
  cvat    annotations.xml, CVAT for video 1.1: mask tracks and one points track per joint
  ytvos   Annotations/<video>/%05d.png + meta.json; --frames adds JPEGImages/<video>/%05d.jpg
  --clip        clip id (or its name); may be left out when the project has one clip
  --objects     only these object ids (default: every object the format holds)
  --frames      also write the clip's frames (decoded with ffmpeg from the clip's source)
  --all-frames  davis/vip/ytvos: a label PNG for every frame, not only annotated ones
  --overwrite   replace an earlier export in --out (only if it holds nothing else; swapped when complete)
  --sequence    sequence/video folder name (default: the clip name without its extension)
  --class       jhmdb action class folder (default: annotated)
Progress goes to stderr; the last stdout line is {"format","out","files","fileCount","frames","objects","warnings"}.`;

/** The clip named by --clip (id or unique name), or the only clip of the project. */
export function chooseClip(store: ProjectStore, args: ParsedArgs): ClipRecord {
  const wanted = stringFlag(args, 'clip');
  const clips = store.listClips();
  if (wanted === undefined) {
    if (clips.length === 1) return clips[0];
    throw new UsageError(`--clip is required: the project has ${clips.length} clips (${clips.map((c) => `${c.id} ${c.name}`).join('; ') || 'none'})`);
  }
  const byId = clips.find((clip) => clip.id === wanted);
  if (byId) return byId;
  const byName = clips.filter((clip) => clip.name === wanted);
  if (byName.length === 1) return byName[0];
  throw new UsageError(byName.length > 1 ? `several clips are named "${wanted}"; give its id` : `the project has no clip "${wanted}"`);
}

export function formatFlag(args: ParsedArgs): AnnotationFormat {
  const format = requiredFlag(args, 'format');
  if (!annotationFormats.includes(format as AnnotationFormat)) throw new UsageError(`--format must be one of ${annotationFormats.join(', ')}, got "${format}"`);
  return format as AnnotationFormat;
}

export const command: CliCommand = {
  name: 'export',
  summary: 'Export a clip\'s annotations as DAVIS, JHMDB, VIP, COCO, CVAT or YouTube-VOS files',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['frames', 'all-frames', 'overwrite']);
    const projectFile = requiredFlag(args, 'project');
    const format = formatFlag(args);
    const out = resolve(requiredFlag(args, 'out'));
    const store = ProjectStore.open(projectFile);
    let frameSource: FrameSource | undefined;
    try {
      const clip = chooseClip(store, args);
      const objects = stringFlag(args, 'objects');
      if (args.flags.get('frames') === true) frameSource = new FrameSource(sourceInfoOf(clip), { cacheFrames: 2 });
      const frames = frameSource && (() => frameSource!.readFrames() as AsyncIterable<RgbFrameAt>);
      let reported = -1;
      const options: FormatExportOptions = {
        objectIds: objects ? objects.split(',').map((id) => id.trim()).filter(Boolean) : undefined,
        frames,
        allFrames: args.flags.get('all-frames') === true,
        overwrite: args.flags.get('overwrite') === true,
        sequenceName: stringFlag(args, 'sequence'),
        className: stringFlag(args, 'class'),
        onProgress: ({ done, total, message }) => {
          const percent = Math.floor((100 * done) / total);
          if (percent >= reported + 10 || done === total) {
            reported = percent;
            process.stderr.write(`${message}\n`);
          }
        },
      };
      const result = await exportAnnotations(format, projectAnnotationSource(store, clip.id), out, options);
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
      printResult(result);
      return 0;
    } finally {
      frameSource?.close();
      store.close();
    }
  },
};
