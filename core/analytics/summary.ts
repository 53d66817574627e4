/** GET /api/analytics/summary: the period's KPIs for some warehouses, from the daily facts. */
import { readSkuCosts } from '../catalog/cost-reads.ts';
import { readLevelsNow, type WarehouseZone } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import {
  readOnHandSpan,
  readRevenue,
  readSkuMovements,
  readStockoutTotals,
  type StockoutTotals,
} from './fact-queries.ts';
import { daysBetween, daysOfCover, sellThrough, sumByCurrency, turnover } from './formulas.ts';

export interface Money {
  currency: string;
  amount: number;
}

export interface Summary {
  warehouseIds: string[];
  from: string;
  to: string;
  days: number;
  unitsSold: number;
  unitsReceived: number;
  revenue: Money[];
  costOfGoodsSold: Money[];
  inventoryValue: Money[];
  onHandStart: number;
  onHandEnd: number;
  onHandNow: number;
  /** Units on hand now whose product has no cost (left out of inventoryValue). */
  unvaluedOnHand: number;
  turnover: number | null;
  daysOfCover: number | null;
  sellThrough: number | null;
  stockouts: StockoutTotals;
  lowStockCount: number;
}

export async function summarize(
  client: SqlClient,
  zones: readonly WarehouseZone[],
  from: string,
  to: string,
): Promise<Summary> {
  const warehouseIds = zones.map((z) => z.id);
  const window = { warehouseIds, from, to };
  const levels = await readLevelsNow(client, warehouseIds);
  const [moved, revenue, span, stockouts, costs] = await Promise.all([
    readSkuMovements(client, window),
    readRevenue(client, window),
    readOnHandSpan(client, levels, from, to),
    readStockoutTotals(client, zones, from, to),
    readSkuCosts(client, [...new Set(levels.map((l) => l.sku))]),
  ]);
  const unitsSold = moved.reduce((s, m) => s + m.unitsSold, 0);
  const unitsReceived = moved.reduce((s, m) => s + m.unitsIn, 0);
  const onHandStart = [...span.values()].reduce((s, x) => s + x.start, 0);
  const onHandEnd = [...span.values()].reduce((s, x) => s + x.end, 0);
  const atCost = (sku: string, units: number) => {
    const cost = costs.get(sku);
    return cost ? [{ currency: cost.currency, amount: units * cost.amount }] : [];
  };
  const days = daysBetween(from, to);
  return {
    warehouseIds,
    from,
    to,
    days,
    unitsSold,
    unitsReceived,
    revenue,
    costOfGoodsSold: sumByCurrency(moved.flatMap((m) => atCost(m.sku, m.unitsSold))),
    inventoryValue: sumByCurrency(levels.flatMap((l) => atCost(l.sku, l.onHand))),
    onHandStart,
    onHandEnd,
    onHandNow: levels.reduce((s, l) => s + l.onHand, 0),
    unvaluedOnHand: levels.filter((l) => !costs.has(l.sku)).reduce((s, l) => s + l.onHand, 0),
    turnover: turnover(unitsSold, onHandStart, onHandEnd),
    daysOfCover: daysOfCover(onHandEnd, unitsSold, days),
    sellThrough: sellThrough(unitsSold, onHandStart, unitsReceived),
    stockouts,
    lowStockCount: levels.filter((l) => l.reorderPoint !== null && l.onHand - l.reserved <= l.reorderPoint)
      .length,
  };
}
