/** The last part of a path, on either kind of separator (paths come from the engine's machine, maybe Windows). */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? '';
}

/** Whether a path ends in one of `extensions` (given with their dot, lower case), in any case. */
export function hasExtension(path: string, extensions: readonly string[]): boolean {
  const lowerPath = path.trim().toLowerCase();
  return extensions.some((extension) => lowerPath.endsWith(extension));
}

/** The folder holding a path, on either kind of separator ('/' for a file at the root). */
export function parentFolderOf(path: string): string {
  const trimmed = path.trim().replace(/(.)[\\/]+$/, '$1');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return trimmed;
  if (cut === 0) return trimmed[0];
  return /^[A-Za-z]:$/.test(trimmed.slice(0, cut)) ? trimmed.slice(0, cut + 1) : trimmed.slice(0, cut);
}
