import { vocColour, type RgbColour } from './vocPalette.ts';

/** One object's labels to draw: `mask` is height×width bytes (0/1 for masks, class ids for parts). */
export interface OverlayLayer {
  mask: Uint8Array;
  /** Colour of label 1 for mask objects; part objects take each class's colour instead. */
  colour: RgbColour;
  /** Part objects: the colour of each class id, from the object's part set (VOC palette colours when absent). */
  classColours?: readonly RgbColour[];
  kind: 'mask' | 'part';
}

/**
 * Draws the layers, later ones on top, into RGBA pixels (height×width×4) cleared first: region pixels get their
 * colour at `fillAlpha`, contour pixels (a 4-neighbour with another label, or the frame edge) the same colour opaque,
 * so an outline stays readable at any fill opacity. Every labelled pixel has alpha > 0.
 */
export function renderOverlay(target: Uint8ClampedArray, width: number, height: number, layers: readonly OverlayLayer[], fillAlpha: number): void {
  target.fill(0);
  const fill = Math.max(1, Math.min(255, Math.round(fillAlpha)));
  const classColours = new Map<number, RgbColour>();
  for (const layer of layers) {
    const { mask } = layer;
    if (mask.length !== width * height) continue;
    for (let y = 0, offset = 0; y < height; y++) {
      for (let x = 0; x < width; x++, offset++) {
        const label = mask[offset];
        if (label === 0) continue;
        let colour = layer.colour;
        if (layer.kind === 'part') {
          const own = layer.classColours?.[label];
          if (own) colour = own;
          else {
            colour = classColours.get(label) ?? vocColour(label);
            classColours.set(label, colour);
          }
        }
        const contour =
          x === 0 || y === 0 || x === width - 1 || y === height - 1 ||
          mask[offset - 1] !== label || mask[offset + 1] !== label || mask[offset - width] !== label || mask[offset + width] !== label;
        const out = offset * 4;
        target[out] = colour[0];
        target[out + 1] = colour[1];
        target[out + 2] = colour[2];
        target[out + 3] = contour ? 255 : fill;
      }
    }
  }
}
