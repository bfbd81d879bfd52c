export type RgbColour = readonly [red: number, green: number, blue: number];

/**
 * Colour of a DAVIS/VOC palette index (SPEC §1.1): the bits of the index are dealt out to red, green and blue in
 * turn, from each channel's most significant bit down. 0 is black (background), 1 dark red, 2 dark green…
 */
export function vocColour(index: number): RgbColour {
  let red = 0;
  let green = 0;
  let blue = 0;
  let rest = index & 0xff;
  for (let bit = 7; bit >= 0; bit--) {
    red |= (rest & 1) << bit;
    green |= ((rest >> 1) & 1) << bit;
    blue |= ((rest >> 2) & 1) << bit;
    rest >>= 3;
  }
  return [red, green, blue];
}

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
