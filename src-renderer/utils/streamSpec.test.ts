import { describe, expect, it } from 'vitest';
import { DEFAULT_FUSION, formatStreamSpec, isSpecSafeStreamName, parseStreamSpec } from './streamSpec.ts';

describe('stream specs', () => {
  it('starts from the semantic default fused with the shipped FC at the SFC weight', () => {
    expect(formatStreamSpec(DEFAULT_FUSION)).toBe('default+fc@1.75');
  });

  it('writes the semantic stream alone when no fine-grained stream is chosen', () => {
    expect(formatStreamSpec({ ...DEFAULT_FUSION, fineGrained: null })).toBe('default');
    expect(formatStreamSpec({ semantic: 'pixels', fineGrained: null, lambda: 3 })).toBe('pixels');
  });

  it('joins the fine-grained stream with + and puts its weight after @', () => {
    expect(formatStreamSpec({ semantic: 'default', fineGrained: 'fc-1234abcd', lambda: 1.75 })).toBe('default+fc-1234abcd@1.75');
    expect(formatStreamSpec({ semantic: 'mocov2-r50', fineGrained: 'crw', lambda: 2 })).toBe('mocov2-r50+crw@2');
  });

  it('writes weights without floating-point noise', () => {
    expect(formatStreamSpec({ semantic: 'default', fineGrained: 'fc', lambda: 0.1 + 0.2 })).toBe('default+fc@0.3');
  });

  it('reads back what it writes', () => {
    for (const spec of ['default', 'pixels', 'default+fc-1234abcd@1.75', 'sem+fine@0.5']) {
      expect(formatStreamSpec(parseStreamSpec(spec)!)).toBe(spec);
    }
  });

  it('gives an unweighted fine-grained term the weight 1, as the engine does', () => {
    expect(parseStreamSpec('default+fc')).toEqual({ semantic: 'default', fineGrained: 'fc', lambda: 1 });
  });

  it('refuses specs the screen cannot show', () => {
    for (const spec of ['', 'a+b+c', 'default@2', 'default+fc@0', 'default+fc@-1', 'default+fc@x', 'default+fc@', 'default+', '+fc@1']) {
      expect(parseStreamSpec(spec), spec).toBeUndefined();
    }
  });

  it('accepts only stream names that cannot be mistaken for separators', () => {
    expect(isSpecSafeStreamName('fc-1234abcd')).toBe(true);
    expect(isSpecSafeStreamName('my model')).toBe(true);
    expect(isSpecSafeStreamName('a+b')).toBe(false);
    expect(isSpecSafeStreamName('v@2')).toBe(false);
    expect(isSpecSafeStreamName(' padded ')).toBe(false);
    expect(isSpecSafeStreamName('')).toBe(false);
  });
});
