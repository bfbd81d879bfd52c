import { describe, expect, it } from 'vitest';
import { formatFps, formatRelativeTime, freeFolderName, freeName, pluralize, progressPercent } from './formatting.ts';

describe('formatting', () => {
  it('describes recent times relatively and old ones as dates', () => {
    const now = new Date('2025-01-10T12:00:00Z');
    expect(formatRelativeTime('2025-01-10T11:59:50Z', now)).toBe('just now');
    expect(formatRelativeTime('2025-01-10T11:50:00Z', now)).toMatch(/10 minutes ago/);
    expect(formatRelativeTime('not a time', now)).toBe('unknown');
    expect(formatRelativeTime('2024-01-10T12:00:00Z', now)).toMatch(/2024/);
  });

  it('prints frame rates without needless decimals', () => {
    expect(formatFps(30)).toBe('30 fps');
    expect(formatFps(29.97002997)).toBe('29.97 fps');
  });

  it('gives progress as a whole percentage within 0..100', () => {
    expect(progressPercent(0.154)).toBe(15);
    expect(progressPercent(0.156)).toBe(16);
    expect(progressPercent(-0.2)).toBe(0);
    expect(progressPercent(1.3)).toBe(100);
  });

  it('pluralizes counts', () => {
    expect(pluralize(1, 'clip')).toBe('1 clip');
    expect(pluralize(3, 'clip')).toBe('3 clips');
  });

  it('names a second copy apart from the first: "walk.mp4 (2)", then "(3)"', () => {
    expect(freeName('walk.mp4', ['bear'])).toBe('walk.mp4');
    expect(freeName('walk.mp4', ['walk.mp4'])).toBe('walk.mp4 (2)');
    expect(freeName('walk.mp4', ['walk.mp4', 'walk.mp4 (2)'])).toBe('walk.mp4 (3)');
    expect(freeName('walk.mp4 (2)', ['walk.mp4', 'walk.mp4 (2)'])).toBe('walk.mp4 (3)');
  });

  it('suggests a folder name that is not taken yet: "bear-davis", then "-2", "-3"', () => {
    expect(freeFolderName('bear-davis', ['other'])).toBe('bear-davis');
    expect(freeFolderName('bear-davis', ['bear-davis'])).toBe('bear-davis-2');
    expect(freeFolderName('bear-davis', ['bear-davis', 'bear-davis-2'])).toBe('bear-davis-3');
  });
});
