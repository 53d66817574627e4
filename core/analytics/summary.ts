/** GET /api/analytics/summary: the period's KPIs for some warehouses, from the daily facts. */
import { readSkuCosts } from '../catalog/cost-reads.ts';
import { readLevelsNow, type WarehouseZone } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import {
  readPeriodMoney,
  readPeriodTotals,
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
  const [totals, money, stockouts, costs] = await Promise.all([
    readPeriodTotals(client, window),
    readPeriodMoney(client, window),
    readStockoutTotals(client, zones, from, to),
    readSkuCosts(client, [...new Set(levels.map((l) => l.sku))]),
  ]);
  const { unitsSold, onHandStart, onHandEnd } = totals;
  const unitsReceived = totals.unitsIn;
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
    revenue: money.filter((m) => m.revenue !== 0).map((m) => ({ currency: m.currency, amount: m.revenue })),
    costOfGoodsSold: money
      .filter((m) => m.costOfGoodsSold !== 0)
      .map((m) => ({ currency: m.currency, amount: m.costOfGoodsSold })),
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
