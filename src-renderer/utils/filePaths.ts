/** The last part of a path, on either kind of separator (paths come from the engine's machine, maybe Windows). */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? '';
}

/** Whether a path ends in one of `extensions` (given with their dot, lower case), in any case. */
export function hasExtension(path: string, extensions: readonly string[]): boolean {
  const lowerPath = path.trim().toLowerCase();
  return extensions.some((extension) => lowerPath.endsWith(extension));
}
