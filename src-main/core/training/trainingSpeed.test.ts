import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_VIEW_DEFAULTS } from './trainingProtocol.ts';
import { estimateTraining, readBenchmarkSpeeds, readMeasuredSpeeds, recordMeasuredSpeed, type SpeedSample } from './trainingSpeed.ts';

const benchmark: SpeedSample = {
  architecture: 'mobilenetv2', device: 'cpu', batchSize: 8, imageSize: 192, imagesPerSecond: 2.4, threads: 2,
  machine: 'Test CPU · 2 cores', measuredAt: '2026-12-06T06:35:20.000Z',
};
const shape = { architecture: 'mobilenetv2', device: 'cpu', batchSize: 8, imageSize: 192, threads: 2 } as const;

describe('training time estimate', () => {
  it('uses the benchmark record of the same network and device and says so', () => {
    const estimate = estimateTraining(shape, [], [benchmark])!;
    expect(estimate.secondsPerStep).toBeCloseTo(8 / 2.4, 9);
    expect(estimate.basis).toBe('recorded in benchmarks/training.json on Test CPU · 2 cores (2.4 images/s); a computer busy with other work is slower');
  });

  it('scales a record by pixels per view and by torch threads', () => {
    const estimate = estimateTraining({ ...shape, imageSize: 96, threads: 1 }, [], [benchmark])!;
    // A quarter of the pixels (4× faster), half the threads (2× slower).
    expect(estimate.imagesPerSecond).toBeCloseTo(2.4 * 4 * 0.5, 9);
    expect(estimate.basis).toContain('scaled for 192² → 96² views and 2 → 1 thread');
  });

  it('prefers what this computer measured, and knows nothing of a network never measured', () => {
    const measured = { ...benchmark, imagesPerSecond: 0.3, machine: 'here' };
    const estimate = estimateTraining(shape, [measured], [benchmark])!;
    expect(estimate.secondsPerStep).toBeCloseTo(8 / 0.3, 9);
    expect(estimate.basis).toMatch(/^measured on this computer in an earlier run/);
    expect(estimateTraining({ ...shape, architecture: 'resnet18' }, [measured], [benchmark])).toBeUndefined();
  });

  it('keeps one measured speed per network, device and view size in a JSON file that survives damage', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'correspond-speed-'));
    try {
      const file = path.join(folder, 'home', 'training-speed.json');
      expect(readMeasuredSpeeds(file)).toEqual([]);
      recordMeasuredSpeed(file, benchmark);
      recordMeasuredSpeed(file, { ...benchmark, imagesPerSecond: 1.1 });
      recordMeasuredSpeed(file, { ...benchmark, imageSize: 128 });
      expect(readMeasuredSpeeds(file).map((sample) => [sample.imageSize, sample.imagesPerSecond])).toEqual([[192, 1.1], [128, 2.4]]);
      writeFileSync(file, '{ not json');
      expect(readMeasuredSpeeds(file)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('reads the repository\'s benchmark records, and the worker\'s view defaults match trainer.py', () => {
    const appRoot = path.resolve(import.meta.dirname, '../../..');
    const records = readBenchmarkSpeeds(path.join(appRoot, 'benchmarks', 'training.json'));
    expect(records.some((record) => record.architecture === 'mobilenetv2' && record.device === 'cpu')).toBe(true);
    const trainer = readFileSync(path.join(appRoot, 'resources', 'trainer', 'trainer.py'), 'utf8');
    for (const [architecture, devices] of Object.entries(WORKER_VIEW_DEFAULTS)) {
      for (const [device, { batchSize, imageSize }] of Object.entries(devices)) {
        const line = trainer.split('\n').find((text) => text.includes(`"${architecture}": {`))!;
        expect(line).toContain(`"${device}": {"batchSize": ${batchSize}, "imageSize": ${imageSize}}`);
      }
    }
  });
});
