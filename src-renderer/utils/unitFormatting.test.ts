import { describe, expect, it } from 'vitest';
import { formatDuration, formatMegabytes } from './unitFormatting.ts';

describe('unit formatting', () => {
  it('prints model sizes in megabytes and a dash for no weights', () => {
    expect(formatMegabytes(44_700_000)).toBe('44.7 MB');
    expect(formatMegabytes(2_345_678)).toBe('2.3 MB');
    expect(formatMegabytes(12_000)).toBe('< 0.1 MB');
    expect(formatMegabytes(0)).toBe('—');
  });

  it('prints remaining times in seconds, minutes or hours', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});
