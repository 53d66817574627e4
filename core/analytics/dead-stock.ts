/** GET /api/analytics/dead-stock: stock on hand that has not moved for `days` days. */
import { readSkuCosts } from '../catalog/cost-reads.ts';
import { readLevelsNow, type WarehouseZone } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { readLastMovementDays } from './fact-queries.ts';
import { daysBetween } from './formulas.ts';
import type { Money } from './summary.ts';

export interface DeadStockItem {
  warehouseId: string;
  sku: string;
  onHand: number;
  lastMovementDay: string;
  daysSinceMovement: number;
  value: Money | null;
}

/** Today's date in a timezone (YYYY-MM-DD). */
export const localToday = (timezone: string, now = new Date()) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);

/**
 * Levels with stock whose last movement (of any kind) was `days` or more local days ago,
 * the longest still first. A level not rolled up yet is not listed.
 */
export async function deadStock(
  client: SqlClient,
  zones: readonly WarehouseZone[],
  days: number,
): Promise<DeadStockItem[]> {
  const levels = (
    await readLevelsNow(
      client,
      zones.map((z) => z.id),
    )
  ).filter((l) => l.onHand > 0);
  const [last, costs] = await Promise.all([
    readLastMovementDays(client, levels),
    readSkuCosts(client, [...new Set(levels.map((l) => l.sku))]),
  ]);
  const today = new Map(zones.map((z) => [z.id, localToday(z.timezone)]));
  const items: DeadStockItem[] = [];
  for (const l of levels) {
    const lastDay = last.get(`${l.warehouseId}|${l.sku}`);
    const now = today.get(l.warehouseId);
    if (!lastDay || !now) continue;
    const since = daysBetween(lastDay, now) - 1;
    if (since < days) continue;
    const cost = costs.get(l.sku);
    items.push({
      warehouseId: l.warehouseId,
      sku: l.sku,
      onHand: l.onHand,
      lastMovementDay: lastDay,
      daysSinceMovement: since,
      value: cost ? { currency: cost.currency, amount: l.onHand * cost.amount } : null,
    });
  }
  return items.sort((a, b) => b.daysSinceMovement - a.daysSinceMovement || (a.sku < b.sku ? -1 : 1));
}
