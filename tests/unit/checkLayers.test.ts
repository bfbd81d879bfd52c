import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = resolve(import.meta.dirname, '../../scripts/check-layers.mjs');

function checkTree(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return spawnSync(process.execPath, [script], { env: { ...process.env, CHECK_LAYERS_ROOT: root }, encoding: 'utf8' });
}

describe('layer check', () => {
  it('passes a tree that follows the rules', () => {
    const result = checkTree({
      'src-main/core/store/a.ts': "import { x } from '../api/contract.ts';",
      'src-renderer/api/client.ts':
        "import type { CorrespondApi } from '../../src-main/core/api/contract.ts';\nimport { encodeMessage } from '../../src-main/core/api/wireCodec.ts';",
    });
    expect(result.status).toBe(0);
  });

  it('fails when core imports electron or the renderer imports a core module at runtime', () => {
    const result = checkTree({
      'src-main/core/video/bad.ts': "import { app } from 'electron';",
      'src-main/core/store/worse.ts': "const e = require('electron');",
      'src-renderer/stores/bad.ts': "import { ProjectStore } from '../../src-main/core/store/projectStore.ts';",
      'src-renderer/stores/alsoBad.ts': "import { CorrespondApi } from '../../src-main/core/api/contract.ts';",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('src-main/core/video/bad.ts: imports electron');
    expect(result.stderr).toContain('src-main/core/store/worse.ts: imports electron');
    expect(result.stderr).toContain('src-renderer/stores/bad.ts');
    expect(result.stderr).toContain('src-renderer/stores/alsoBad.ts');
  });
});
