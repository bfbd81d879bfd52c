/** Expands packed RGB (height×width×3, row-major) into opaque RGBA (height×width×4) for canvas ImageData. */
export function rgbToRgba(rgb: Uint8Array, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const pixelCount = width * height;
  if (rgb.length !== pixelCount * 3) {
    throw new Error(`frame data holds ${rgb.length} bytes, expected ${pixelCount * 3} for ${width}×${height} RGB`);
  }
  const rgba = new Uint8ClampedArray(pixelCount * 4);
  for (let pixel = 0, source = 0, target = 0; pixel < pixelCount; pixel++, source += 3, target += 4) {
    rgba[target] = rgb[source];
    rgba[target + 1] = rgb[source + 1];
    rgba[target + 2] = rgb[source + 2];
    rgba[target + 3] = 255;
  }
  return rgba;
}
