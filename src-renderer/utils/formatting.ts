/** "3 minutes ago", "yesterday", or a date for older times (the project list's "last updated"). */
export function formatRelativeTime(isoTime: string, now: Date = new Date()): string {
  const time = new Date(isoTime);
  if (Number.isNaN(time.getTime())) return 'unknown';
  const seconds = Math.round((now.getTime() - time.getTime()) / 1000);
  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return relative.format(-Math.round(seconds / 60), 'minute');
  if (seconds < 86_400) return relative.format(-Math.round(seconds / 3600), 'hour');
  if (seconds < 7 * 86_400) return relative.format(-Math.round(seconds / 86_400), 'day');
  return time.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Frame rates print with at most two decimals and no trailing zeros: 30, 29.97, 12.5. */
export function formatFps(fps: number): string {
  return `${Number(fps.toFixed(2))} fps`;
}

export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** A task's progress (0..1, clamped) as a whole percentage, the same on a bar and in its label. */
export function progressPercent(fraction: number): number {
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

/** `name` when no other thing is called that, else the first free "name (2)", "name (3)"… */
export function freeName(name: string, taken: readonly string[]): string {
  const names = new Set(taken);
  if (!names.has(name)) return name;
  const base = name.replace(/ \(\d+\)$/, '');
  let number = 2;
  while (names.has(`${base} (${number})`)) number += 1;
  return `${base} (${number})`;
}

/** A folder name not among `taken`: `name`, else "name-2", "name-3"… (dataset tools dislike spaces in paths). */
export function freeFolderName(name: string, taken: readonly string[]): string {
  const names = new Set(taken);
  if (!names.has(name)) return name;
  let number = 2;
  while (names.has(`${name}-${number}`)) number += 1;
  return `${name}-${number}`;
}
