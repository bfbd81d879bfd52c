import { afterEach, beforeEach, vi } from 'vitest';

/**
 * For CLI command tests: silences stdout and stderr around each test and keeps what the command wrote to stdout,
 * chunk by chunk, in the returned array (emptied before each test).
 */
export function captureStdout(): string[] {
  const printed: string[] = [];
  beforeEach(() => {
    printed.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());
  return printed;
}
