export interface LatestOnlyLoader<Key> {
  /** Asks for `key`; supersedes any earlier request that has not been delivered. */
  request(key: Key): void;
  /** Forgets what was asked; a result still in flight is dropped. */
  reset(): void;
  readonly busy: boolean;
}

/**
 * Loads only the most recent request: while one load runs, newer requests replace each other, and when the running
 * load ends only the latest wish is loaded next. Results that are no longer wanted are dropped, so scrubbing never
 * floods the engine and the view never shows a stale frame after a newer one.
 */
export function createLatestOnlyLoader<Key, Value>(
  load: (key: Key) => Promise<Value>,
  deliver: (key: Key, value: Value) => void,
  fail: (key: Key, error: unknown) => void,
): LatestOnlyLoader<Key> {
  let wanted: { key: Key } | undefined;
  let running = false;
  let generation = 0;

  async function pump(): Promise<void> {
    running = true;
    const startedGeneration = generation;
    while (wanted && startedGeneration === generation) {
      const current = wanted;
      let outcome: { ok: true; value: Value } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await load(current.key) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (startedGeneration !== generation || wanted !== current) continue;
      wanted = undefined;
      if (outcome.ok) deliver(current.key, outcome.value);
      else fail(current.key, outcome.error);
    }
    running = false;
    // A reset during the load may have been followed by a fresh request that found us still running.
    if (wanted) void pump();
  }

  return {
    request(key) {
      wanted = { key };
      if (!running) void pump();
    },
    reset() {
      wanted = undefined;
      generation += 1;
    },
    get busy() {
      return running;
    },
  };
}
