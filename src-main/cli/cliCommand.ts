import type { PropagationSettings } from '../core/engine/propagationKernel.ts';

/** One `npx correspond <name>` command. Each lives in `src-main/cli/commands/<name>.ts` as `export const command`. */
export interface CliCommand {
  /** Word typed after `correspond`, e.g. `serve` or `eval`. */
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Full usage text shown by `correspond <name> --help`. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Thrown for wrong command-line usage: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  positional: string[];
}

/** Parses `--key value`, `--key=value` and bare `--flag`; `booleanFlags` never take a value. */
export function parseArgs(argv: string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
      continue;
    }
    const key = arg.slice(2);
    const next = argv[i + 1];
    if (booleanFlags.includes(key) || next === undefined || next.startsWith('--')) flags.set(key, true);
    else {
      flags.set(key, next);
      i++;
    }
  }
  return { flags, positional };
}

export function stringFlag(args: ParsedArgs, key: string, fallback?: string): string | undefined {
  const value = args.flags.get(key);
  if (value === true) throw new UsageError(`--${key} needs a value`);
  return value ?? fallback;
}

export function requiredFlag(args: ParsedArgs, key: string): string {
  const value = stringFlag(args, key);
  if (value === undefined) throw new UsageError(`--${key} is required`);
  return value;
}

export function numberFlag(args: ParsedArgs, key: string, fallback: number): number {
  const value = stringFlag(args, key);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`--${key} must be a number, got "${value}"`);
  return parsed;
}

/** Commands print a JSON object as their last line of output (machine-readable result). */
export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** `--kernel gemm|js` (default gemm): which kernel runner computes propagation; both give the same bits. */
export function kernelFlag(args: ParsedArgs): 'gemm' | 'js' {
  const value = stringFlag(args, 'kernel', 'gemm');
  if (value !== 'gemm' && value !== 'js') throw new UsageError(`--kernel must be gemm or js, got "${value}"`);
  return value;
}

/** `--topk --context --radius --temperature`: propagation settings (CRW's defaults but for the context length). */
export function propagationSettings(args: ParsedArgs, contextFrames: number): PropagationSettings {
  return {
    topK: numberFlag(args, 'topk', 10),
    contextFrames: numberFlag(args, 'context', contextFrames),
    radiusCells: numberFlag(args, 'radius', 12),
    temperature: numberFlag(args, 'temperature', 0.05),
  };
}
