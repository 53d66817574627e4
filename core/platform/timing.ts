/** Milliseconds since `started` (a performance.now() reading), to 0.1 ms. */
export function msSince(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
