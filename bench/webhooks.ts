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
 *   burst      BURST adjustments as fast as 8 clients make them: deliveries per second to the
 *              healthy nine, against the reference
 *   dead       the steady load again with a 10th subscription whose receiver never answers (the
 *              sender gives up after WEBHOOK_TIMEOUT_MS), at least that timeout and 2 s long so an
 *              attempt hangs its whole timeout inside it, then the burst again: the healthy
 *              receivers' numbers against those of the phases without it
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
  deliveriesOf,
  drain,
  type Load,
  otherStatuses,
  steadyAdjustments,
} from './webhooks/phases.ts';
import { startReceivers } from './webhooks/receivers.ts';
import { measureBareSender } from './webhooks/reference.ts';
import { deliveryStats, type Phase, reportWebhooks } from './webhooks/report.ts';
import { type Receipt, sumTallies, tallyReceipts } from './webhooks/tally.ts';

const HEALTHY = 9;
const EVENTS_PER_SECOND = 20;
const SKUS = 5;
const BURST = 100;
const BURST_CLIENTS = 8;
const DRAIN_TIMEOUT_MS = 60_000;

export async function run(ctx: BenchContext): Promise<void> {
  const cfg = config();
  const settings = webhookSettingsFrom(cfg);
  // What the jobs runner can have in flight to the healthy receivers: one per subscription.
  const sendersAtOnce = Math.min(cfg.WEBHOOK_CONCURRENCY, HEALTHY);
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
    ctx.progress(`webhooks: reference: ${deliveries} signed POSTs, ${sendersAtOnce} at a time`);
    const reference = await measureBareSender(receivers, {
      deliveries,
      concurrency: sendersAtOnce,
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
      const taken = await receivers.take();
      for (const [i, r] of taken.receipts.entries()) receipts[i]?.push(...r);
      const delivery = deliveriesOf(load, taken.receipts);
      ctx.progress(
        `webhooks: ${name}: ${load.keys.length} events, ${delivery.delivered}/${load.keys.length * HEALTHY} delivered, p50 ${ms(delivery.latency.p50)}, p99 ${ms(delivery.latency.p99)}${complete ? '' : ' (NOT DRAINED)'}`,
      );
      return { name, load, delivery, complete };
    };
    const steady = async (name: string, seconds: number) => {
      headers = await adminAuthorization(core.url); // a fresh token per phase
      ctx.progress(`webhooks: ${name}: ${EVENTS_PER_SECOND} adjustments/s for ${seconds} s`);
      return settle(name, await steadyAdjustments(target(), EVENTS_PER_SECOND, seconds));
    };

    const burst = async (name: string) => {
      headers = await adminAuthorization(core.url);
      ctx.progress(`webhooks: ${name}: ${BURST} adjustments, ${BURST_CLIENTS} at once`);
      return settle(name, await burstAdjustments(target(), BURST, BURST_CLIENTS));
    };

    ctx.progress('webhooks: warming up (2 s)');
    await settle('warm-up', await steadyAdjustments(target(), EVENTS_PER_SECOND, 2));
    const healthy = await steady('healthy only', ctx.seconds);
    const healthyBurst = await burst('burst, healthy only');
    const dead = await subscribe(receivers.dead, 'never answers');
    // Long enough for an attempt to the dead receiver to hang its whole timeout inside the phase.
    const deadSeconds = Math.max(ctx.seconds, Math.ceil(settings.timeoutMs / 1000) + 2);
    const withDead = await steady('with the dead receiver', deadSeconds);
    const deadBurst = await burst('burst, with the dead receiver');

    reportWebhooks(ctx, {
      healthyCount: HEALTHY,
      sendersAtOnce,
      deliverySlots: cfg.WEBHOOK_CONCURRENCY,
      timeoutMs: settings.timeoutMs,
      reference,
      healthy,
      withDead,
      healthyBurst,
      deadBurst,
      serverErrors,
      stats: await deliveryStats(
        core.handle.pool,
        dead.id,
        healthySubs.map((s) => s.id),
      ),
      events: keys.length,
      tally: sumTallies(receipts.map((r) => tallyReceipts(new Set(keys), r))),
    });
  } finally {
    // The receivers first: their hung requests end, so no attempt waits out its timeout below.
    await receivers.stop();
    await jobs?.stop();
    await edge?.stop();
    await core.stop();
    await coreLog.close();
  }
}
