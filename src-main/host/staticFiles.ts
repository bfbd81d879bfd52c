import { readFile, stat } from 'node:fs/promises';
import { extname, join, posix, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/**
 * The file a URL path names, relative to the renderer folder: percent-decoded and normalised, the same string the
 * token check and the file read both use (a check on the raw path would let `/%69ndex.html` pass as a plain asset).
 * '' is the folder itself (the page). Undefined for anything that leaves the folder (`..`, encoded separators,
 * NUL) or does not decode.
 */
export function staticRelativePath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return undefined;
  const relative = posix.normalize(`/${decoded}`).replace(/^\/+/, '');
  return relative === '.' ? '' : relative.replace(/\/+$/, '');
}

/**
 * True when a relative path reads the page: whatever its case (macOS and Windows file systems ignore case), and with
 * the trailing dots, spaces or `::$DATA` stream name that Windows drops when it opens a file.
 */
export function isPagePath(relative: string): boolean {
  return relative === '' || /^index\.html[. ]*(::\$data)?$/i.test(relative);
}

/** Reads `relative` (from staticRelativePath) inside `rootDir`; undefined when it is missing or not a file (→ 404). */
export async function readStaticFile(
  rootDir: string,
  relative: string,
): Promise<{ body: Buffer; contentType: string } | undefined> {
  const file = join(rootDir, relative);
  if (!file.startsWith(rootDir.endsWith(sep) ? rootDir : rootDir + sep)) return undefined;
  try {
    if (!(await stat(file)).isFile()) return undefined;
    return { body: await readFile(file), contentType: contentTypes[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
