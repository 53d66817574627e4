/**
 * Placing orders, the write path that must never oversell, all in one run on one Postgres:
 *   reference  pgbench TPC-B-like at 64, 8 and 1 clients (scale 1: one branch row, so every
 *              transaction contends on it, as every order below contends on one hot sku)
 *   stack      POST /api/orders to core, one sku in one named warehouse, at 64 and 1 clients, with
 *              the whole stack as `bun run dev` runs it: the jobs runner in its own process with
 *              the rooms' feed, the edge worker with its rooms, the default log level
 *              (pretty-printed as the dev runner does); then the hot load on a second core
 *              logging at warn, for what the default level's line per request costs
 *   edge       the same through the edge worker (wrangler dev / workerd) to core, 64 and 1 clients,
 *              and through a bare worker on the same wrangler dev that only passes requests on
 *              (bench/bare-worker): how much of the hop is the local runtime and how much ours
 *   feed off   the hot order again with the jobs runner stopped, so with no feed and no events
 *              (a stripped configuration, labelled so), then at 8 clients, without warehouseId
 *              (the allocator picks among 3 stocked warehouses), and 3 random distinct skus out
 *              of 10,000 per order
 *   turns      the stack, feed off and pgbench at 64 clients again, one after another for
 *              TURNS rounds, for the two ratios with goals from measurements seconds apart
 *              (bench/orders/turns.ts)
 * After every phase the ledger is checked in SQL: reserved <= on_hand, on_hand = its movements,
 * reserved = its holds, holds = what live orders allocated, and orders created = 201s seen.
 *
 * The load generator runs as its own process (bench/orders/order-load.ts), so it does not share
 * an event loop with the server under test. The world is bench/orders/world.ts, the rest of the
 * stack bench/orders/stack.ts, the ledger check bench/orders/ledger-check.ts.
 */
import { adminAuthorization, connectBenchDatabase, startBenchCore } from './bench-core.ts';
import { profileEdge } from './edge-profile.ts';
import { checkLedger, countOrders, type Violation } from './orders/ledger-check.ts';
import { measureOrders, type OrderLoadResult, type OrderShape } from './orders/order-load.ts';
import { reportOrders } from './orders/report.ts';
import {
  type BenchEdge,
  devLikeLogger,
  drained,
  startBareForward,
  startBenchEdge,
  startBenchJobs,
  type TickCount,
  ticksBetween,
} from './orders/stack.ts';
import { measureInTurns } from './orders/turns.ts';
import { makeOrdersWorld } from './orders/world.ts';
import { statementSettings, watchStatements } from './pg-statements.ts';
import { pgbench, pgbenchInit } from './postgres.ts';
import { cpuBetween, cpuSnapshot } from './process-cpu.ts';
import type { BenchContext } from './run.ts';

async function checkpoint(url: string, before?: string): Promise<void> {
  const { pool, close } = connectBenchDatabase(url, { max: 1, application: 'bench-checkpoint' });
  try {
    if (before) await pool.query(before);
    await pool.query('checkpoint');
  } finally {
    await close();
  }
}

/** PG_STATEMENTS=<phase>[;<phase>...] adds the phase's statements by Postgres time (bench/pg-statements.ts). */
export const postgresSettings = statementSettings();

/** Rounds of the turns (stack, feed off, pgbench at 64 clients). */
const TURNS = 3;

export async function run(ctx: BenchContext): Promise<void> {
  const s = ctx.seconds;
  const seconds = String(s);

  // The reference first, while nothing else holds connections.
  ctx.progress('orders: pgbench initialising (scale 1)');
  pgbenchInit(ctx.databaseUrl);
  // Every measurement, ours and pgbench's, starts right after a checkpoint, so none of them pays
  // for the WAL the one before wrote.
  const pgbenchAt = async (clients: number) => {
    await checkpoint(ctx.databaseUrl);
    ctx.progress(`orders: pgbench TPC-B-like, ${clients} clients, ${seconds} s`);
    return pgbench(ctx.databaseUrl, ['-c', String(clients), '-j', '2', '-T', seconds]);
  };
  const pg64 = await pgbenchAt(64);
  const pg8 = await pgbenchAt(8);
  const pg1 = await pgbenchAt(1);
  // pgbench's dead rows are vacuumed now, not by autovacuum in the middle of our measurements.
  ctx.progress('orders: vacuuming after pgbench');
  await checkpoint(ctx.databaseUrl, 'vacuum analyze');

  const coreLog = devLikeLogger(ctx, 'core');
  const core = startBenchCore(ctx.databaseUrl, coreLog.log);
  const { handle, proxy } = core;
  const coreUrl = core.url;
  let edge: BenchEdge | undefined;
  let jobs: Awaited<ReturnType<typeof startBenchJobs>> | undefined;

  const violations: { phase: string; v: Violation }[] = [];
  let fiveHundreds = 0;

  try {
    const login = () => adminAuthorization(coreUrl);

    const baseline = await checkLedger(handle.db);
    for (const v of baseline) violations.push({ phase: 'before the run (seed)', v });
    let headers = await login();
    const world = await makeOrdersWorld(ctx, handle, coreUrl, headers);
    const [wh0] = world.warehouseIds as [string];
    const hot: OrderShape = { kind: 'hot', sku: world.hotSku, warehouseId: wh0 };
    const setup = await checkLedger(handle.db);
    for (const v of setup) violations.push({ phase: 'after stocking', v });

    ctx.progress('orders: starting the edge worker (wrangler dev) and the jobs runner with the feed');
    const benchEdge = await startBenchEdge(ctx, {
      coreUrl,
      proxyPort: proxy.port,
      tag: `orders-${world.hotSku}`,
    });
    edge = benchEdge;
    jobs = await startBenchJobs(ctx, benchEdge);
    ctx.progress('orders: waiting for the jobs runner to drain what the setup queued');
    await drained(ctx.databaseUrl);

    const results: Record<string, OrderLoadResult> = {};
    // CPU by part of the stack while each phase ran (the load generator, gone by the end, is not in it).
    const cpu: Record<string, { parts: [string, number][]; orders: number; ticks?: TickCount }> = {};
    const phase = async (
      name: string,
      label: string,
      target: string,
      connections: number,
      shape: OrderShape,
    ) => {
      headers = await login(); // access tokens live 15 minutes; each phase gets a fresh one
      await checkpoint(ctx.databaseUrl);
      ctx.progress(`orders: ${label}, ${connections} clients, ${s} s`);
      const before = await countOrders(handle.db);
      // The CPU of a phase's orders includes the work they leave to the jobs runner and the
      // edge: drained before it starts (none of the last phase's) and after it ends.
      if (jobs) await drained(ctx.databaseUrl);
      const cpuBefore = cpuSnapshot();
      const ticksBefore = jobs && { ...jobs.ticks };
      const profiling =
        process.env.EDGE_PROFILE === name && edge ? await profileEdge(edge.inspectorPort) : undefined;
      const statements = process.env.PG_STATEMENTS?.split(';').includes(name)
        ? await watchStatements(ctx.databaseUrl)
        : undefined;
      const r = await measureOrders({
        url: `${target}/api/orders`,
        connections,
        seconds: s,
        headers,
        shape,
      });
      if (jobs) await drained(ctx.databaseUrl);
      if (profiling) ctx.progress(`edge profile, ${name}:\n${(await profiling.stop(40)).join('\n')}`);
      if (statements)
        ctx.progress(`Postgres statements, ${name}:\n${(await statements.stop(r.created)).join('\n')}`);
      cpu[name] = {
        parts: cpuBetween(cpuBefore, cpuSnapshot()),
        orders: r.created,
        ...(jobs && ticksBefore ? { ticks: ticksBetween(ticksBefore, jobs.ticks) } : {}),
      };
      const after = await countOrders(handle.db);
      results[name] = r;
      const non201 = Object.entries(r.statuses).filter(([st]) => st !== '201');
      for (const [st, n] of non201) {
        if (st.startsWith('5') || st === 'network') fiveHundreds += n;
        const loud = st.startsWith('5') || st === 'network' ? '!!! ' : '';
        ctx.progress(`orders: ${loud}${name}: ${n} x ${st}: ${r.samples[st] ?? ''}`);
      }
      if (after - before !== r.created)
        violations.push({
          phase: name,
          v: {
            check: 'orders = 201s',
            detail: `${after - before} orders created, ${r.created} responses were 201`,
          },
        });
      const found = await checkLedger(handle.db);
      for (const v of found) violations.push({ phase: name, v });
      ctx.progress(
        `orders: ${name}: ${r.rps.toFixed(0)} orders/s, ${r.requests} requests, check ${found.length === 0 && after - before === r.created ? 'ok' : 'FAILED'}`,
      );
      return r;
    };

    const edgeUrl = edge.url;
    for (const [what, url] of [
      ['core', coreUrl],
      ['the edge', edgeUrl],
    ] as const) {
      ctx.progress(`orders: warming up ${what}`);
      await measureOrders({ url: `${url}/api/orders`, connections: 8, seconds: 1, headers, shape: hot });
    }
    await drained(ctx.databaseUrl);

    // The whole stack, as users run it.
    const stack64 = await phase('stack hot sku, 64', 'core, hot sku, whole stack', coreUrl, 64, hot);
    const stack1 = await phase('stack hot sku, 1', 'core, hot sku, whole stack', coreUrl, 1, hot);
    // The default log level's cost: the same load on a second core whose logger is at warn (so
    // it writes no line per request), beside the same jobs runner and edge.
    ctx.progress('orders: starting a second core logging at warn');
    const quietLog = devLikeLogger(ctx, 'core', 'warn');
    const quiet = startBenchCore(ctx.databaseUrl, quietLog.log);
    let warn64: OrderLoadResult;
    try {
      await measureOrders({
        url: `${quiet.url}/api/orders`,
        connections: 8,
        seconds: 1,
        headers,
        shape: hot,
      });
      warn64 = await phase(
        'stack at warn, hot sku, 64',
        'core logging at warn, whole stack',
        quiet.url,
        64,
        hot,
      );
    } finally {
      await quiet.stop();
      await quietLog.close();
    }
    const edge64 = await phase('edge hot sku, 64', 'edge -> core, hot sku, whole stack', edgeUrl, 64, hot);
    const edge1 = await phase('edge hot sku, 1', 'edge -> core, hot sku, whole stack', edgeUrl, 1, hot);
    ctx.progress('orders: starting the bare forwarding worker (wrangler dev)');
    const bare = await startBareForward(ctx, coreUrl);
    let bare64: OrderLoadResult;
    let bare1: OrderLoadResult;
    try {
      await measureOrders({ url: `${bare.url}/api/orders`, connections: 8, seconds: 1, headers, shape: hot });
      bare64 = await phase('bare forward hot sku, 64', 'bare worker -> core, whole stack', bare.url, 64, hot);
      bare1 = await phase('bare forward hot sku, 1', 'bare worker -> core, whole stack', bare.url, 1, hot);
    } finally {
      await bare.stop();
    }

    // Stripped: no jobs runner, so no feed and no events (what piles up meanwhile is not drained).
    ctx.progress('orders: stopping the jobs runner (feed off)');
    await jobs.stop();
    jobs = undefined;
    const off64 = await phase('feed off hot sku, 64', 'core, hot sku, no jobs runner', coreUrl, 64, hot);
    const off1 = await phase('feed off hot sku, 1', 'core, hot sku, no jobs runner', coreUrl, 1, hot);
    const off8 = await phase('feed off hot sku, 8', 'core, hot sku, no jobs runner', coreUrl, 8, hot);
    const alloc64 = await phase(
      'feed off allocator, 64',
      'core, no warehouseId (allocator), no jobs',
      coreUrl,
      64,
      {
        kind: 'hot',
        sku: world.hotSku,
      },
    );
    const mixed64 = await phase('feed off mixed skus, 64', 'core, 3 of 10,000 skus, no jobs', coreUrl, 64, {
      kind: 'mixed',
      prefix: world.mixedPrefix,
      count: world.mixedCount,
      lines: 3,
      warehouseId: wh0,
    });

    // The ratios with goals again, each round's measurements seconds apart.
    const hot64 = (round: number, name: string, stack: string) =>
      phase(`turn ${round}: ${name}, 64`, `turn ${round}: core, hot sku, ${stack}`, coreUrl, 64, hot);
    const turns = await measureInTurns(
      {
        stack: async (round) => (await hot64(round, 'stack hot sku', 'whole stack')).rps,
        feedOff: async (round) => (await hot64(round, 'feed off hot sku', 'no jobs runner')).rps,
        pgbench: async () => (await pgbenchAt(64)).tps,
        startFeed: async () => {
          ctx.progress('orders: starting the jobs runner (turns)');
          jobs = await startBenchJobs(ctx, benchEdge);
          await drained(ctx.databaseUrl);
          // The runner just moved what the feed-off phases left (tens of thousands of events in
          // the first round): its dead rows are vacuumed now, not by autovacuum mid-measurement.
          await checkpoint(ctx.databaseUrl, 'vacuum analyze');
        },
        stopFeed: async () => {
          await jobs?.stop();
          jobs = undefined;
        },
      },
      TURNS,
    );

    reportOrders(ctx, {
      seconds: s,
      turnRounds: TURNS,
      pg64,
      pg8,
      pg1,
      receiveMs: world.receiveMs,
      stack64,
      stack1,
      warn64,
      edge64,
      edge1,
      bare64,
      bare1,
      off64,
      off1,
      off8,
      alloc64,
      mixed64,
      turns,
      cpu,
      created: Object.values(results).reduce((n, r) => n + r.created, 0),
      fiveHundreds,
      violations,
    });
  } finally {
    await jobs?.stop();
    await edge?.stop();
    await core.stop();
    await coreLog.close();
  }
  if (violations.length === 0) console.error('  oversell: none');
  else {
    console.error(`  oversell: ${violations.length} violation(s)`);
    for (const { phase: p, v } of violations) console.error(`    ${p}: ${v.check}: ${v.detail}`);
  }
}
