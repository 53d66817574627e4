/**
 * Outbound webhooks under a steady load, on the whole stack as `bun run dev` runs it (core in
 * this process at the default log level, pretty-printed into a file; the jobs runner, which
 * sends the deliveries, a process of its own with the rooms' feed; the edge worker with its rooms
 * under wrangler dev), all in one run on one Postgres:
 *   reference  this process sending signed deliveries to the nine healthy receivers with core's
 *              own sender and nothing around it (no job, no queue, no database)
 *   healthy    9 subscriptions (made through the API as the admin) to 9 receivers answering 204;
 *              EVENTS_PER_SECOND stock adjustments a second through core's API, each committing
 *              one stock.changed event: delivered / (events x 9) while running and once drained,
 *              and commit (the event's occurredAt) -> arrival at the receiver, p50/p99
 *   dead       the same with a 10th subscription whose receiver never answers (the sender gives
 *              up after WEBHOOK_TIMEOUT_MS), at least that timeout and 2 s long, so a hung
 *              attempt happens inside it: the healthy numbers against the phase before
 *   burst      BURST adjustments as fast as 8 clients make them (the dead one still subscribed):
 *              deliveries per second to the healthy nine, against the reference
 * At the end every healthy receiver must have had every committed event exactly once by
 * webhook-id, each signature verified with the standardwebhooks library, and no 5xx.
 *
 * The receivers are Bun.serve servers in a process of their own (bench/webhooks/receivers.ts);
 * the load, the drain and the delivery figures are in bench/webhooks/phases.ts, the reference in
 * reference.ts, the exactly-once check in tally.ts.
 */
import { products } from '../core/catalog/tables.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { config } from '../core/platform/config.ts';
import { webhookSettingsFrom } from '../core/webhooks/settings.ts';
import { adminAuthorization, startBenchCore } from './bench-core.ts';
import { type BenchEdge, devLikeLogger, drained, startBenchEdge, startBenchJobs } from './orders/stack.ts';
import { ms } from './realtime/stats.ts';
import type { BenchContext } from './run.ts';
import {
  type AdjustTarget,
  burstAdjustments,
  type Delivery,
  deliveriesOf,
  drain,
  type Load,
  otherStatuses,
  steadyAdjustments,
} from './webhooks/phases.ts';
import { startReceivers } from './webhooks/receivers.ts';
import { measureBareSender } from './webhooks/reference.ts';
import { type Receipt, sumTallies, tallyReceipts } from './webhooks/tally.ts';

const HEALTHY = 9;
const EVENTS_PER_SECOND = 20;
const SKUS = 5;
const BURST = 100;
const BURST_CLIENTS = 8;
const DRAIN_TIMEOUT_MS = 60_000;

interface Phase {
  name: string;
  load: Load;
  delivery: Delivery;
  drainedMs: number;
  complete: boolean;
}

export async function run(ctx: BenchContext): Promise<void> {
  const cfg = config();
  const settings = webhookSettingsFrom(cfg);
  ctx.progress(`webhooks: starting ${HEALTHY} healthy receivers and a dead one (a process of their own)`);
  const receivers = await startReceivers(HEALTHY);
  const coreLog = devLikeLogger(ctx, 'core');
  const core = startBenchCore(ctx.databaseUrl, coreLog.log);
  let edge: BenchEdge | undefined;
  let jobs: { stop(): Promise<void> } | undefined;
  try {
    const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
    const [warehouse] = await core.handle.db
      .insert(warehouses)
      .values({ code: `W${tag}`, name: 'Webhooks bench' })
      .returning({ id: warehouses.id });
    if (!warehouse) throw new Error('the bench warehouse was not created');
    const skus = Array.from({ length: SKUS }, (_, i) => `HOOK-${tag}-${i}`);
    await core.handle.db
      .insert(products)
      .values(skus.map((sku) => ({ sku, name: `Hook ${sku}`, priceAmount: 500, priceCurrency: 'EUR' })));

    // The reference first, while nothing else runs.
    const deliveries = BURST * HEALTHY;
    ctx.progress(`webhooks: reference: ${deliveries} signed POSTs, ${cfg.JOBS_CONCURRENCY} at a time`);
    const reference = await measureBareSender(receivers, {
      deliveries,
      concurrency: cfg.JOBS_CONCURRENCY,
      settings,
    });
    await receivers.take();

    ctx.progress('webhooks: starting the edge worker (wrangler dev) and the jobs runner with the feed');
    edge = await startBenchEdge(ctx, {
      coreUrl: core.url,
      proxyPort: core.proxy.port,
      tag: `webhooks-${tag}`,
    });
    jobs = await startBenchJobs(ctx, edge);

    let headers = await adminAuthorization(core.url);
    const subscribe = async (url: string, description: string) => {
      const res = await fetch(`${core.url}/api/webhooks`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ url, events: ['stock.changed'], description }),
      });
      if (res.status !== 201) throw new Error(`subscribing failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; secret: string };
    };
    const healthySubs = [];
    for (const [i, url] of receivers.healthy.entries())
      healthySubs.push(await subscribe(url, `healthy ${i}`));
    await receivers.useSecrets(healthySubs.map((s) => s.secret));
    await drained(ctx.databaseUrl);

    const keys: string[] = [];
    const receipts: Receipt[][] = receivers.healthy.map(() => []);
    let serverErrors = 0;
    const target = (): AdjustTarget => ({ coreUrl: core.url, headers, warehouseId: warehouse.id, skus });
    const settle = async (name: string, load: Load): Promise<Phase> => {
      serverErrors += otherStatuses(ctx, name, load);
      keys.push(...load.keys);
      const complete = await drain(receivers, load.keys.length, DRAIN_TIMEOUT_MS);
      const drainedMs = Date.now() - load.endedAt;
      const taken = await receivers.take();
      for (const [i, r] of taken.receipts.entries()) receipts[i]?.push(...r);
      const delivery = deliveriesOf(load, taken.receipts);
      ctx.progress(
        `webhooks: ${name}: ${load.keys.length} events, ${delivery.delivered}/${load.keys.length * HEALTHY} delivered, p50 ${ms(delivery.latency.p50)}, p99 ${ms(delivery.latency.p99)}${complete ? '' : ' (NOT DRAINED)'}`,
      );
      return { name, load, delivery, drainedMs, complete };
    };
    const steady = async (name: string, seconds: number) => {
      headers = await adminAuthorization(core.url); // a fresh token per phase
      ctx.progress(`webhooks: ${name}: ${EVENTS_PER_SECOND} adjustments/s for ${seconds} s`);
      return settle(name, await steadyAdjustments(target(), EVENTS_PER_SECOND, seconds));
    };

    ctx.progress('webhooks: warming up (2 s)');
    await settle('warm-up', await steadyAdjustments(target(), EVENTS_PER_SECOND, 2));
    const healthy = await steady('healthy only', ctx.seconds);
    const dead = await subscribe(receivers.dead, 'never answers');
    const withDead = await steady(
      'with the dead receiver',
      Math.max(ctx.seconds, settings.timeoutMs / 1000 + 2),
    );
    headers = await adminAuthorization(core.url);
    ctx.progress(`webhooks: burst of ${BURST} adjustments, ${BURST_CLIENTS} at once`);
    const burst = await settle('burst', await burstAdjustments(target(), BURST, BURST_CLIENTS));

    const tallies = receipts.map((r) => tallyReceipts(new Set(keys), r));
    const stats = await deliveryStats(
      core.handle.pool,
      dead.id,
      healthySubs.map((s) => s.id),
    );
    report(ctx, { reference, healthy, withDead, burst, serverErrors, stats, events: keys.length });
    const t = sumTallies(tallies);
    ctx.report(
      'every event once at every healthy receiver',
      `${t.missing} / ${t.duplicates}`,
      `missing / duplicate webhook-ids of ${keys.length} events x ${HEALTHY}; ${t.split} events under 2+ ids, ${t.unexpected} unexpected, ${t.unverified} signatures not verified (all should be 0)`,
    );
  } finally {
    // The receivers first: their hung requests end, so no attempt waits out its timeout below.
    await receivers.stop();
    await jobs?.stop();
    await edge?.stop();
    await core.stop();
    await coreLog.close();
  }
}

interface Stats {
  /** Attempts to the healthy receivers that did not get a 2xx (a timeout, an error, a 5xx). */
  healthyFailedAttempts: number;
  /** The dead subscription's deliveries by status, and its attempts. */
  deadStatuses: Record<string, number>;
  deadAttempts: number;
}

async function deliveryStats(
  pool: { query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> },
  deadId: string,
  healthyIds: string[],
): Promise<Stats> {
  const failed = await pool.query(
    `select count(*)::int as n from webhooks.delivery_attempts a
       join webhooks.deliveries d on d.id = a.delivery_id
      where d.subscription_id = any($1::uuid[]) and (a.status_code is null or a.status_code not between 200 and 299)`,
    [healthyIds],
  );
  const statuses = await pool.query(
    `select status, count(*)::int as n, sum(attempts)::int as attempts
       from webhooks.deliveries where subscription_id = $1 group by status`,
    [deadId],
  );
  return {
    healthyFailedAttempts: Number(failed.rows[0]?.n ?? 0),
    deadStatuses: Object.fromEntries(statuses.rows.map((r) => [String(r.status), Number(r.n)])),
    deadAttempts: statuses.rows.reduce((n, r) => n + Number(r.attempts), 0),
  };
}

function report(
  ctx: BenchContext,
  r: {
    reference: Awaited<ReturnType<typeof measureBareSender>>;
    healthy: Phase;
    withDead: Phase;
    burst: Phase;
    serverErrors: number;
    stats: Stats;
    events: number;
  },
): void {
  const perSecond = (n: number, spanMs: number) => (spanMs > 0 ? (n * 1000) / spanMs : Number.NaN);
  const rate = (v: number, unit: string) => `${Math.round(v).toLocaleString('en-US')} ${unit}`;
  ctx.report(
    'bare sender -> 9 receivers (ref)',
    rate(r.reference.rate, 'deliveries/s'),
    `${r.reference.sent} signed POSTs with core's sendWebhook, no job or database; ${r.reference.failed} not 204`,
  );
  for (const p of [r.healthy, r.withDead]) {
    const span = p.load.endedAt - p.load.startedAt;
    const expected = p.load.keys.length * HEALTHY;
    const events = perSecond(p.load.keys.length, span);
    ctx.report(
      `[${p.name}] events committed`,
      rate(events, 'events/s'),
      `${p.load.keys.length} in ${(span / 1000).toFixed(1)} s${p.load.skipped ? `, ${p.load.skipped} not sent (loop behind)` : ''}`,
    );
    ctx.report(
      `[${p.name}] delivered / (events x 9), running`,
      (p.delivery.deliveredWhileRunning / expected).toFixed(2),
      `${rate(perSecond(p.delivery.deliveredWhileRunning, span), 'deliveries/s')} vs ${rate(events * HEALTHY, '/s')} committed x 9`,
    );
    ctx.report(
      `[${p.name}] delivered / (events x 9), drained`,
      (p.delivery.delivered / expected).toFixed(2),
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
  const { healthy: h, withDead: d, burst: b } = r;
  ctx.report(
    'ratio with dead / healthy only, p99',
    (d.delivery.latency.p99 / h.delivery.latency.p99).toFixed(2),
    'commit -> delivery to the healthy nine; goal ~1.0',
  );
  ctx.report(
    'ratio with dead / healthy only, p50',
    (d.delivery.latency.p50 / h.delivery.latency.p50).toFixed(2),
    'commit -> delivery to the healthy nine',
  );
  ctx.report(
    'ratio with dead / healthy only, running',
    (
      d.delivery.deliveredWhileRunning /
      d.load.keys.length /
      (h.delivery.deliveredWhileRunning / h.load.keys.length)
    ).toFixed(2),
    'share delivered while the load ran; goal ~1.0',
  );
  const burstSpan = b.delivery.lastAt - b.load.startedAt;
  const burstRate = perSecond(b.delivery.delivered, burstSpan);
  ctx.report(
    `burst of ${b.load.keys.length} events, to the healthy nine`,
    rate(burstRate, 'deliveries/s'),
    `${b.delivery.delivered} delivered ${burstSpan} ms after the first request; committed in ${b.load.endedAt - b.load.startedAt} ms; p99 ${ms(b.delivery.latency.p99)}`,
  );
  ctx.report(
    'ratio burst deliveries/s / bare sender',
    (burstRate / r.reference.rate).toFixed(2),
    'what the queue, the jobs and the database cost per delivery',
  );
  const dead = Object.entries(r.stats.deadStatuses)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  ctx.report(
    'dead receiver: deliveries, attempts',
    `${r.stats.deadAttempts}`,
    `attempts for ${dead || 'no deliveries'} (paused after a timeout, not retried per delivery)`,
  );
  ctx.report(
    'healthy attempts failed / 5xx from core',
    `${r.stats.healthyFailedAttempts} / ${r.serverErrors}`,
    r.stats.healthyFailedAttempts + r.serverErrors > 0
      ? '!!! see the progress lines and the logs'
      : 'should be 0 / 0',
  );
}
