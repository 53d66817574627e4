/** Clocks, quantiles and formats the realtime benchmark's parts share. */

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const now = () => performance.timeOrigin + performance.now();

export function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
export const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
export const perSecond = (n: number, spanMs: number) => (spanMs > 0 ? (n * 1000) / spanMs : Number.NaN);
export const fmtRate = (v: number) =>
  Number.isNaN(v) ? 'n/a' : `${Math.round(v).toLocaleString('en-US')} deliveries/s`;

/** One adjustment of the measured sku. */
export interface Change {
  version: number;
  /** When core's 201 arrived: the adjustment had committed by then. */
  at: number;
}
