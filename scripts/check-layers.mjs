// The layering rules of the house (STYLE.md rule 1), checked on every `npm test`:
//   src-main/core/**   never imports electron, src-renderer, src-preload, src-main/electron or src-main/host
//   src-main/host/**, src-main/cli/**   never import electron
//   src-renderer/**    imports from src-main only the contract (type-only) and the runtime-neutral wire codec
//   src-preload/**     imports from src-main only the contract (type-only) and the IPC channel names
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.env.CHECK_LAYERS_ROOT ?? resolve(import.meta.dirname, '..'));
const importPattern = /(?:^|\n)\s*(import\s+type\s|import\s|export\s[^'"\n]*from\s)[^'"\n]*?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|mjs|js|vue)$/.test(entry.name)) yield path;
  }
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const match of text.matchAll(importPattern)) {
    const typeOnly = Boolean(match[1]?.startsWith('import type'));
    const specifier = match[2] ?? match[3] ?? match[4];
    found.push({ specifier, typeOnly });
  }
  return found;
}

function target(file, specifier) {
  return specifier.startsWith('.') ? relative(root, resolve(dirname(file), specifier)) : specifier;
}

const rules = [
  {
    folder: 'src-main/core',
    check: (to) =>
      to === 'electron' || to.startsWith('electron/')
        ? 'imports electron'
        : /^(src-renderer|src-preload|src-main\/electron|src-main\/host|src-main\/cli)(\/|$)/.test(to)
          ? `imports ${to}`
          : undefined,
  },
  { folder: 'src-main/host', check: (to) => (to === 'electron' ? 'imports electron' : undefined) },
  { folder: 'src-main/cli', check: (to) => (to === 'electron' ? 'imports electron' : undefined) },
  {
    folder: 'src-renderer',
    check: (to, typeOnly) => {
      if (to === 'electron') return 'imports electron';
      if (!to.startsWith('src-main/') && !to.startsWith('src-preload/')) return undefined;
      if (to === 'src-main/core/api/wireCodec.ts') return undefined;
      if (typeOnly && (to === 'src-main/core/api/contract.ts' || to === 'src-preload/preloadApi.ts')) return undefined;
      return `imports ${to} (the renderer may use only \`import type\` from the contract and the wire codec)`;
    },
  },
  {
    folder: 'src-preload',
    check: (to, typeOnly) => {
      if (!to.startsWith('src-main/')) return undefined;
      if (to === 'src-main/core/api/ipcChannels.ts' || (typeOnly && to === 'src-main/core/api/contract.ts')) return undefined;
      return `imports ${to}`;
    },
  },
];

const problems = [];
for (const rule of rules) {
  let files;
  try {
    files = [...sourceFiles(join(root, rule.folder))];
  } catch {
    continue;
  }
  for (const file of files) {
    for (const { specifier, typeOnly } of importsOf(file)) {
      const problem = rule.check(target(file, specifier), typeOnly);
      if (problem) problems.push(`${relative(root, file)}: ${problem}`);
    }
  }
}

if (problems.length > 0) {
  console.error(`Layering violations (see docs/ARCHITECTURE.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('Layers: ok (core is plain Node; renderer and preload reach main only through the contract).');
