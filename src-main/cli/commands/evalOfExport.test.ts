// Issue 7: "Exporting a propagated project and running `npx correspond eval davis` on the export gives the same J&F
// as on the engine's own output." Kept cheap: the first 8 frames of DAVIS-2016 car-shadow, the pixels stream.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServices, type Services } from '../../core/createServices.ts';
import { evaluateDavis } from '../../core/eval/davisEvaluation.ts';
import { readLabelPng } from '../../core/formats/labelPngSequence.ts';
import { writeIndexedPng } from '../../core/formats/png.ts';
import { makeTempFolder } from '../../../tests/support/testClips.ts';
import { command as evalCommand } from './eval.ts';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sharedData = process.env.CORRESPOND_SHARED_DATA ?? path.resolve(import.meta.dirname, '../../../../shared/data');
const davisRoot = path.join(sharedData, 'davis2016-dev');
const sequence = 'car-shadow';
const frameCount = 8;
const frameName = (frameIndex: number, extension: string) => `${String(frameIndex).padStart(5, '0')}.${extension}`;

/** Runs `correspond eval <argv>` in-process (what `npx correspond eval` runs) and returns its last stdout line. */
async function runEval(argv: string[]): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  expect(await evalCommand.run(argv)).toBe(0);
  return JSON.parse(lines.join('').trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const present = existsSync(path.join(davisRoot, 'JPEGImages/480p', sequence)) && existsSync(path.join(davisRoot, 'Annotations/480p', sequence));

describe.skipIf(!present)(`J&F of a DAVIS export equals J&F of the engine's masks (skipped: ${davisRoot}/…/${sequence} absent)`, () => {
  let folder: string;
  let services: Services;
  afterEach(() => vi.restoreAllMocks());
  beforeAll(() => {
    folder = makeTempFolder('correspond-eval-of-export-');
    services = createServices({ libraryDirectory: path.join(folder, 'library'), host: 'browser', appRoot });
  });
  afterAll(() => {
    services?.dispose();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('scores the exported palette PNGs exactly as the masks the engine saved in the project', async () => {
    // The cropped sequence: 8 frames, and their ground truth as palette PNGs (DAVIS-2016 grey 255 = object 1, since
    // the evaluator reads 255 as void).
    const frames = path.join(folder, 'frames', sequence);
    const truth = path.join(folder, 'truth');
    mkdirSync(frames, { recursive: true });
    mkdirSync(path.join(truth, 'Annotations/480p', sequence), { recursive: true });
    const groundTruth: Uint8Array[] = [];
    for (let frameIndex = 0; frameIndex < frameCount; frameIndex++) {
      copyFileSync(path.join(davisRoot, 'JPEGImages/480p', sequence, frameName(frameIndex, 'jpg')), path.join(frames, frameName(frameIndex, 'jpg')));
      const label = readLabelPng(path.join(davisRoot, 'Annotations/480p', sequence, frameName(frameIndex, 'png')), { greyBinary: true });
      groundTruth.push(label.indices);
      writeIndexedPng(path.join(truth, 'Annotations/480p', sequence, frameName(frameIndex, 'png')), label);
    }

    // Annotate frame 0 from the ground truth and propagate with the pixels stream.
    const { api } = services;
    const project = await api.projects.create({ name: 'DAVIS export' });
    const clip = await api.clips.import({ projectId: project.id, sourcePath: frames });
    expect([clip.width, clip.height, clip.frameCount]).toEqual([854, 480, frameCount]);
    const car = await api.objects.create({ projectId: project.id, clipId: clip.id, name: 'car', kind: 'mask' });
    await api.annotations.putMask({ projectId: project.id, clipId: clip.id, objectId: car.id, frameIndex: 0, mask: groundTruth[0] });
    const run = await api.propagation.run({ projectId: project.id, clipId: clip.id, mode: 'forward', stream: 'pixels' });
    expect(run.framesWritten).toBe(frameCount - 1);

    // The engine's own output: its masks read back from the project, written as result PNGs here (not by the exporter).
    const engineResults = path.join(folder, 'engine');
    mkdirSync(path.join(engineResults, sequence), { recursive: true });
    for (let frameIndex = 0; frameIndex < frameCount; frameIndex++) {
      const frame = await api.annotations.getFrame({ projectId: project.id, clipId: clip.id, frameIndex });
      const [annotation] = frame.annotations;
      expect(annotation.objectId).toBe(car.id);
      writeIndexedPng(path.join(engineResults, sequence, frameName(frameIndex, 'png')), { width: 854, height: 480, indices: annotation.mask! });
    }
    const engine = evaluateDavis({ davisRoot: truth, resultsDir: engineResults, sequences: [sequence] });

    // The export through the service, scored by `correspond eval davis`.
    const destination = path.join(folder, 'exports');
    mkdirSync(destination);
    const exported = await api.exchange.export({ projectId: project.id, format: 'davis', destination });
    expect(exported.frames).toBe(frameCount);
    const fromExport = await runEval(['davis', '--root', truth, '--results', path.join(exported.path, 'Annotations/480p'), '--sequences', sequence]);

    expect(engine.global.JF).toBeGreaterThan(0.5); // the propagation did follow the car; else equal scores prove little
    expect(engine.global.JF).toBeLessThan(1); // propagated frames, not the ground truth copied
    for (const key of ['JF', 'J', 'F'] as const) expect(Math.abs((fromExport[key] as number) - engine.global[key]), key).toBeLessThanOrEqual(1e-9);
  }, 180_000);
});
