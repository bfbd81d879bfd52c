#!/usr/bin/env node
// Generates the embedded feature models (MobileNetV2 from npm nsfwjs → ONNX) into resources/models/generated/.
// Run by `npm install` (postinstall) and safe to re-run: it returns quickly when the files are current.
// Usage: node scripts/generateModels.mjs [--force] [--output DIR]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argumentsList = process.argv.slice(2);
const force = argumentsList.includes('--force');
const outputIndex = argumentsList.indexOf('--output');
const started = Date.now();

try {
  // The generator is TypeScript (src-main/core/models); tsx compiles it on the fly.
  const { tsImport } = await import('tsx/esm/api');
  const { ensureGeneratedModels, generatedModelsDirectory } = await tsImport('../src-main/core/models/embeddedModel.ts', import.meta.url);
  const directory = outputIndex >= 0 ? path.resolve(argumentsList[outputIndex + 1] ?? '') : generatedModelsDirectory(appRoot);
  const result = ensureGeneratedModels(directory, { force });
  // The MobileNetV2 trunk weights the training worker starts an ImageNet FC from (resources/trainer/mobilenet.py).
  const { ensureTrunkWeights } = await tsImport('../src-main/core/models/mobileNetWeights.ts', import.meta.url);
  const trunk = ensureTrunkWeights(directory, { force });
  if (trunk.status === 'generated') result.status = 'generated';
  const names = [...result.models.map(({ modelFile }) => modelFile), trunk.indexFile].map((file) => path.relative(appRoot, file)).join(', ');
  const verb = result.status === 'current' ? 'already current' : `generated in ${Date.now() - started} ms`;
  console.log(`[correspond] embedded models ${verb}: ${names}`);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`[correspond] could not generate the embedded models: ${message}`);
  console.error('[correspond] the app needs them for propagation; fix the problem above and run `node scripts/generateModels.mjs`.');
  process.exitCode = 1;
}
