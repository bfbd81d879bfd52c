import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchRecord, machine, readRecords, saveRecord } from './benchmarkRecords.ts';

const root = mkdtempSync(join(tmpdir(), 'correspond-bench-records-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const settings = { topK: 10, contextFrames: 20, radiusCells: 12, temperature: 0.05 };

describe('benchmark records', () => {
  it('stamps a new record with its label, the time and this machine, before the run\'s fields', () => {
    const before = Date.now();
    const record = benchRecord('default', { stream: 'default', JF: 0.7 });
    expect(Object.keys(record)).toEqual(['label', 'measuredAt', 'machine', 'stream', 'JF']);
    expect(record).toMatchObject({ label: 'default', machine: machine(), stream: 'default', JF: 0.7 });
    expect(Date.parse(record.measuredAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(record.measuredAt).toBe(new Date(Date.parse(record.measuredAt)).toISOString());
  });

  it('keeps one record per label (newest wins) and renders BENCHMARKS.md from them', () => {
    const base = { measuredAt: '2026-11-27T10:00:00.000Z', machine: 'test CPU · 2 cores', settings, msPerFrame: 900 };
    saveRecord(root, 'davis', { ...base, label: 'pixels', stream: 'pixels', JF: 0.4, J: 0.38, F: 0.42, sequences: { a: { JF: 0.3 }, b: { JF: 0.5 } } });
    saveRecord(root, 'davis', { ...base, label: 'default', stream: 'default', JF: 0.6, J: 0.58, F: 0.62, sequences: { a: { JF: 0.2 }, b: { JF: 0.9 } } });
    saveRecord(root, 'davis', { ...base, label: 'default', stream: 'default', JF: 0.7, J: 0.68, F: 0.72, sequences: { a: { JF: 0.35 }, b: { JF: 0.9 } } });
    expect(readRecords(root, 'davis').map((record) => [record.label, record.JF])).toEqual([['pixels', 0.4], ['default', 0.7]]);
    const markdown = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8');
    expect(markdown).toContain('| default | default | 10 / 20 / 12 / 0.05 | **70.0** | 68.0 | 72.0 | 2/2 | 35.0 | 90.0 |');
    expect(markdown).toContain('| pixels | pixels | 10 / 20 / 12 / 0.05 | **40.0** |');
    expect(markdown).not.toContain('60.0');
  });

  it('renders propagation speed-ups as ratios of the same run', () => {
    saveRecord(root, 'propagate', {
      label: 'C=48', measuredAt: '2026-11-27T10:00:00.000Z', machine: 'test CPU', features: 'f', channels: 48, threads: 2,
      kernel: 'k', oursMs: 1000, torchMs: 12000, maxAbsDiff: 1e-6, argmaxAgreement: 1, floorGmac: 4.8, peakGmacPerSecond: 48,
    });
    expect(readFileSync(join(root, 'BENCHMARKS.md'), 'utf8')).toContain('| f | 48 | 2 | 1000 | 12000 | 12.0× | 100.0% (1.0e-6) | 4.8 | 48.0 | 10.0% |');
  });

  it('renders the fine-tuning gain and the first-frame latency', () => {
    saveRecord(root, 'finetune', {
      label: 'car-shadow', measuredAt: '2026-11-27T10:00:00.000Z', machine: 'test CPU', sequence: 'car-shadow', steps: 100, trainingSeconds: 600,
      imagesPerSecond: 1.3, device: 'cpu', lambda: 1.75, settings,
      before: { stream: 'default+fc@1.75', JF: 0.7, J: 0.68, F: 0.72 }, after: { stream: 'x', JF: 0.735, J: 0.7, F: 0.77 },
    });
    saveRecord(root, 'ui', {
      label: '480p', measuredAt: '2026-11-27T10:00:00.000Z', machine: 'test CPU', clip: '854×480, 40 frames', stream: 'default', repeats: 5,
      receivedMs: [], shownMs: [], medianReceivedMs: 150.4, medianShownMs: 171.2, maxShownMs: 230, device: 'CPU · 2 threads',
    });
    saveRecord(root, 'ui', {
      label: '480p', variant: 'prepared', measuredAt: '2026-11-27T11:00:00.000Z', machine: 'test CPU', clip: '854×480, 40 frames', stream: 'default',
      repeats: 5, receivedMs: [], shownMs: [], medianReceivedMs: 40.2, medianShownMs: 120.6, maxShownMs: 180, device: 'CPU · 2 threads',
    });
    saveRecord(root, 'training', {
      label: 'fc-default', measuredAt: '2026-11-27T10:00:00.000Z', machine: 'test CPU', architecture: 'mobilenetv2', start: 'the ImageNet MobileNetV2 trunk', frames: 597, steps: 600, images: 4800, batchSize: 8,
      imageSize: 128, seconds: 5400, imagesPerSecond: 0.889, device: 'cpu',
    });
    const markdown = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8');
    expect(markdown).toContain('| fc-default | mobilenetv2 | the ImageNet MobileNetV2 trunk | 597 | 600 | 4800 | 8 × 128² | 1.50 h | 0.889 | cpu |');
    expect(markdown).toContain('| car-shadow | 100 | 10.0 min | 70.0 | 73.5 | **+3.5** | 68.0 / 72.0 | 70.0 / 77.0 |');
    expect(markdown).toContain('| 480p | — | 854×480, 40 frames | default | 5 | 150 | **171** | 230 |');
    expect(markdown).toContain('| 480p | prepared | 854×480, 40 frames | default | 5 | 40.2 | **121** | 180 |');
  });
});
