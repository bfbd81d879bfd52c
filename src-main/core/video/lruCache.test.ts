import { describe, expect, it } from 'vitest';
import { LruCache } from './lruCache.ts';

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new LruCache<number, string>(2);
    cache.set(1, 'one');
    cache.set(2, 'two');
    expect(cache.get(1)).toBe('one'); // 1 is now the most recent
    cache.set(3, 'three');
    expect(cache.keys()).toEqual([1, 3]);
    expect(cache.has(2)).toBe(false);
    expect(cache.size).toBe(2);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
