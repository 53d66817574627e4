/**
 * The incremental rollup (job rollup-analytics, every minute): the level-days that new
 * movements touched are recomputed whole from the ledger, with their orders' prices, and the
 * levels' zero runs from their first new movement on. Re-running changes nothing; a movement
 * that commits late (an id below one already rolled up) is found by counting: the ids in
 * (low, high] are counted at every run, and a count that grew sends the run back to low.
 * Movements at or below low are final: low follows the highest id a run saw SETTLE_SECONDS ago.
 */
import type pg from 'pg';
import { readSkuCosts } from '../catalog/cost-reads.ts';
import {
  countMovements,
  type LedgerEntry,
  type LevelDay,
  readLastMovementId,
  readLedgerDays,
  readLedgerEntries,
  readLevelHistories,
  readOrderShipmentDays,
} from '../inventory/ledger-reads.ts';
import { readLinePrices } from '../orders/price-reads.ts';
import type { Database } from '../platform/database.ts';
import {
  type DayMoney,
  type RevenueDay,
  readDayRevenue,
  readDaySales,
  readPosition,
  readSettledId,
  refreshDayTotals,
  replaceDayMoney,
  replaceLevelRuns,
  replaceRevenueDays,
  saveLedgerDays,
  savePosition,
  type WarehouseDay,
} from './fact-store.ts';
import { zeroRuns } from './formulas.ts';

/** A transaction that has held a movement id this long without committing is not waited for. */
export const SETTLE_SECONDS = 600;
/** Movements read and recomputed per transaction. */
const BATCH = 5_000;
/** One rollup at a time (any constant the project uses for nothing else). */
const LOCK_KEY = 'analytics.rollup';

export interface RollupResult {
  /** Movements read (new ones, or the whole unsettled window after a late commit). */
  movements: number;
  levelDays: number;
  lateCommits: boolean;
  highId: number;
}

export interface RollupOptions {
  settleSeconds?: number;
  batch?: number;
}

/** Runs the rollup up to the last committed movement. Concurrent calls wait for each other. */
export async function rollUpAnalytics(db: Database, opts: RollupOptions = {}): Promise<RollupResult> {
  const client = await db.$client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtextextended($1, 0))', [LOCK_KEY]);
    try {
      return await rollUpLocked(client, opts);
    } finally {
      await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function rollUpLocked(client: pg.PoolClient, opts: RollupOptions): Promise<RollupResult> {
  const at = await readPosition(client);
  const top = Math.max(await readLastMovementId(client), at.highId);
  const lowId = await readSettledId(client, opts.settleSeconds ?? SETTLE_SECONDS, at.lowId);
  // Counted before reading: a movement committed after this count is either read below or
  // (not counted, so) found by the next run's count.
  const seenCount = await countMovements(client, Math.min(lowId, top), top);
  const lateCommits = (await countMovements(client, at.lowId, at.highId)) !== at.seenCount;
  let cursor = lateCommits ? at.lowId : at.highId;
  let movements = 0;
  let levelDays = 0;
  for (;;) {
    const entries = await readLedgerEntries(client, cursor, top, opts.batch ?? BATCH);
    if (entries.length === 0) break;
    levelDays += await inTransaction(client, () => recompute(client, entries));
    movements += entries.length;
    cursor = entries[entries.length - 1]?.id ?? top;
  }
  await savePosition(client, { lowId: Math.min(lowId, top), highId: top, seenCount });
  return { movements, levelDays, lateCommits, highId: top };
}

async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('begin');
  try {
    const result = await work();
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback');
    throw err;
  }
}

/** Recomputes every level-day and level these movements touched; returns the level-days written. */
async function recompute(client: pg.PoolClient, entries: readonly LedgerEntry[]): Promise<number> {
  const keys = distinctLevelDays(entries);
  await saveLedgerDays(client, await readLedgerDays(client, keys));
  await replaceRevenueDays(client, keys, await revenueOf(client, keys));
  const histories = await readLevelHistories(client, firstMoves(entries));
  await replaceLevelRuns(
    client,
    histories.flatMap((h) => {
      const fromId = h.moves[0]?.id;
      return fromId === undefined ? [] : [{ warehouseId: h.warehouseId, sku: h.sku, fromId, ...zeroRuns(h) }];
    }),
  );
  await refreshDays(client, distinctDays(keys));
  return keys.length;
}

/** The warehouse-days' totals and money, from their skus' facts and revenue (cost: the catalog's now). */
async function refreshDays(client: pg.PoolClient, days: readonly WarehouseDay[]): Promise<void> {
  await refreshDayTotals(client, days);
  const sales = await readDaySales(client, days);
  const revenue = await readDayRevenue(client, days);
  const costs = await readSkuCosts(client, [...new Set(sales.map((s) => s.sku))]);
  const money = new Map<string, DayMoney>();
  const at = (d: WarehouseDay, currency: string) => {
    const key = `${d.warehouseId}|${d.day}|${currency}`;
    const row = money.get(key) ?? {
      warehouseId: d.warehouseId,
      day: d.day,
      currency,
      revenue: 0,
      costOfGoodsSold: 0,
    };
    money.set(key, row);
    return row;
  };
  for (const r of revenue) at(r, r.currency).revenue += r.amount;
  for (const s of sales) {
    const cost = costs.get(s.sku);
    if (cost) at(s, cost.currency).costOfGoodsSold += s.unitsSold * cost.amount;
  }
  await replaceDayMoney(client, days, [...money.values()]);
}

function distinctDays(keys: readonly LevelDay[]): WarehouseDay[] {
  const days = new Map<string, WarehouseDay>();
  for (const k of keys) days.set(`${k.warehouseId}|${k.day}`, { warehouseId: k.warehouseId, day: k.day });
  return [...days.values()];
}

/** The level-days' order shipments at their lines' prices, per currency (unpriced lines add none). */
async function revenueOf(client: pg.PoolClient, keys: readonly LevelDay[]): Promise<RevenueDay[]> {
  const shipped = await readOrderShipmentDays(client, keys);
  const prices = await readLinePrices(client, [...new Set(shipped.map((s) => s.orderId))]);
  const priceOf = new Map(prices.map((p) => [`${p.orderId}|${p.sku}`, p]));
  const byKey = new Map<string, RevenueDay>();
  for (const s of shipped) {
    const price = priceOf.get(`${s.orderId}|${s.sku}`);
    if (!price) continue;
    const key = `${s.warehouseId}|${s.sku}|${s.day}|${price.currency}`;
    const row = byKey.get(key) ?? {
      warehouseId: s.warehouseId,
      sku: s.sku,
      day: s.day,
      currency: price.currency,
      units: 0,
      amount: 0,
    };
    row.units += s.units;
    row.amount += s.units * price.amount;
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

function distinctLevelDays(entries: readonly LedgerEntry[]): LevelDay[] {
  const keys = new Map<string, LevelDay>();
  for (const e of entries)
    keys.set(`${e.warehouseId}|${e.sku}|${e.day}`, { warehouseId: e.warehouseId, sku: e.sku, day: e.day });
  return [...keys.values()];
}

/** Each level's first and last movement among these (entries come in id order). */
function firstMoves(entries: readonly LedgerEntry[]) {
  const first = new Map<string, { warehouseId: string; sku: string; fromId: number; toId: number }>();
  for (const e of entries) {
    const key = `${e.warehouseId}|${e.sku}`;
    const level = first.get(key);
    if (level) level.toId = e.id;
    else first.set(key, { warehouseId: e.warehouseId, sku: e.sku, fromId: e.id, toId: e.id });
  }
  return [...first.values()];
}
