/**
 * A check that many callers may ask for at once (an unauthenticated /healthz) runs at most once
 * per `ttlMs`: callers while it runs share the running check, and callers within `ttlMs` after
 * it finished get its result. Runtime-agnostic (core and the edge). `check` should settle with
 * a result that describes failures rather than reject; a rejection is shared and cached too.
 */
export interface SharedResult<T> {
  get(): Promise<T>;
  /** How many times the check has run. */
  readonly runs: number;
}

export function sharedResult<T>(
  check: () => Promise<T>,
  ttlMs: number,
  now: () => number = () => Date.now(),
): SharedResult<T> {
  let current: { result: Promise<T>; settledAt: number | null } | undefined;
  let runs = 0;
  return {
    get() {
      const fresh = current && (current.settledAt === null || now() - current.settledAt < ttlMs);
      if (current && fresh) return current.result;
      runs++;
      const entry: { result: Promise<T>; settledAt: number | null } = {
        result: check(),
        settledAt: null,
      };
      const settle = () => {
        entry.settledAt = now();
      };
      entry.result.then(settle, settle);
      current = entry;
      return entry.result;
    },
    get runs() {
      return runs;
    },
  };
}
