/**
 * The product page's chart: on hand over time, summed over the warehouses, from the ledger's
 * movements (newest first, as the API lists them). Each movement carries the level's on hand
 * after it, so the total after any movement is the sum of each warehouse's latest value; a
 * warehouse whose first movement in the window comes later starts at what it held before that
 * movement (onHandAfter - qty), not at zero. Drawn as a step line (stock holds until the next
 * movement) in plain SVG coordinates. Plain functions, tested with bun:test.
 */
import type { components } from '@varastokkr/client';

export type Movement = components['schemas']['Movement'];

export interface OnHandPoint {
  at: number;
  onHand: number;
}

/** The total on hand before the oldest movement and after each one, oldest first. */
export function onHandSeries(movements: readonly Movement[]): OnHandPoint[] {
  const oldestFirst = [...movements].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || Number(a.id) - Number(b.id),
  );
  const first = oldestFirst[0];
  if (!first) return [];
  const current = new Map<string, number>();
  for (const m of oldestFirst)
    if (!current.has(m.warehouseId)) current.set(m.warehouseId, m.onHandAfter - m.qty);
  const total = () => [...current.values()].reduce((sum, n) => sum + n, 0);
  const series: OnHandPoint[] = [{ at: Date.parse(first.createdAt), onHand: total() }];
  for (const m of oldestFirst) {
    current.set(m.warehouseId, m.onHandAfter);
    series.push({ at: Date.parse(m.createdAt), onHand: total() });
  }
  return series;
}

/** A round top for the y axis: 1, 2, 2.5 or 5 times a power of ten, at least `max` (and 1). */
export function niceCeiling(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((f) => f * power >= max) ?? 10;
  return step * power;
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room for the axis labels: left, and below. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export const CHART_BOX: ChartBox = { width: 640, height: 200, left: 44, bottom: 24, top: 10, right: 10 };

export interface ChartDrawing {
  /** The step line's SVG path, or '' with nothing to draw. */
  path: string;
  /** Horizontal grid lines with their values (0, half when whole, top). */
  ticks: { y: number; value: number }[];
  /** The first and last time, for the x axis. */
  from: number | undefined;
  to: number | undefined;
  /** The lowest value drawn (a negative total is possible while counts catch up). */
  min: number;
  max: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Scales a series into the box: time left to right, on hand bottom to top. */
export function drawSeries(series: readonly OnHandPoint[], box: ChartBox = CHART_BOX): ChartDrawing {
  const values = series.map((p) => p.onHand);
  const min = Math.min(0, ...values);
  const max = niceCeiling(Math.max(0, ...values));
  const first = series[0];
  const last = series.at(-1);
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const y = (value: number) => round(box.top + plotHeight * (1 - (value - min) / (max - min)));
  // Quantities are whole numbers: a half-way line at 12.5 would read oddly, so it is left out.
  const ticks = [min, (min + max) / 2, max].filter(Number.isInteger).map((value) => ({ value, y: y(value) }));
  if (!first || !last) return { path: '', ticks, from: undefined, to: undefined, min, max };
  const span = last.at - first.at;
  // All at one instant (or one point): spread them evenly so each step is still visible.
  const x = (point: OnHandPoint, i: number) =>
    round(
      box.left +
        plotWidth *
          (span > 0 ? (point.at - first.at) / span : series.length > 1 ? i / (series.length - 1) : 1),
    );
  let path = `M${box.left} ${y(first.onHand)}`;
  series.forEach((point, i) => {
    path += ` H${x(point, i)} V${y(point.onHand)}`;
  });
  path += ` H${box.width - box.right}`;
  return { path, ticks, from: first.at, to: last.at, min, max };
}
