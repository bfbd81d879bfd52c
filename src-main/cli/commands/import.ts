import { importAnnotationsIntoClip } from '../../core/formats/annotationImportRunner.ts';
import { ProjectStore } from '../../core/store/projectStore.ts';
import { type CliCommand, parseArgs, printResult, requiredFlag, stringFlag } from '../cliCommand.ts';
import { chooseClip, formatFlag } from './export.ts';

const usage = `Usage:
  correspond import --project FILE.correspond --clip ID --format davis|jhmdb|vip|coco|cvat|ytvos --from PATH
                    [--sequence NAME] [--any-palette] [--replace]

Reads annotation files into a clip, all in one transaction: on any error nothing is imported.
  --from         davis: a DAVIS root, its Annotations/480p folder or one sequence folder (palette PNGs; 255 = void,
                 kept as a "void" object; DAVIS-2016 grey 0/255 or 0/1 masks as one object)
                 jhmdb: joint_positions.mat, its folder, or a JHMDB root (puppet_mask.mat beside it is read too)
                 vip: a VIP_Fine root or one Category_ids/<video> folder
                 coco: the JSON file or an export folder; cvat: annotations.xml or its folder
                 ytvos: a YouTube-VOS root (Annotations/ + meta.json) or one Annotations/<video> folder
  --clip         clip id (or name); may be left out when the project has one clip. Its size must match the
                 files and it must have the frames they annotate
  --sequence     the sequence/video to read from a root holding several (jhmdb: <class>/<video>)
  --any-palette  davis/ytvos: accept palette PNGs whose colours are not the VOC map
  --replace      delete the clip's objects first (same transaction); default: add new objects beside them
The last stdout line is {"format","from","clipId","objects":[...],"frames","annotations","keyframes","runId","warnings"}.`;

export const command: CliCommand = {
  name: 'import',
  summary: 'Import DAVIS, JHMDB, VIP, COCO, CVAT or YouTube-VOS annotations into a clip (one transaction)',
  usage,
  async run(argv) {
    const args = parseArgs(argv, ['any-palette', 'replace']);
    const projectFile = requiredFlag(args, 'project');
    const format = formatFlag(args);
    const from = requiredFlag(args, 'from');
    const store = ProjectStore.open(projectFile);
    try {
      const clip = chooseClip(store, args);
      const options = {
        sequence: stringFlag(args, 'sequence'),
        anyPalette: args.flags.get('any-palette') === true,
        frameSize: { width: clip.width, height: clip.height, of: `clip "${clip.name}"` },
      };
      const result = await importAnnotationsIntoClip(store, clip.id, { format, from, options }, { replace: args.flags.get('replace') === true });
      process.stderr.write(`read ${result.objects.length} object(s), ${result.frames} annotated frame(s) from ${result.origin}\n`);
      for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
      const { origin, format: _format, ...written } = result;
      printResult({ format, from: origin, ...written });
      return 0;
    } finally {
      store.close();
    }
  },
};
