/**
 * The realtime benchmark's measured phases, each against sockets already in the room: steady
 * changes one at a time, a burst as fast as several clients make it, and steady changes again
 * while the orders benchmark's hot-sku load runs in another warehouse.
 */
import { products } from '../../core/catalog/tables.ts';
import { warehouses } from '../../core/inventory/tables.ts';
import type { Database } from '../../core/platform/database.ts';
import { measureOrders } from '../orders/order-load.ts';
import type { BenchContext } from '../run.ts';
import type { SocketLoad } from './socket-load.ts';
import { type Change, ms, now, perSecond, quantiles } from './stats.ts';

/** What every phase works with: the room's sockets, a way to change the sku, the jobs' clocks. */
export interface Stage {
  ctx: BenchContext;
  room: SocketLoad;
  /** Sockets open in the room. */
  open: number;
  adjust(delta: number, reason: string): Promise<Change>;
  /** When the feed tick carrying each version was sent and answered (the feed's onTick). */
  jobStarted: Map<number, number>;
  jobSucceeded: Map<number, number>;
}

const pickupsOf = (stage: Stage, changes: Change[]) =>
  quantiles(
    changes
      .filter((c) => stage.jobStarted.has(c.version))
      .map((c) => (stage.jobStarted.get(c.version) ?? c.at) - c.at),
  );

/** One adjustment every 100-200 ms for the run's seconds (at least minChanges of them). */
async function steadyChanges(stage: Stage, until: number, minChanges = 0): Promise<Change[]> {
  const changes: Change[] = [];
  while (changes.length < minChanges || performance.now() < until) {
    changes.push(await stage.adjust(1, 'found'));
    await Bun.sleep(100 + Math.random() * 100);
  }
  return changes;
}

/** Steady changes, one at a time: commit -> message on every socket, what went missing. */
export async function measureSteady(stage: Stage, minChanges: number) {
  const { ctx, room } = stage;
  ctx.progress(
    `realtime: one adjustment every 100-200 ms for ${ctx.seconds} s (at least ${minChanges} changes)`,
  );
  const changes = await steadyChanges(stage, performance.now() + Math.max(1, ctx.seconds) * 1000, minChanges);
  const awaited = await room.awaitVersion(Math.max(...changes.map((c) => c.version)), 15_000);
  const dump = await room.dump();
  const latencies: number[] = [];
  const spreads: number[] = [];
  const firstSocket: number[] = [];
  let delivered = 0;
  const slowest: { index: number; last: number }[] = [];
  for (const [index, c] of changes.entries()) {
    const arrivals = dump.arrivals[c.version] ?? [];
    delivered += arrivals.length;
    if (arrivals.length > 0) slowest.push({ index, last: Math.max(...arrivals) - c.at });
    for (const at of arrivals) latencies.push(at - c.at);
    if (arrivals.length > 0) {
      const first = Math.min(...arrivals);
      firstSocket.push(first - c.at);
      spreads.push(Math.max(...arrivals) - first);
    }
  }
  const expected = changes.length * stage.open;
  const latency = quantiles(latencies);
  const pushCalls = quantiles(
    changes
      .filter((c) => stage.jobStarted.has(c.version) && stage.jobSucceeded.has(c.version))
      .map((c) => (stage.jobSucceeded.get(c.version) ?? 0) - (stage.jobStarted.get(c.version) ?? 0)),
  );
  ctx.progress(
    `realtime: ${changes.length} changes, ${delivered}/${expected} deliveries, p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}`,
  );
  // Which changes make the tail: a p99 over deliveries is the last socket of the slowest few.
  const tail = slowest.sort((a, b) => b.last - a.last).slice(0, 3);
  ctx.progress(
    `realtime: slowest changes (n-th: commit -> last socket) ${tail.map((t) => `${t.index + 1}: ${ms(t.last)}`).join(', ')}`,
  );
  return {
    changes: changes.length,
    awaited,
    dump,
    latency,
    firstSocket: quantiles(firstSocket),
    spreads: quantiles(spreads),
    missing: expected - delivered,
    pickups: pickupsOf(stage, changes),
    pushCalls,
  };
}

/** A burst of adjustments as fast as `clients` make them: deliveries per second at the sockets. */
export async function measureBurst(stage: Stage, size: number, clients: number) {
  const { ctx, room } = stage;
  ctx.progress(`realtime: burst of ${size} adjustments, ${clients} at once`);
  const burst: Change[] = [];
  let left = size;
  const start = now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (left > 0) {
        left--;
        burst.push(await stage.adjust(1, 'found'));
      }
    }),
  );
  const committed = now();
  const awaited = await room.awaitVersion(Math.max(...burst.map((c) => c.version)), 20_000);
  const dump = await room.dump();
  const versions = new Set(burst.map((c) => c.version));
  const ours = Object.entries(dump.arrivals).filter(([v]) => versions.has(Number(v)));
  const arrivals = ours.flatMap(([, a]) => a);
  const broadcast = ours.filter(([, a]) => a.length > 0).length;
  const first = Math.min(...arrivals);
  const last = Math.max(...arrivals);
  ctx.progress(
    `realtime: burst: ${arrivals.length} deliveries of ${broadcast} versions in ${Math.round(last - start)} ms`,
  );
  return {
    awaited,
    deliveries: arrivals.length,
    broadcast,
    // Each tick's start time is its identity: versions sent together share one.
    ticks: new Set(burst.flatMap((c) => stage.jobStarted.get(c.version) ?? [])).size,
    rate: perSecond(arrivals.length, last - start),
    fanOutRate: perSecond(arrivals.length, last - first),
    spanMs: last - start,
    commitsMs: committed - start,
    fanOutMs: last - first,
  };
}

/**
 * Pickup under load: the orders benchmark's hot-sku load (in a warehouse of its own, so its
 * changes go to a room without sockets) fills the job queue with its events and the feed, while
 * one adjustment every 100-200 ms goes on here.
 */
export async function measureUnderLoad(
  stage: Stage,
  opts: { db: Database; coreUrl: string; authorization: string; tag: string; clients: number },
) {
  const { ctx, room } = stage;
  ctx.progress(
    `realtime: under load: ${opts.clients} clients placing orders for ${ctx.seconds} s, adjusting meanwhile`,
  );
  const [loadWarehouse] = await opts.db
    .insert(warehouses)
    .values({ code: `L${opts.tag}`, name: 'Realtime bench load' })
    .returning({ id: warehouses.id });
  if (!loadWarehouse) throw new Error('the load warehouse was not created');
  const loadSku = `LOAD-${opts.tag}`;
  await opts.db
    .insert(products)
    .values({ sku: loadSku, name: `Load ${loadSku}`, priceAmount: 500, priceCurrency: 'EUR' });
  const stocked = await fetch(`${opts.coreUrl}/api/inventory/adjustments`, {
    method: 'POST',
    headers: { authorization: opts.authorization, 'content-type': 'application/json' },
    body: JSON.stringify({
      warehouseId: loadWarehouse.id,
      sku: loadSku,
      delta: 1_000_000,
      reason: 'received',
    }),
  });
  if (stocked.status !== 201) throw new Error(`stocking the load sku failed: ${await stocked.text()}`);
  const ordersLoad = measureOrders({
    url: `${opts.coreUrl}/api/orders`,
    connections: opts.clients,
    seconds: ctx.seconds,
    headers: { authorization: opts.authorization },
    shape: { kind: 'hot', sku: loadSku, warehouseId: loadWarehouse.id },
  });
  const loadEnd = performance.now() + Math.max(1, ctx.seconds) * 1000;
  await Bun.sleep(500); // the load process starts
  const loaded = await steadyChanges(stage, loadEnd);
  const orders = await ordersLoad;
  const awaited = await room.awaitVersion(Math.max(...loaded.map((c) => c.version)), 60_000);
  const dump = await room.dump();
  const latency = quantiles(loaded.flatMap((c) => (dump.arrivals[c.version] ?? []).map((at) => at - c.at)));
  const pickups = pickupsOf(stage, loaded);
  ctx.progress(
    `realtime: under load: ${Math.round(orders.rps)} orders/s; pickup p50 ${ms(pickups.p50)}, p99 ${ms(pickups.p99)}`,
  );
  return { orders, awaited, latency, pickups };
}
