/** Cleanups that run once, after the last test file: shared servers the harness started. */
const cleanups: (() => Promise<void>)[] = [];

export function atRunEnd(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

export async function runCleanups(): Promise<void> {
  // Last started, first stopped: the edge before the core it calls, Postgres last.
  for (const fn of cleanups.splice(0).reverse())
    await fn().catch((err) => console.error('cleanup failed:', err));
}
