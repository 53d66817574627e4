/** The webhooks benchmark's table: every phase's numbers, the ratios, and the end checks. */
import type pg from 'pg';
import { ms } from '../realtime/stats.ts';
import type { BenchContext } from '../run.ts';
import type { Delivery, Load } from './phases.ts';
import type { BareSend } from './reference.ts';
import type { Tally } from './tally.ts';

export interface Phase {
  name: string;
  load: Load;
  delivery: Delivery;
  /** Every healthy receiver had every event before the drain's timeout. */
  complete: boolean;
}

/** What the delivery log says of the run. */
export interface DeliveryStats {
  /** Attempts to the healthy receivers that got no 2xx (a timeout, an error, a 5xx). */
  healthyFailedAttempts: number;
  /** The dead subscription's deliveries by status, and their attempts. */
  deadStatuses: Record<string, number>;
  deadAttempts: number;
}

export async function deliveryStats(
  pool: pg.Pool,
  deadId: string,
  healthyIds: string[],
): Promise<DeliveryStats> {
  const failed = await pool.query<{ n: number }>(
    `select count(*)::int as n from webhooks.delivery_attempts a
       join webhooks.deliveries d on d.id = a.delivery_id
      where d.subscription_id = any($1::uuid[])
        and (a.status_code is null or a.status_code not between 200 and 299)`,
    [healthyIds],
  );
  const statuses = await pool.query<{ status: string; n: number; attempts: number }>(
    `select status, count(*)::int as n, sum(attempts)::int as attempts
       from webhooks.deliveries where subscription_id = $1 group by status`,
    [deadId],
  );
  return {
    healthyFailedAttempts: failed.rows[0]?.n ?? 0,
    deadStatuses: Object.fromEntries(statuses.rows.map((r) => [r.status, r.n])),
    deadAttempts: statuses.rows.reduce((n, r) => n + r.attempts, 0),
  };
}

export interface WebhooksResults {
  healthyCount: number;
  /** Deliveries the system can have in flight to the healthy receivers (one per subscription). */
  sendersAtOnce: number;
  deliverySlots: number;
  timeoutMs: number;
  reference: BareSend;
  healthy: Phase;
  withDead: Phase;
  healthyBurst: Phase;
  deadBurst: Phase;
  serverErrors: number;
  stats: DeliveryStats;
  events: number;
  tally: Tally;
}

const perSecond = (n: number, spanMs: number) => (spanMs > 0 ? (n * 1000) / spanMs : Number.NaN);
const rate = (v: number, unit: string) =>
  Number.isNaN(v) ? 'n/a' : `${Math.round(v).toLocaleString('en-US')} ${unit}`;
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');

/** A burst's deliveries per second to the healthy receivers: first request to last arrival. */
const burstRate = (p: Phase) => perSecond(p.delivery.delivered, p.delivery.lastAt - p.load.startedAt);
/** The share of a steady phase's deliveries that had arrived when its load stopped. */
const runningShare = (p: Phase, healthy: number) =>
  p.delivery.deliveredWhileRunning / (p.load.keys.length * healthy);

function reportSteady(ctx: BenchContext, r: WebhooksResults, p: Phase): void {
  const span = p.load.endedAt - p.load.startedAt;
  const expected = p.load.keys.length * r.healthyCount;
  const events = perSecond(p.load.keys.length, span);
  ctx.report(
    `[${p.name}] events committed`,
    rate(events, 'events/s'),
    `${p.load.keys.length} stock adjustments in ${(span / 1000).toFixed(1)} s${p.load.skipped ? `, ${p.load.skipped} not sent (the loop fell behind)` : ''}`,
  );
  ctx.report(
    `[${p.name}] delivered / (events x ${r.healthyCount}), running`,
    ratio(p.delivery.deliveredWhileRunning, expected),
    `${rate(perSecond(p.delivery.deliveredWhileRunning, span), 'deliveries/s')} while ${rate(events * r.healthyCount, 'a second')} were due`,
  );
  ctx.report(
    `[${p.name}] delivered / (events x ${r.healthyCount}), drained`,
    ratio(p.delivery.delivered, expected),
    `goal 1.0; ${p.delivery.delivered} of ${expected}, the last ${Math.max(0, p.delivery.lastAt - p.load.endedAt)} ms after the load stopped${p.complete ? '' : ', NOT DRAINED'}`,
  );
  ctx.report(
    `[${p.name}] commit -> delivery, p50`,
    ms(p.delivery.latency.p50),
    `over ${p.delivery.latency.n}`,
  );
  ctx.report(
    `[${p.name}] commit -> delivery, p99`,
    ms(p.delivery.latency.p99),
    `goal <= 1000 ms; max ${ms(p.delivery.latency.max)}`,
  );
}

function reportBurst(ctx: BenchContext, r: WebhooksResults, p: Phase): void {
  ctx.report(
    `[${p.name}] to the healthy ${r.healthyCount}`,
    rate(burstRate(p), 'deliveries/s'),
    `${p.delivery.delivered} of ${p.load.keys.length * r.healthyCount} in ${p.delivery.lastAt - p.load.startedAt} ms (committed in ${p.load.endedAt - p.load.startedAt} ms); p99 ${ms(p.delivery.latency.p99)}${p.complete ? '' : ', NOT DRAINED'}`,
  );
}

export function reportWebhooks(ctx: BenchContext, r: WebhooksResults): void {
  const { healthy: h, withDead: d, healthyBurst: hb, deadBurst: db, stats, tally: t } = r;
  ctx.report(
    `bare sender -> ${r.healthyCount} receivers (ref)`,
    rate(r.reference.rate, 'deliveries/s'),
    `${r.reference.sent} signed POSTs, ${r.sendersAtOnce} at a time, with core's sendWebhook and no job or database; ${r.reference.failed} not 204`,
  );
  reportSteady(ctx, r, h);
  reportBurst(ctx, r, hb);
  reportSteady(ctx, r, d);
  reportBurst(ctx, r, db);
  ctx.report(
    'ratio burst deliveries/s / bare sender',
    ratio(burstRate(hb), r.reference.rate),
    'healthy only; what the events, jobs, queues and delivery log cost per delivery',
  );
  ctx.report(
    'ratio with dead / healthy only, p99',
    ratio(d.delivery.latency.p99, h.delivery.latency.p99),
    'commit -> delivery to the healthy receivers; goal ~1.0',
  );
  ctx.report(
    'ratio with dead / healthy only, p50',
    ratio(d.delivery.latency.p50, h.delivery.latency.p50),
    'commit -> delivery to the healthy receivers',
  );
  ctx.report(
    'ratio with dead / healthy only, running',
    ratio(runningShare(d, r.healthyCount), runningShare(h, r.healthyCount)),
    'share delivered while the load ran; goal ~1.0',
  );
  ctx.report(
    'ratio with dead / healthy only, burst',
    ratio(burstRate(db), burstRate(hb)),
    'deliveries/s to the healthy receivers; goal ~1.0',
  );
  const statuses = Object.entries(stats.deadStatuses)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  ctx.report(
    'dead receiver: attempts',
    String(stats.deadAttempts),
    `for its deliveries (${statuses || 'none'}); each attempt holds one of ${r.deliverySlots} delivery slots (not the other jobs') for ${r.timeoutMs} ms`,
  );
  ctx.report(
    'healthy attempts failed / 5xx from core',
    `${stats.healthyFailedAttempts} / ${r.serverErrors}`,
    stats.healthyFailedAttempts + r.serverErrors > 0
      ? '!!! see the progress lines and the logs'
      : 'should be 0 / 0',
  );
  ctx.report(
    'missing / duplicate webhook-ids',
    `${t.missing} / ${t.duplicates}`,
    `of ${r.events} events x ${r.healthyCount} receivers; ${t.split} events under 2+ ids, ${t.unexpected} unexpected, ${t.unverified} signatures not verified (all should be 0)`,
  );
}
