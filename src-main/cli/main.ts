import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CliCommand, UsageError } from './cliCommand.ts';

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

/** Every file in `commands/` (tests aside) exports one `command`; discovering them keeps each command self-contained. */
async function loadCommands(): Promise<CliCommand[]> {
  const files = readdirSync(commandsDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .sort();
  const commands: CliCommand[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(commandsDir, file)).href)) as { command?: CliCommand };
    if (module.command) commands.push(module.command);
  }
  return commands.sort((a, b) => a.name.localeCompare(b.name));
}

function helpText(commands: CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Correspond: propagate masks, parts and keypoints through video by dense feature correspondence.',
    '',
    'Usage: npx correspond <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `npx correspond <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${helpText(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${helpText(commands)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`correspond ${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`correspond ${name}: ${message}\n`);
    return 1;
  }
}
