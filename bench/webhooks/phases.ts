/**
 * The webhooks benchmark's load and what it measures: stock adjustments through core's API at a
 * steady rate (or a burst as fast as a few clients make them), each committing one stock.changed
 * event; then waiting until every healthy receiver has every event, and from the receipts the
 * delivery ratios and the time from commit to delivery.
 */
import { quantiles } from '../realtime/stats.ts';
import type { BenchContext } from '../run.ts';
import type { Receivers } from './receivers.ts';
import { eventKey, type Receipt } from './tally.ts';

export interface AdjustTarget {
  coreUrl: string;
  headers: Record<string, string>;
  warehouseId: string;
  skus: string[];
}

export interface Load {
  /** The events committed: one per 201, as `sku:version`. */
  keys: string[];
  statuses: Record<string, number>;
  /** One answer body per status that was not 201. */
  samples: Record<string, string>;
  /** Wall-clock ms when the first request left and the last answer came. */
  startedAt: number;
  endedAt: number;
  /** Requests not sent on time because too many were already in flight (the loop fell behind). */
  skipped: number;
}

const MAX_IN_FLIGHT = 32;

function newLoad(): Load {
  return { keys: [], statuses: {}, samples: {}, startedAt: Date.now(), endedAt: 0, skipped: 0 };
}

/** One adjustment of +1 (its event's key on a 201). */
async function adjust(target: AdjustTarget, i: number, load: Load): Promise<void> {
  const sku = target.skus[i % target.skus.length] ?? '';
  let status: string;
  let text = '';
  try {
    const res = await fetch(`${target.coreUrl}/api/inventory/adjustments`, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ warehouseId: target.warehouseId, sku, delta: 1, reason: 'found' }),
    });
    status = String(res.status);
    text = await res.text();
    if (res.status === 201) load.keys.push(eventKey(sku, (JSON.parse(text) as { version: number }).version));
  } catch (err) {
    status = 'network';
    text = err instanceof Error ? err.message : String(err);
  }
  load.statuses[status] = (load.statuses[status] ?? 0) + 1;
  if (status !== '201') load.samples[status] ??= text.slice(0, 300);
}

/** `perSecond` adjustments a second for `seconds`, on schedule whatever the answers take (open loop). */
export async function steadyAdjustments(
  target: AdjustTarget,
  perSecond: number,
  seconds: number,
): Promise<Load> {
  const load = newLoad();
  const interval = 1000 / perSecond;
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < perSecond * seconds; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) {
      load.skipped++;
      continue;
    }
    const sent = adjust(target, i, load).finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  }
  await Promise.all(inFlight);
  load.endedAt = Date.now();
  return load;
}

/** `count` adjustments as fast as `clients` make them. */
export async function burstAdjustments(target: AdjustTarget, count: number, clients: number): Promise<Load> {
  const load = newLoad();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < count; i = next++) await adjust(target, i, load);
    }),
  );
  load.endedAt = Date.now();
  return load;
}

/** Waits until every healthy receiver has `events` distinct events (since the last take), or the timeout. */
export async function drain(receivers: Receivers, events: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await receivers.distinct();
    if (counts.every((n) => n >= events)) return true;
    if (Date.now() > deadline) return false;
    await Bun.sleep(50);
  }
}

export interface Delivery {
  /** Distinct committed events delivered, summed over the healthy receivers. */
  delivered: number;
  /** The same, counting only what had arrived when the load stopped. */
  deliveredWhileRunning: number;
  /** Commit (occurredAt) -> arrival, the first arrival of each event at each receiver. */
  latency: ReturnType<typeof quantiles>;
  /** Wall-clock ms of the last first arrival. */
  lastAt: number;
}

/** What the healthy receivers got of this load's events. */
export function deliveriesOf(load: Load, receipts: Receipt[][]): Delivery {
  const expected = new Set(load.keys);
  const latencies: number[] = [];
  let deliveredWhileRunning = 0;
  let lastAt = 0;
  for (const forReceiver of receipts) {
    const seen = new Set<string>();
    for (const r of forReceiver) {
      if (!expected.has(r.key) || seen.has(r.key)) continue;
      seen.add(r.key);
      latencies.push(r.at - r.occurredAt);
      if (r.at <= load.endedAt) deliveredWhileRunning++;
      lastAt = Math.max(lastAt, r.at);
    }
  }
  return { delivered: latencies.length, deliveredWhileRunning, latency: quantiles(latencies), lastAt };
}

/** Non-201 answers of a load, for the progress lines and the table. */
export function otherStatuses(ctx: BenchContext, name: string, load: Load): number {
  let serverErrors = 0;
  for (const [status, n] of Object.entries(load.statuses)) {
    if (status === '201') continue;
    const loud = status.startsWith('5') || status === 'network';
    if (loud) serverErrors += n;
    ctx.progress(`webhooks: ${loud ? '!!! ' : ''}${name}: ${n} x ${status}: ${load.samples[status] ?? ''}`);
  }
  return serverErrors;
}
