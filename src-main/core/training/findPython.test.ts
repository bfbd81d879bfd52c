import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython } from './findPython.ts';

const systemPython = '/usr/bin/python3';
const shadowDir = mkdtempSync(path.join(tmpdir(), 'correspond-notorch-'));
// A `torch` module that fails to import makes a real Python 3 look exactly like one without torch installed.
writeFileSync(path.join(shadowDir, 'torch.py'), 'raise ImportError("No module named torch (shadowed by the test)")\n');
afterAll(() => rmSync(shadowDir, { recursive: true, force: true }));

describe('findPython', () => {
  it('says "no Python 3 found" when no candidate runs', async () => {
    const result = await findPython({ candidates: [{ candidate: '/nonexistent/python3', source: 'CORRESPOND_PYTHON' }] });
    expect(result).toMatchObject({ found: false, code: 'PYTHON_NOT_FOUND' });
    if (!result.found) expect(result.message).toMatch(/^no Python 3 found \(tried \/nonexistent\/python3\)/);
    expect(result.candidates[0]).toMatchObject({ outcome: 'not-runnable', detail: 'not found' });
  });

  it.skipIf(!existsSync(systemPython))('names the Python version and path that lack torch, and how to install it', async () => {
    const env = { ...process.env, PYTHONPATH: shadowDir };
    const result = await findPython({ env, candidates: [{ candidate: systemPython, source: 'default' }] });
    expect(result.found).toBe(false);
    if (result.found) return;
    expect(result.code).toBe('TORCH_MISSING');
    expect(result.message).toMatch(/^Python 3\.\d+ at \/usr\/bin\/python3(\.\d+)? has no torch: install python3-torch or pip install torch$/);
  });

  it.skipIf(!existsSync(systemPython))('skips a CORRESPOND_PYTHON without torch and takes the next candidate that has it', async () => {
    const probe = await findPython({ candidates: [{ candidate: systemPython, source: 'default' }] });
    if (!probe.found) return; // this machine's system Python has no torch: nothing to choose between
    const wrapper = path.join(shadowDir, 'python-without-torch');
    writeFileSync(wrapper, `#!/bin/sh\nPYTHONPATH=${shadowDir} exec ${systemPython} "$@"\n`, { mode: 0o755 });
    const result = await findPython({ env: { ...process.env, CORRESPOND_PYTHON: wrapper } });
    expect(result.found).toBe(true);
    expect(result.candidates.map((report) => report.outcome).slice(0, 2)).toEqual(['no-torch', 'usable']);
    if (result.found) expect(result.python.torchVersion).toBe(probe.python.torchVersion);
  });
});
