/**
 * The PASCAL-VOC colour map used by DAVIS annotation PNGs (SPEC §1.1). Runtime-neutral (no Node imports): the
 * renderer draws objects with these colours too (check-layers lets it import this file).
 */

/** RGB triple of palette entry `index` (0..255): the bits of the index spread over the high bits of r, g, b in turn. */
export function vocColor(index: number): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let c = index & 0xff;
  for (let j = 0; j < 8; j++) {
    r |= (c & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b];
}

/** The whole colour map: 256 RGB entries, flat `Uint8Array(768)`. */
export function vocColorMap(): Uint8Array {
  const map = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) map.set(vocColor(i), i * 3);
  return map;
}
