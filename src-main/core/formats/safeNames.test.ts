import { describe, expect, it } from 'vitest';
import { checkPathComponent, safePathComponent } from './safeNames.ts';

describe('safePathComponent', () => {
  it('keeps ordinary names, including non-ASCII letters', () => {
    expect(safePathComponent('bmx-trees', 'x')).toBe('bmx-trees');
    expect(safePathComponent('Café été 2024', 'x')).toBe('Café été 2024');
  });

  it('removes separators, parent references, control characters and leading dots', () => {
    expect(safePathComponent('../../etc/passwd', 'x')).toBe('___.._etc_passwd');
    expect(safePathComponent('..', 'fallback')).toBe('fallback');
    expect(safePathComponent('a\\b/c', 'x')).toBe('a_b_c');
    expect(safePathComponent('tab\there\u0000nul\u007f', 'x')).toBe('tab_here_nul_');
    expect(safePathComponent('.hidden', 'x')).toBe('_hidden');
    expect(safePathComponent('trailing. . ', 'x')).toBe('trailing');
    expect(safePathComponent('CON', 'x')).toBe('_CON');
    expect(safePathComponent('', 'clip')).toBe('clip');
    expect(safePathComponent('\ud800broken', 'x')).toBe('\ufffdbroken');
  });

  it('caps the length at 200 UTF-8 bytes without cutting a character', () => {
    const long = safePathComponent('é'.repeat(300), 'x');
    expect(Buffer.byteLength(long, 'utf8')).toBeLessThanOrEqual(200);
    expect(long).toBe('é'.repeat(100));
  });
});

describe('checkPathComponent', () => {
  it('refuses anything that could leave the folder', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a\\b', 'nul\u0000', ' padded']) {
      expect(() => checkPathComponent(bad)).toThrow(/UNSAFE|path component/);
    }
    expect(checkPathComponent('00000.png')).toBe('00000.png');
  });
});
