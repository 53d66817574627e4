/**
 * Where one shopper's order goes: orders placed one at a time (the latency most stores see
 * most of the time), each traced through core. Every query core sends is timed at the pg
 * client (round trip included), so the report splits an order's server time into time in
 * Postgres round trips, by statement, and the rest (HTTP, JSON, token, logging, our code).
 * The load is the bench's own loop in this process; core runs here too, with the default
 * log level pretty-printed to a file as `bun run dev` does, and the rest of the stack as `bun run
 * dev` starts it (the jobs runner with the rooms' feed in its own process, the edge), so the
 * queues an order writes to are drained as they are for users.
 */
import pg from 'pg';
import { adminAuthorization, startBenchCore } from './bench-core.ts';
import { type BenchEdge, devLikeLogger, drained, startBenchEdge, startBenchJobs } from './orders/stack.ts';
import { makeOrdersWorld } from './orders/world.ts';
import { pgbench, pgbenchInit } from './postgres.ts';
import type { BenchContext } from './run.ts';

/** Statements inside functions are counted too, so the order's SQL functions can be read apart. */
export const postgresSettings = [
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track=all',
  'pg_stat_statements.track_planning=on',
  'track_functions=all',
];

interface Traced {
  text: string;
  ms: number;
}

/** Times every query of every pg client in this process, into `sink` while it is set. */
function traceQueries(): { take(): Traced[] } {
  let sink: Traced[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '?');
    const started = performance.now();
    const done = () => sink.push({ text, ms: performance.now() - started });
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function')
      // pg-pool's pool.query passes a callback
      args[last] = (...result: unknown[]) => {
        done();
        return (callback as (...r: unknown[]) => unknown)(...result);
      };
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(done, done);
    return result;
  };
  return {
    take() {
      const taken = sink;
      sink = [];
      return taken;
    },
  };
}

const shortText = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 90);
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export async function run(ctx: BenchContext): Promise<void> {
  pgbenchInit(ctx.databaseUrl);
  ctx.progress(`order-profile: pgbench TPC-B-like, 1 client, ${ctx.seconds} s`);
  const pg1 = pgbench(ctx.databaseUrl, ['-c', '1', '-T', String(ctx.seconds)]);

  const coreLog = devLikeLogger(ctx, 'core');
  const core = startBenchCore(ctx.databaseUrl, coreLog.log);
  const tracer = traceQueries();
  let edge: BenchEdge | undefined;
  let jobs: { stop(): Promise<void> } | undefined;
  try {
    const headers = { ...(await adminAuthorization(core.url)), 'content-type': 'application/json' };
    const world = await makeOrdersWorld(ctx, core.handle, core.url, headers);
    ctx.progress('order-profile: starting the edge worker (wrangler dev) and the jobs runner with the feed');
    edge = await startBenchEdge(ctx, { coreUrl: core.url, proxyPort: core.proxy.port, tag: 'order-profile' });
    jobs = await startBenchJobs(ctx, edge);
    const body = JSON.stringify({
      lines: [{ sku: world.hotSku, qty: 1 }],
      warehouseId: world.warehouseIds[0],
    });
    const order = async () => {
      const res = await fetch(`${core.url}/api/orders`, { method: 'POST', headers, body });
      if (res.status !== 201) throw new Error(`order answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    ctx.progress('order-profile: warming up, then waiting for the jobs runner to drain');
    for (let i = 0; i < 200; i++) await order();
    await drained(ctx.databaseUrl);
    await core.handle.pool.query('create extension if not exists pg_stat_statements');
    await core.handle.pool.query('select pg_stat_statements_reset(), pg_stat_reset()');
    tracer.take();

    ctx.progress(`order-profile: one client, ${ctx.seconds} s`);
    const totals: number[] = [];
    const inQueries: number[] = [];
    const byStatement = new Map<string, { n: number; ms: number }>();
    let queries = 0;
    const deadline = performance.now() + ctx.seconds * 1000;
    while (performance.now() < deadline) {
      const started = performance.now();
      await order();
      totals.push(performance.now() - started);
      await Bun.sleep(0); // let the trace's continuations run
      const traced = tracer.take();
      queries += traced.length;
      inQueries.push(traced.reduce((n, t) => n + t.ms, 0));
      for (const t of traced) {
        const key = shortText(t.text);
        const seen = byStatement.get(key) ?? { n: 0, ms: 0 };
        byStatement.set(key, { n: seen.n + 1, ms: seen.ms + t.ms });
      }
    }
    const n = totals.length;
    const sorted = [...totals].sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const dbMean = inQueries.reduce((a, b) => a + b, 0) / n;
    const mean = totals.reduce((a, b) => a + b, 0) / n;
    ctx.report(
      'order, 1 client p50 / pgbench 1-client latency',
      (p50 / pg1.latencyMs).toFixed(2),
      `${p50.toFixed(2)} vs ${pg1.latencyMs.toFixed(2)} ms`,
    );
    ctx.report('order mean', `${mean.toFixed(2)} ms`, `${n} orders`);
    ctx.report(
      '  in Postgres round trips (mean)',
      `${dbMean.toFixed(2)} ms`,
      `${(queries / n).toFixed(1)} queries per order`,
    );
    ctx.report('  outside them (HTTP, JSON, auth, logs, our code)', `${(mean - dbMean).toFixed(2)} ms`);
    const top = [...byStatement.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
    for (const [text, s] of top)
      ctx.report(`    ${text}`, `${(s.ms / n).toFixed(3)} ms`, `${(s.n / n).toFixed(2)} per order`);
    // Postgres's own times, for every session of the stack (the jobs runner's and the feeder's
    // statements too: what an order costs the database in all), per order placed.
    // Planning included: a statement sent without a prepared plan is planned on every call.
    const inside = await core.handle.pool.query<{
      query: string;
      calls: string;
      total: number;
      plan: number;
    }>(
      `select query, calls, total_exec_time + total_plan_time as total, total_plan_time as plan
         from pg_stat_statements
        where query not like '%pg_stat%' order by total_exec_time + total_plan_time desc limit 20`,
    );
    for (const r of inside.rows)
      ctx.report(
        `  pg, all sessions: ${shortText(r.query)}`,
        `${(r.total / n).toFixed(3)} ms`,
        `${(Number(r.calls) / n).toFixed(2)} per order, planning ${(r.plan / n).toFixed(3)} ms`,
      );
    const fns = await core.handle.pool.query<{ f: string; calls: string; total: number; self: number }>(
      `select schemaname || '.' || funcname as f, calls, total_time as total, self_time as self
         from pg_stat_user_functions where funcname not like 'pg_stat%' order by total_time desc limit 5`,
    );
    for (const r of fns.rows)
      ctx.report(
        `  pg function, all sessions: ${r.f}`,
        `${(r.total / n).toFixed(3)} ms (self ${(r.self / n).toFixed(3)})`,
        `${(Number(r.calls) / n).toFixed(2)} per order`,
      );
  } finally {
    await jobs?.stop();
    await edge?.stop();
    await core.stop();
    await coreLog.close();
  }
}
