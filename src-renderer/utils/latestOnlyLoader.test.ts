import { describe, expect, it } from 'vitest';
import { createLatestOnlyLoader } from './latestOnlyLoader.ts';

function deferredLoads() {
  const loads: { key: number; resolve: (v: string) => void; reject: (e: unknown) => void }[] = [];
  const load = (key: number) =>
    new Promise<string>((resolve, reject) => {
      loads.push({ key, resolve, reject });
    });
  return { loads, load };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createLatestOnlyLoader', () => {
  it('keeps one load in flight and loads only the newest request after it', async () => {
    const { loads, load } = deferredLoads();
    const delivered: [number, string][] = [];
    const loader = createLatestOnlyLoader(load, (k, v) => delivered.push([k, v]), () => {});
    loader.request(1);
    loader.request(2);
    loader.request(3);
    expect(loads.map((l) => l.key)).toEqual([1]);
    loads[0].resolve('one');
    await flush();
    expect(delivered).toEqual([]);
    expect(loads.map((l) => l.key)).toEqual([1, 3]);
    loads[1].resolve('three');
    await flush();
    expect(delivered).toEqual([[3, 'three']]);
    expect(loader.busy).toBe(false);
  });

  it('delivers a result that is still the latest request', async () => {
    const { loads, load } = deferredLoads();
    const delivered: number[] = [];
    const loader = createLatestOnlyLoader(load, (k) => delivered.push(k), () => {});
    loader.request(5);
    loads[0].resolve('five');
    await flush();
    expect(delivered).toEqual([5]);
  });

  it('reports a failure only for the latest request', async () => {
    const { loads, load } = deferredLoads();
    const failed: number[] = [];
    const loader = createLatestOnlyLoader(load, () => {}, (k) => failed.push(k));
    loader.request(1);
    loader.request(2);
    loads[0].reject(new Error('stale failure'));
    await flush();
    loads[1].reject(new Error('current failure'));
    await flush();
    expect(failed).toEqual([2]);
  });

  it('drops the result in flight after a reset and serves the next request', async () => {
    const { loads, load } = deferredLoads();
    const delivered: number[] = [];
    const loader = createLatestOnlyLoader(load, (k) => delivered.push(k), () => {});
    loader.request(1);
    loader.reset();
    loader.request(9);
    loads[0].resolve('one');
    await flush();
    expect(loads.map((l) => l.key)).toEqual([1, 9]);
    loads[1].resolve('nine');
    await flush();
    expect(delivered).toEqual([9]);
  });
});
