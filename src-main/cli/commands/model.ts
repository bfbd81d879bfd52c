import { resolve } from 'node:path';
import { type CliCommand, parseArgs, printResult, stringFlag, UsageError } from '../cliCommand.ts';
import { CHECKPOINT_PRESETS } from '../../core/models/checkpoints/checkpointPresets.ts';
import { importModel } from '../../core/models/checkpoints/importModel.ts';
import { defaultModelRegistryDirectory, ModelRegistry, type RegisteredModel } from '../../core/models/checkpoints/modelRegistry.ts';
import { ModelError } from '../../core/models/modelError.ts';

const presetLines = CHECKPOINT_PRESETS.map((preset) => `                 ${preset.name.padEnd(13)} ${preset.description}`).join('\n');

const usage = `Usage:
  correspond model import FILE --preset NAME [--name NAME] [--registry DIR]
  correspond model list [--registry DIR]
  correspond model remove ID|NAME [--registry DIR]
  correspond model presets

Keeps feature models in a registry folder; a registered model's "path" works as --stream FILE.onnx.
  import         FILE is an official PyTorch checkpoint (.pth / .pth.tar: zip, legacy or tar format), converted
                 without Python into a stride-8 ONNX ResNet trunk (layer3 stride 1, layer4 removed, BatchNorm
                 folded, the preset's mean/std inside the graph), or a ready .onnx (its output must be stride 8).
                 The pickle is read with an allow-list and never executed.
  --preset       which network the checkpoint holds (required for checkpoints):
${presetLines}
  --name         name to refer to the model by (default: <preset>-<file name>)
  --registry     registry folder (default $CORRESPOND_HOME/models or ~/.local/share/correspond/models)
The last stdout line is a JSON object: {"ok":true,...} or {"ok":false,"error":{"code","message"}}.`;

export const command: CliCommand = {
  name: 'model',
  summary: 'Import PyTorch checkpoints (SFC, MoCo, CRW, VFS) as stride-8 ONNX feature models; list, remove',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const [action, target, ...extra] = args.positional;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const registry = new ModelRegistry(resolve(stringFlag(args, 'registry') ?? defaultModelRegistryDirectory()));
    try {
      switch (action) {
        case 'import': {
          if (target === undefined) throw new UsageError('model import needs the checkpoint or .onnx file');
          const log = (line: string) => process.stderr.write(`${line}\n`);
          const result = await importModel({ file: target, preset: stringFlag(args, 'preset'), name: stringFlag(args, 'name'), registry, log });
          log(`${result.added ? 'registered' : 'already registered'}: ${result.model.name} (${result.model.id}, ${result.model.channels} channels) at ${result.modelFile}`);
          printResult({ ok: true, added: result.added, registry: registry.directory, model: describeModel(registry, result.model) });
          return 0;
        }
        case 'list': {
          if (target !== undefined) throw new UsageError('model list takes no argument');
          const models = registry.list();
          for (const model of models) process.stdout.write(`${model.id}  ${model.name}  ${model.preset ?? '-'}  ${model.role}  ${model.channels} ch\n`);
          printResult({ ok: true, registry: registry.directory, models: models.map((model) => describeModel(registry, model)) });
          return 0;
        }
        case 'remove': {
          if (target === undefined) throw new UsageError('model remove needs the model id or name');
          const removed = registry.remove(target);
          printResult({ ok: true, registry: registry.directory, removed });
          return 0;
        }
        case 'presets':
          printResult({ ok: true, presets: CHECKPOINT_PRESETS });
          return 0;
        default:
          throw new UsageError(action === undefined ? 'say import, list, remove or presets' : `unknown action "${action}"`);
      }
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      process.stderr.write(`correspond model: ${error.message}\n`);
      printResult({ ok: false, error: { code: error.code, message: error.message } });
      return 1;
    }
  },
};

function describeModel(registry: ModelRegistry, model: RegisteredModel): RegisteredModel & { path: string } {
  return { ...model, path: registry.modelPath(model) };
}
