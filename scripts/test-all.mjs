// `npm test`: everything, in order — layer rules, type checks, vitest (unit + integration), the app build, and the
// Playwright suite in Debian Chromium against the real browser host. Ends with one summary line
// "N passed, N failed, N skipped" over vitest and Playwright.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const reports = mkdtempSync(join(tmpdir(), 'correspond-test-'));
const bin = (name) => join(root, 'node_modules/.bin', name);
const steps = [];

function step(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${[command, ...args].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = result.status === 0;
  steps.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return ok;
}

/** The training worker's own unittests, under the Python the app itself would use (one that can import torch). */
function pythonTrainerTests() {
  const none = { passed: 0, failed: 0, skipped: 0 };
  const candidates = [process.env.CORRESPOND_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  const python = candidates.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  console.log(`\n=== trainer (python unittest)`);
  if (!python) {
    console.log(`skipped: no Python with torch among ${candidates.join(', ')} (apt install python3-torch, or set CORRESPOND_PYTHON)`);
    steps.push({ name: 'trainer (python unittest, skipped: no torch)', ok: true, seconds: 0 });
    return none;
  }
  const started = Date.now();
  const result = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'resources/trainer/tests'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' },
  });
  process.stdout.write(result.stdout ?? '');
  process.stdout.write(result.stderr ?? '');
  const output = `${result.stdout}${result.stderr}`;
  const ran = Number(/Ran (\d+) tests?/.exec(output)?.[1] ?? 0);
  const number = (name) => Number(new RegExp(`${name}=(\\d+)`).exec(output)?.[1] ?? 0);
  const failed = number('failures') + number('errors');
  const skipped = number('skipped');
  const ok = result.status === 0 && ran > 0;
  steps.push({ name: `trainer (python unittest, ${python})`, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return { passed: ran - failed - skipped, failed: ok ? failed : Math.max(failed, 1), skipped };
}

step('layers', process.execPath, ['scripts/check-layers.mjs']);
step('types (main, core, tests)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.node.json']);
step('types (renderer)', bin('vue-tsc'), ['--noEmit', '-p', 'tsconfig.web.json']);
const vitestReport = join(reports, 'vitest.json');
step('vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]);
const trainer = pythonTrainerTests();
const built = step('build', process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
const playwrightReport = join(reports, 'playwright.json');
if (built) {
  step('playwright', bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport });
}

const counts = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8'));
  counts.passed += report.numPassedTests;
  counts.failed += report.numFailedTests;
  counts.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
}
if (existsSync(playwrightReport)) {
  const { stats } = JSON.parse(readFileSync(playwrightReport, 'utf8'));
  counts.passed += stats.expected + (stats.flaky ?? 0);
  counts.failed += stats.unexpected;
  counts.skipped += stats.skipped;
}

counts.passed += trainer.passed;
counts.failed += trainer.failed;
counts.skipped += trainer.skipped;

console.log('\n=== summary');
for (const s of steps) console.log(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (${s.seconds} s)`);
const failedSteps = steps.filter((s) => !s.ok).length;
console.log(`${counts.passed} passed, ${counts.failed + (failedSteps && !counts.failed ? failedSteps : 0)} failed, ${counts.skipped} skipped`);
process.exit(failedSteps > 0 ? 1 : 0);
