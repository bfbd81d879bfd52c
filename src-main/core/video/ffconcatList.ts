import path from 'node:path';
import { VideoError } from './videoError.ts';

/** Line breaks and other control characters: an ffconcat line ends at a line break, even inside quotes. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Refuses a file name that would break out of its line in an ffconcat list (issue 20, item 9). */
export function checkListableName(file: string): void {
  if (!CONTROL_CHARACTERS.test(file)) return;
  throw new VideoError(
    'UNSAFE_NAME',
    `the file name ${JSON.stringify(path.basename(file))} holds a line break or another control character, which ffmpeg's ` +
      'file lists cannot carry; rename the file',
    path.dirname(file),
  );
}

/** An ffconcat script listing `files` in order, so one ffmpeg process can read a chosen set of images. */
export function ffconcatList(files: readonly string[]): string {
  files.forEach(checkListableName);
  // ffconcat quoting: inside '…' a quote is written as '\''.
  const quote = (file: string) => `'${file.replace(/'/g, `'\\''`)}'`;
  return ['ffconcat version 1.0', ...files.map((file) => `file ${quote(file)}`), ''].join('\n');
}
