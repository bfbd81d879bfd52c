/**
 * The PASCAL-VOC colour map used by DAVIS annotation PNGs (SPEC §1.1): 256 RGB entries, flat `Uint8Array(768)`.
 * Entry i spreads the bits of i over the high bits of r, g, b in turn.
 */
export function vocColorMap(): Uint8Array {
  const map = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let j = 0; j < 8; j++) {
      r |= (c & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    map[i * 3] = r;
    map[i * 3 + 1] = g;
    map[i * 3 + 2] = b;
  }
  return map;
}

/** RGB triple of palette entry `index` of the VOC colour map. */
export function vocColor(index: number): [number, number, number] {
  const map = vocColorMap();
  return [map[index * 3], map[index * 3 + 1], map[index * 3 + 2]];
}
