/**
 * GET /api/analytics/abc: skus classed A/B/C by the value they moved (units sold x unit cost,
 * ranked within each cost currency) and X/Y/Z by how steady their weekly demand was.
 */
import { readSkuCosts } from '../catalog/cost-reads.ts';
import { readLevelsNow } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { readSkuDemand, type Window } from './fact-queries.ts';
import {
  type AbcClass,
  abcClasses,
  coefficientOfVariation,
  daysBetween,
  daysOfCover,
  type XyzClass,
  xyzClass,
} from './formulas.ts';
import type { Money } from './summary.ts';

export interface AbcItem {
  sku: string;
  /** Null for a sku without a cost: it has no value to rank. */
  class: AbcClass | null;
  xyz: XyzClass;
  unitsSold: number;
  value: Money | null;
  share: number | null;
  cumulativeShare: number | null;
  demandCv: number | null;
  /** On hand now, and the days it covers at the window's rate of sale. */
  onHand: number;
  daysOfCover: number | null;
}

export interface AbcClassTotal {
  currency: string;
  class: AbcClass;
  skus: number;
  value: number;
}

export async function classify(
  client: SqlClient,
  window: Window,
): Promise<{ periods: number; items: AbcItem[]; classes: AbcClassTotal[] }> {
  const [demand, levels] = await Promise.all([
    readSkuDemand(client, window),
    readLevelsNow(client, window.warehouseIds),
  ]);
  const skus = [...new Set([...demand.map((d) => d.sku), ...levels.map((l) => l.sku)])];
  const costs = await readSkuCosts(client, skus);
  const bySku = new Map(demand.map((d) => [d.sku, d]));
  const days = daysBetween(window.from, window.to);
  const periods = Math.ceil(days / 7);
  const onHand = new Map<string, number>();
  for (const l of levels) onHand.set(l.sku, (onHand.get(l.sku) ?? 0) + l.onHand);
  const items = new Map<string, AbcItem>();
  for (const sku of skus) {
    const d = bySku.get(sku);
    const cost = costs.get(sku);
    const unitsSold = d?.unitsSold ?? 0;
    const demandCv = coefficientOfVariation(unitsSold, d?.weeklySumOfSquares ?? 0, periods);
    items.set(sku, {
      sku,
      class: null,
      xyz: xyzClass(demandCv),
      unitsSold,
      value: cost ? { currency: cost.currency, amount: unitsSold * cost.amount } : null,
      share: null,
      cumulativeShare: null,
      demandCv,
      onHand: onHand.get(sku) ?? 0,
      daysOfCover: daysOfCover(onHand.get(sku) ?? 0, unitsSold, days),
    });
  }
  const classes: AbcClassTotal[] = [];
  const currencies = [...new Set([...costs.values()].map((c) => c.currency))].sort();
  const ranked: AbcItem[] = [];
  for (const currency of currencies) {
    const valued = [...items.values()].filter((i) => i.value?.currency === currency);
    for (const c of abcClasses(valued.map((i) => ({ key: i.sku, value: i.value?.amount ?? 0 })))) {
      const item = items.get(c.key);
      if (!item) continue;
      Object.assign(item, { class: c.class, share: c.share, cumulativeShare: c.cumulativeShare });
      ranked.push(item);
    }
    for (const cls of ['A', 'B', 'C'] as const) {
      const of = valued.filter((i) => i.class === cls);
      classes.push({
        currency,
        class: cls,
        skus: of.length,
        value: of.reduce((s, i) => s + (i.value?.amount ?? 0), 0),
      });
    }
  }
  const unvalued = [...items.values()]
    .filter((i) => i.value === null)
    .sort((a, b) => (a.sku < b.sku ? -1 : 1));
  return { periods, items: [...ranked, ...unvalued], classes };
}
