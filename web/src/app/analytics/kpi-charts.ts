/**
 * The analytics screen's plain logic: the KPIs' labels and the SVG charts' geometry (bars
 * scaled to the largest value), kept out of the component so bun:test checks them.
 */
import type { components } from '@varastokkr/client';

export type Summary = components['schemas']['AnalyticsSummary'];
export type Sales = components['schemas']['AnalyticsSales'];
export type Abc = components['schemas']['AnalyticsAbc'];
export type AbcItem = Abc['items'][number];
export type Money = components['schemas']['AnalyticsMoney'];

/** Minor units as "1234.50 EUR": the same digits on every machine, per currency, never summed. */
export const moneyText = (m: Money) => `${(m.amount / 100).toFixed(2)} ${m.currency}`;
export const moneyListText = (list: readonly Money[]) =>
  list.length === 0 ? '–' : list.map(moneyText).join(' · ');

/** A ratio as shown: up to two decimals, or a dash when there was nothing to divide by. */
export const ratioText = (x: number | null | undefined, suffix = '') =>
  x === null || x === undefined ? '–' : `${Math.round(x * 100) / 100}${suffix}`;

export const percentText = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${Math.round(x * 1000) / 10} %`;

export interface Bar {
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Vertical bars side by side in width x height, scaled so the largest fills the height. */
export function columnBars(
  points: readonly { label: string; value: number }[],
  width: number,
  height: number,
): Bar[] {
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = points.length > 0 ? width / points.length : width;
  const gap = slot > 6 ? 1 : 0;
  return points.map((p, i) => {
    const h = (Math.max(0, p.value) / max) * height;
    return { label: p.label, value: p.value, x: i * slot, y: height - h, width: slot - gap, height: h };
  });
}

/** Horizontal bars, one per row of rowHeight, scaled so the largest fills the width. */
export function rowBars(
  points: readonly { label: string; value: number }[],
  width: number,
  rowHeight: number,
): Bar[] {
  const max = Math.max(1, ...points.map((p) => p.value));
  return points.map((p, i) => ({
    label: p.label,
    value: p.value,
    x: 0,
    y: i * rowHeight,
    width: (Math.max(0, p.value) / max) * width,
    height: rowHeight - 4,
  }));
}

/** The sales series as bars of units sold, labelled with their first day. */
export const salesBars = (sales: Sales, width: number, height: number) =>
  columnBars(
    sales.points.map((p) => ({ label: p.start, value: p.unitsSold })),
    width,
    height,
  );

export interface AbcShare {
  currency: string;
  class: 'A' | 'B' | 'C';
  skus: number;
  value: number;
  /** Of the currency's total value. */
  share: number;
}

/** Each class's share of its currency's value (currencies apart). */
export function abcShares(abc: Abc): AbcShare[] {
  const totals = new Map<string, number>();
  for (const c of abc.classes) totals.set(c.currency, (totals.get(c.currency) ?? 0) + c.value);
  return abc.classes.map((c) => {
    const total = totals.get(c.currency) ?? 0;
    return { ...c, share: total > 0 ? c.value / total : 0 };
  });
}

/** The skus that run out first: sold in the window and with the fewest days of cover, at most n. */
export function shortestCover(items: readonly AbcItem[], n: number): AbcItem[] {
  return items
    .filter((i) => i.daysOfCover !== null)
    .sort((a, b) => (a.daysOfCover ?? 0) - (b.daysOfCover ?? 0) || (a.sku < b.sku ? -1 : 1))
    .slice(0, n);
}

/** The windows the screen offers: the last so many days, and the bucket their series uses. */
export const periods = [
  { days: 30, label: 'Last 30 days', interval: 'day' },
  { days: 90, label: 'Last 90 days', interval: 'week' },
  { days: 365, label: 'Last 365 days', interval: 'week' },
] as const;

/** from..to of the last `days` days ending today (UTC), as the API's defaults count them. */
export function lastDays(days: number, today = new Date()): { from: string; to: string } {
  const to = today.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to };
}
