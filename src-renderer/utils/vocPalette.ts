import { vocColor } from '../../src-main/core/formats/palette.ts';

export type RgbColour = readonly [red: number, green: number, blue: number];

/** Colour of a DAVIS/VOC palette index (SPEC §1.1): core's one VOC palette. 0 is black (background), 1 dark red… */
export const vocColour = (index: number): RgbColour => vocColor(index);

export function cssColour(colour: RgbColour): string {
  return `rgb(${colour[0]}, ${colour[1]}, ${colour[2]})`;
}

/** The CSS colour of a palette index. */
export const vocCss = (index: number): string => cssColour(vocColour(index));

/** Smallest palette index (1..254) no object uses yet; wraps to 1 when all are taken. */
export function firstFreePaletteIndex(used: Iterable<number>): number {
  const taken = new Set(used);
  for (let index = 1; index <= 254; index++) if (!taken.has(index)) return index;
  return 1;
}
