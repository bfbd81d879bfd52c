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
      'src-main/core/services/a.ts': "import { x } from '../api/contract.ts';\nimport { y } from '../engine/b.ts';",
      'src-main/core/engine/b.ts': "import {\n  z,\n} from '../video/c.ts';\nexport const y = z;",
      'src-main/core/engine/b.test.ts': "import { tree } from '../../../tests/support/tree.ts';",
      'src-main/core/services/a.test.ts': "import { createServices } from '../createServices.ts';",
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

  it('refuses an import against the core order, also from a test, and names the order', () => {
    const result = checkTree({
      'src-main/core/engine/kernel.ts': "import { OnnxGraphBuilder } from '../models/onnxGraphBuilder.ts';",
      'src-main/core/store/store.test.ts': "import type {\n  ClipSummary,\n} from '../api/contract.ts';",
      'src-main/core/models/onnxGraphBuilder.ts': 'export class OnnxGraphBuilder {}',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('src-main/core/engine/kernel.ts: imports src-main/core/models/onnxGraphBuilder.ts against the core order');
    expect(result.stderr).toContain('src-main/core/store/store.test.ts: imports src-main/core/api/contract.ts against the core order');
    expect(result.stderr).toContain('store → video → formats');
  });

  it('refuses a core folder outside the order and test support imported by production code', () => {
    const result = checkTree({
      'src-main/core/misc/helper.ts': "import { x } from '../store/types.ts';",
      'src-main/core/video/frames.ts': "import { makeClip } from '../../../tests/support/testClips.ts';",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('src-main/core/misc/helper.ts: is in core/misc, a folder missing from the core order');
    expect(result.stderr).toContain('src-main/core/video/frames.ts: imports tests/support/testClips.ts (test support is for *.test.ts files only)');
  });

  it('finds import circles inside src-main, type-only imports included', () => {
    const result = checkTree({
      'src-main/core/engine/session.ts': "import { blend } from './helpers.ts';",
      'src-main/core/engine/helpers.ts': "import type { Session } from './session.ts';",
      'src-main/cli/a.ts': "export { b } from './b.ts';",
      'src-main/cli/b.ts': "import { c } from './c.ts';",
      'src-main/cli/c.ts': "import { a } from './a.ts';",
      'src-main/cli/d.ts': "import { a } from './a.ts';",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('import circle: src-main/core/engine/helpers.ts ↔ src-main/core/engine/session.ts');
    expect(result.stderr).toContain('import circle: src-main/cli/a.ts ↔ src-main/cli/b.ts ↔ src-main/cli/c.ts');
    expect(result.stderr).not.toContain('src-main/cli/d.ts');
  });
});
