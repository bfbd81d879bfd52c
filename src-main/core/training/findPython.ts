import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** A Python that can run the training worker. */
export interface TrainingPython {
  /** What to spawn: the candidate as probed (a path, or a bare name looked up on PATH). */
  executable: string;
  pythonVersion: string;
  torchVersion: string;
  cudaAvailable: boolean;
}

/** What one candidate turned out to be. */
export interface PythonCandidateReport {
  candidate: string;
  source: 'CORRESPOND_PYTHON' | 'default' | 'PATH';
  outcome: 'usable' | 'not-runnable' | 'not-python3' | 'no-torch';
  pythonVersion?: string;
  executable?: string;
  detail?: string;
}

export type PythonSearchResult =
  | { found: true; python: TrainingPython; candidates: PythonCandidateReport[] }
  | { found: false; code: 'PYTHON_NOT_FOUND' | 'TORCH_MISSING'; message: string; candidates: PythonCandidateReport[] };

export interface FindPythonOptions {
  /** Defaults to process.env (CORRESPOND_PYTHON is read from it). */
  env?: NodeJS.ProcessEnv;
  /** Replaces the default candidate list (for tests). */
  candidates?: Array<{ candidate: string; source: PythonCandidateReport['source'] }>;
  /** Per-candidate probe limit; importing torch takes seconds on a busy machine. */
  probeTimeoutMs?: number;
}

/**
 * Printed as one JSON line. Python-2-compatible syntax on purpose, so a `python` that is Python 2 reports its
 * version instead of a SyntaxError.
 */
const PROBE_SCRIPT = [
  'import json, sys',
  'out = {"pythonVersion": sys.version.split()[0], "major": sys.version_info[0], "executable": sys.executable}',
  'try:',
  '    import torch',
  '    out["torchVersion"] = torch.__version__',
  '    out["cudaAvailable"] = bool(torch.cuda.is_available())',
  'except Exception as error:',
  '    out["torchError"] = "%s: %s" % (type(error).__name__, error)',
  'sys.stdout.write(json.dumps(out) + "\\n")',
].join('\n');

interface ProbeOutput {
  pythonVersion: string;
  major: number;
  executable: string;
  torchVersion?: string;
  cudaAvailable?: boolean;
  torchError?: string;
}

function defaultCandidates(env: NodeJS.ProcessEnv): NonNullable<FindPythonOptions['candidates']> {
  const list: NonNullable<FindPythonOptions['candidates']> = [];
  if (env.CORRESPOND_PYTHON) list.push({ candidate: env.CORRESPOND_PYTHON, source: 'CORRESPOND_PYTHON' });
  // Debian's system Python is where python3-torch installs; a pyenv/venv python3 earlier on PATH often lacks it.
  list.push({ candidate: '/usr/bin/python3', source: 'default' });
  list.push({ candidate: 'python3', source: 'PATH' }, { candidate: 'python', source: 'PATH' });
  return list;
}

function runProbe(candidate: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ output?: ProbeOutput; failure?: string }> {
  return new Promise((resolve) => {
    execFile(candidate, ['-c', PROBE_SCRIPT], { env, timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const output = JSON.parse(line) as ProbeOutput;
        if (typeof output.pythonVersion === 'string') return resolve({ output });
      } catch {
        // fall through: not a Python we can talk to
      }
      const reason = error ? ((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : error.message.split('\n')[0]) : 'no probe output';
      resolve({ failure: `${reason}${stderr.trim() ? ` (${stderr.trim().split('\n').pop()})` : ''}` });
    });
  });
}

/** The file a candidate runs (bare names looked up on PATH, symlinks resolved), to probe each interpreter once. */
function resolveCandidate(candidate: string, env: NodeJS.ProcessEnv): string {
  const paths = candidate.includes(path.sep) ? [candidate] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, candidate));
  for (const file of paths) {
    try {
      return realpathSync(file);
    } catch {
      // not in this PATH entry
    }
  }
  return candidate;
}

/**
 * The first candidate that can `import torch`: env CORRESPOND_PYTHON, then /usr/bin/python3, then `python3` and
 * `python` on PATH. Never throws; when nothing fits, `message` says exactly what is missing.
 */
export async function findPython(options: FindPythonOptions = {}): Promise<PythonSearchResult> {
  const env = options.env ?? process.env;
  const timeoutMs = options.probeTimeoutMs ?? 60_000;
  const reports: PythonCandidateReport[] = [];
  const probedFiles = new Set<string>();
  for (const { candidate, source } of options.candidates ?? defaultCandidates(env)) {
    // `python3` on PATH is often /usr/bin/python3 again: probe and report it once.
    const file = resolveCandidate(candidate, env);
    if (probedFiles.has(file)) continue;
    probedFiles.add(file);
    const { output, failure } = await runProbe(candidate, env, timeoutMs);
    if (!output) {
      reports.push({ candidate, source, outcome: 'not-runnable', detail: failure });
      continue;
    }
    const base = { candidate, source, pythonVersion: output.pythonVersion, executable: output.executable || candidate };
    if (output.major !== 3) {
      reports.push({ ...base, outcome: 'not-python3' });
    } else if (output.torchVersion === undefined) {
      reports.push({ ...base, outcome: 'no-torch', detail: output.torchError });
    } else {
      reports.push({ ...base, outcome: 'usable' });
      // Spawn what was probed: a wrapper script may set up the environment torch needs.
      const python = { executable: candidate, pythonVersion: output.pythonVersion, torchVersion: output.torchVersion, cudaAvailable: output.cudaAvailable === true };
      return { found: true, python, candidates: reports };
    }
  }
  return { found: false, ...explainMissing(reports), candidates: reports };
}

function explainMissing(reports: PythonCandidateReport[]): { code: 'PYTHON_NOT_FOUND' | 'TORCH_MISSING'; message: string } {
  const tried = reports.map((report) => report.candidate).join(', ');
  const withoutTorch = reports.filter((report) => report.outcome === 'no-torch');
  if (withoutTorch.length === 0) {
    return { code: 'PYTHON_NOT_FOUND', message: `no Python 3 found (tried ${tried}); set CORRESPOND_PYTHON to a Python 3 with torch` };
  }
  const lines = withoutTorch.map((report) => {
    const version = report.pythonVersion!.split('.').slice(0, 2).join('.');
    return `Python ${version} at ${report.executable} has no torch: install python3-torch or pip install torch`;
  });
  return { code: 'TORCH_MISSING', message: lines.join('; ') };
}
