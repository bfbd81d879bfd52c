import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topK } from './topK.ts';

interface TopKCase {
  data: number[];
  k: number;
  values: number[];
  indices: number[];
}

// Produced once by `torch.topk` (CPU, torch 1.13) on integer-quantised random data full of ties.
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'topk_ties_torch.json'), 'utf8')) as { cases: TopKCase[] };

describe('topK', () => {
  it('picks the same indices as torch.topk on the CPU when many values are tied', () => {
    for (const testCase of fixture.cases) {
      const { values, indices } = topK(testCase.data, testCase.k);
      expect(Array.from(indices)).toEqual(testCase.indices);
      expect(Array.from(values)).toEqual(testCase.values);
    }
  });

  it('returns the k largest values in descending order', () => {
    const data = Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453));
    const { values } = topK(data, 10);
    const expected = [...data].map(Math.fround).sort((a, b) => b - a).slice(0, 10);
    expect(Array.from(values)).toEqual(expected);
  });
});
