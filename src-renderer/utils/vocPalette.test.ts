import { describe, expect, it } from 'vitest';
import { firstFreePaletteIndex, vocColour } from './vocPalette.ts';

describe('vocColour', () => {
  it('gives the DAVIS palette entries listed in SPEC §1.1', () => {
    expect(vocColour(0)).toEqual([0, 0, 0]);
    expect(vocColour(1)).toEqual([128, 0, 0]);
    expect(vocColour(2)).toEqual([0, 128, 0]);
    expect(vocColour(3)).toEqual([128, 128, 0]);
    expect(vocColour(4)).toEqual([0, 0, 128]);
    expect(vocColour(7)).toEqual([128, 128, 128]);
    expect(vocColour(8)).toEqual([64, 0, 0]);
    expect(vocColour(9)).toEqual([192, 0, 0]);
    expect(vocColour(10)).toEqual([64, 128, 0]);
    expect(vocColour(11)).toEqual([192, 128, 0]);
    expect(vocColour(255)).toEqual([224, 224, 192]);
  });
});

describe('firstFreePaletteIndex', () => {
  it('picks the smallest index no object uses', () => {
    expect(firstFreePaletteIndex([])).toBe(1);
    expect(firstFreePaletteIndex([1, 2, 4])).toBe(3);
  });
});
