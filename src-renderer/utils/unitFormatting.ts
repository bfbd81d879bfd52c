/** Model sizes in megabytes with one decimal ("44.7 MB"); "—" for the weight-free stream. */
export function formatMegabytes(bytes: number): string {
  if (!(bytes > 0)) return '—';
  const megabytes = bytes / 1_000_000;
  return `${megabytes < 0.1 ? '< 0.1' : megabytes.toFixed(1)} MB`;
}

/** A remaining time for people: "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
