/** An ffconcat script listing `files` in order, so one ffmpeg process can read a chosen set of images. */
export function ffconcatList(files: readonly string[]): string {
  // ffconcat quoting: inside '…' a quote is written as '\''.
  const quote = (file: string) => `'${file.replace(/'/g, `'\\''`)}'`;
  return ['ffconcat version 1.0', ...files.map((file) => `file ${quote(file)}`), ''].join('\n');
}
