import { FormatError } from './formatError.ts';

/** Longest file-name component we write, in UTF-8 bytes (most file systems allow 255). */
const maxComponentBytes = 200;
// Control characters (C0, DEL, C1), path separators and the characters Windows refuses in names.
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const windowsReservedNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Turns a user-given name (clip, sequence, video, class) into one safe path component: no separators, no `.`/`..`,
 * no control characters, no leading dots (hidden files), not a Windows device name, at most 200 bytes. Lone UTF-16
 * surrogates become U+FFFD. Returns `fallback` when nothing usable is left.
 */
export function safePathComponent(name: string, fallback: string): string {
  let safe = name.replace(loneSurrogate, '\ufffd').normalize('NFC').replace(unsafeCharacters, '_').trim();
  safe = safe.replace(/^\.+/, (dots) => '_'.repeat(dots.length)).replace(/[. ]+$/, '');
  if (windowsReservedNames.test(safe)) safe = `_${safe}`;
  while (Buffer.byteLength(safe, 'utf8') > maxComponentBytes) safe = Array.from(safe).slice(0, -1).join('');
  return safe.length > 0 && !/^_*$/.test(safe) ? safe : fallback;
}

/** Checks a path component we are about to write (defence in depth: every writer path passes through here). */
export function checkPathComponent(component: string): string {
  if (typeof component !== 'string' || component.length === 0) throw new FormatError('UNSAFE_PATH', 'empty path component');
  if (component === '.' || component === '..' || unsafeCharacters.test(component) || component !== component.trim()) {
    unsafeCharacters.lastIndex = 0;
    throw new FormatError('UNSAFE_PATH', `refusing to write a path component ${JSON.stringify(component)}`);
  }
  unsafeCharacters.lastIndex = 0;
  return component;
}

const mediaExtensions = /\.(mp4|m4v|mov|avi|mkv|webm|mpg|mpeg|wmv|flv|ogv|gif)$/i;

/** The sequence/video name an export uses for a clip: its name without a video extension, made path-safe. */
export function sequenceNameOf(clipName: string, override?: string): string {
  return safePathComponent(override ?? clipName.replace(mediaExtensions, ''), 'sequence');
}
