// The layering rules of the house (STYLE.md rule 1), checked on every `npm test`:
//   src-main/core/**   never imports electron, src-renderer, src-preload, src-main/electron or src-main/host;
//                      inside core a folder imports only itself and the folders before it in `coreOrder`
//   src-main/host/**, src-main/cli/**   never import electron
//   src-renderer/**    imports from src-main only the contract (type-only), the runtime-neutral wire codec and VOC palette
//   src-preload/**     imports from src-main only the contract (type-only) and the IPC channel names
//   src-main/**        no import circles (type-only imports count: they are circles a reader must follow too);
//                      only tests (*.test.ts) import the test support in tests/
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.env.CHECK_LAYERS_ROOT ?? resolve(import.meta.dirname, '..'));
// `import … from`, `export … from` (either may span lines inside braces), side-effect imports, require() and import().
const importPattern = /(?:^|\n)\s*(import\s+type\b|import\b|export\b)\s*(?:[\w$*\s{},]*?\bfrom\s*)?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

// The direction inside core, lowest first: each folder imports only itself and the folders listed before it.
// `base` holds what every folder may use (the one cancellation error).
// The contract (`api`) sits just under `services`: it is what they implement and what calls them, and it imports
// only base and store's record types. Files at core's top level (`createServices.ts`, the composition root) may import any folder.
export const coreOrder = ['base', 'vocabulary', 'store', 'video', 'formats', 'eval', 'onnx', 'engine', 'models', 'pipeline', 'interactive', 'training', 'api', 'services'];

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

/** The core folder a repository path belongs to ('' for files at core's top level), or undefined outside core. */
function coreFolder(path) {
  const match = /^src-main\/core\/(?:([^/]+)\/)?[^/]+$|^src-main\/core\/([^/]+)\//.exec(path);
  if (!match) return undefined;
  return match[2] ?? match[1] ?? '';
}

/** Refuses an import inside core that goes against `coreOrder`. */
function checkCoreDirection(from, to) {
  const source = coreFolder(from);
  const destination = coreFolder(to);
  if (destination === undefined || source === '' || source === destination) return undefined;
  const sourceRank = coreOrder.indexOf(source);
  const destinationRank = coreOrder.indexOf(destination);
  // Tests of services may build the whole app through the composition root; production code is composed by it.
  if (destination === '') return /\.test\.ts$/.test(from) ? undefined : `imports ${to}: core's composition root is imported from outside core (or by tests)`;
  if (sourceRank < 0) return `is in core/${source}, a folder missing from the core order (scripts/check-layers.mjs)`;
  if (destinationRank < 0) return `imports ${to}, in a folder missing from the core order (scripts/check-layers.mjs)`;
  if (destinationRank > sourceRank) return `imports ${to} against the core order (${coreOrder.join(' → ')}): core/${source} may not use core/${destination}`;
  return undefined;
}

const rules = [
  {
    folder: 'src-main/core',
    check: (to, _typeOnly, from) =>
      to === 'electron' || to.startsWith('electron/')
        ? 'imports electron'
        : /^(src-renderer|src-preload|src-main\/electron|src-main\/host|src-main\/cli)(\/|$)/.test(to)
          ? `imports ${to}`
          : checkCoreDirection(from, to),
  },
  {
    folder: 'src-main',
    check: (to, _typeOnly, from) =>
      to.startsWith('tests/') && !/\.test\.ts$/.test(from) ? `imports ${to} (test support is for *.test.ts files only)` : undefined,
  },
  { folder: 'src-main/host', check: (to) => (to === 'electron' ? 'imports electron' : undefined) },
  { folder: 'src-main/cli', check: (to) => (to === 'electron' ? 'imports electron' : undefined) },
  {
    folder: 'src-renderer',
    check: (to, typeOnly) => {
      if (to === 'electron') return 'imports electron';
      if (!to.startsWith('src-main/') && !to.startsWith('src-preload/')) return undefined;
      if (to === 'src-main/core/api/wireCodec.ts' || to === 'src-main/core/formats/palette.ts') return undefined;
      if (typeOnly && (to === 'src-main/core/api/contract.ts' || to === 'src-preload/preloadApi.ts')) return undefined;
      return `imports ${to} (the renderer may use only \`import type\` from the contract, the wire codec and the VOC palette)`;
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
      const problem = rule.check(target(file, specifier), typeOnly, relative(root, file));
      if (problem) problems.push(`${relative(root, file)}: ${problem}`);
    }
  }
}

/** Import circles among src-main's files (Tarjan's strongly connected components over relative imports). */
function importCircles(folder) {
  let files;
  try {
    files = [...sourceFiles(join(root, folder))].map((file) => relative(root, file));
  } catch {
    return [];
  }
  const known = new Set(files);
  const edges = new Map(
    files.map((file) => [
      file,
      importsOf(join(root, file))
        .filter(({ specifier }) => specifier.startsWith('.'))
        .map(({ specifier }) => target(join(root, file), specifier))
        .filter((to) => known.has(to)),
    ]),
  );
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const circles = [];
  let counter = 0;
  const visit = (file) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file)) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file), index.get(next)));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || edges.get(file).includes(file)) circles.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return circles;
}

for (const circle of importCircles('src-main')) problems.push(`import circle: ${circle.join(' ↔ ')}`);

if (problems.length > 0) {
  console.error(`Layering violations (see docs/ARCHITECTURE.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Layers: ok (core is plain Node and goes one way: ${coreOrder.join(' → ')}; no import circles in src-main; renderer and preload reach main only through the contract).`);
