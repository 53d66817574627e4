/**
 * Placing orders, the write path that must never oversell, all in one run on one Postgres:
 *   reference  pgbench TPC-B-like at 64 and 8 clients (scale 1: one branch row, so every
 *              transaction contends on it, as every order below contends on one hot sku)
 *   hot        POST /api/orders to core, one sku in one named warehouse, 64 and 8 clients
 *   allocator  the same without warehouseId: the allocator picks among 3 stocked warehouses
 *   mixed      3 random distinct skus out of 10,000 per order, 64 clients
 *   edge       the hot order through the edge worker (wrangler dev / workerd) to core
 * After every phase the ledger is checked in SQL: reserved <= on_hand, on_hand = its movements,
 * reserved = its holds, holds = what live orders allocated, and orders created = 201s seen.
 *
 * The load generator runs as its own process (bench/orders/order-load.ts), so it does not share
 * an event loop with the server under test; bench/load.ts only sends GETs. The ledger check is
 * bench/orders/ledger-check.ts.
 */
import { join } from 'node:path';
import { products } from '../core/catalog/tables.ts';
import { moveStock } from '../core/inventory/movements.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { createLogger } from '../core/platform/logger.ts';
import { freePort } from '../core/platform/ports.ts';
import { startWrangler } from '../edge/local/wrangler-dev.ts';
import { adminAuthorization, connectBenchDatabase, startBenchCore } from './bench-core.ts';
import { checkLedger, countOrders, type Violation } from './orders/ledger-check.ts';
import { measureOrders, type OrderLoadResult, type OrderShape } from './orders/order-load.ts';
import { pgbench, pgbenchInit } from './postgres.ts';
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

export async function run(ctx: BenchContext): Promise<void> {
  const s = ctx.seconds;
  const seconds = String(s);

  // The reference first, while nothing else holds connections.
  ctx.progress('orders: pgbench initialising (scale 1)');
  pgbenchInit(ctx.databaseUrl);
  // Every measurement, ours and pgbench's, starts right after a checkpoint, so none of them pays
  // for the WAL the one before wrote.
  await checkpoint(ctx.databaseUrl);
  ctx.progress(`orders: pgbench TPC-B-like, 64 clients, ${seconds} s`);
  const pg64 = pgbench(ctx.databaseUrl, ['-c', '64', '-j', '2', '-T', seconds]);
  await checkpoint(ctx.databaseUrl);
  ctx.progress(`orders: pgbench TPC-B-like, 8 clients, ${seconds} s`);
  const pg8 = pgbench(ctx.databaseUrl, ['-c', '8', '-j', '2', '-T', seconds]);
  // pgbench's dead rows are vacuumed now, not by autovacuum in the middle of our measurements.
  ctx.progress('orders: vacuuming after pgbench');
  await checkpoint(ctx.databaseUrl, 'vacuum analyze');

  const log = createLogger({ service: 'bench' }, 'warn');
  const core = startBenchCore(ctx.databaseUrl, log);
  const { handle, proxy } = core;
  const coreUrl = core.url;
  let edge: Awaited<ReturnType<typeof startWrangler>> | undefined;

  const violations: { phase: string; v: Violation }[] = [];
  let fiveHundreds = 0;

  try {
    const login = () => adminAuthorization(coreUrl);

    const baseline = await checkLedger(handle.db);
    for (const v of baseline) violations.push({ phase: 'before the run (seed)', v });

    // The world: 3 warehouses, one hot sku stocked in all of them, 10,000 mixed skus in the first.
    ctx.progress('orders: creating 3 warehouses, a hot sku and 10,000 mixed skus');
    const run = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
    const made = await handle.db
      .insert(warehouses)
      .values([0, 1, 2].map((i) => ({ code: `B${run}${i}`, name: `Orders bench ${i}` })))
      .returning({ id: warehouses.id });
    const whIds = made.map((w) => w.id);
    const [wh0] = whIds;
    if (!wh0) throw new Error('the bench warehouses were not created');
    const hotSku = `HOT-${run}`;
    await handle.db
      .insert(products)
      .values({ sku: hotSku, name: `Hot ${hotSku}`, priceAmount: 500, priceCurrency: 'EUR' });
    const mixedPrefix = `MIX${run}-`;
    const mixedCount = 10_000;
    await handle.pool.query(
      `insert into catalog.products (sku, name, price_amount, price_currency)
       select $1 || g, 'Mixed ' || $1 || g, 500, 'EUR' from generate_series(0, $2::int - 1) g`,
      [mixedPrefix, mixedCount],
    );

    let headers = await login();
    ctx.progress('orders: receiving 100,000,000 units of the hot sku per warehouse (300 adjustments)');
    const receiveStarted = performance.now();
    const adjustments = whIds.flatMap((warehouseId) =>
      Array.from({ length: 100 }, () => ({ warehouseId, sku: hotSku, delta: 1_000_000, reason: 'received' })),
    );
    const adjustmentStatuses: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let a = adjustments.pop(); a; a = adjustments.pop()) {
          const res = await fetch(`${coreUrl}/api/inventory/adjustments`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(a),
          });
          const text = await res.text();
          adjustmentStatuses[res.status] = (adjustmentStatuses[res.status] ?? 0) + 1;
          if (res.status !== 201) throw new Error(`receiving stock failed: ${res.status} ${text}`);
        }
      }),
    );
    const receiveMs = performance.now() - receiveStarted;
    ctx.progress(`orders: received in ${Math.round(receiveMs)} ms; stocking the mixed skus (SQL, 10 calls)`);
    for (let from = 0; from < mixedCount; from += 1000) {
      const result = await moveStock(handle.db, {
        mode: 'delta',
        lines: Array.from({ length: Math.min(1000, mixedCount - from) }, (_, i) => ({
          warehouseId: wh0,
          sku: `${mixedPrefix}${from + i}`,
          qty: 100_000,
        })),
        type: 'receipt',
        reason: 'received',
        actorId: null,
        requestId: null,
      });
      if (!result.ok) throw new Error(`stocking the mixed skus failed: ${JSON.stringify(result.short)}`);
    }
    const setup = await checkLedger(handle.db);
    for (const v of setup) violations.push({ phase: 'after stocking', v });

    const results: Record<string, OrderLoadResult> = {};
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
      const r = await measureOrders({
        url: `${target}/api/orders`,
        connections,
        seconds: s,
        headers,
        shape,
      });
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

    ctx.progress('orders: warming up core');
    await measureOrders({
      url: `${coreUrl}/api/orders`,
      connections: 8,
      seconds: 1,
      headers,
      shape: { kind: 'hot', sku: hotSku, warehouseId: wh0 },
    });

    const hot64 = await phase('core hot sku, 64', 'core, hot sku, warehouseId', coreUrl, 64, {
      kind: 'hot',
      sku: hotSku,
      warehouseId: wh0,
    });
    const hot8 = await phase('core hot sku, 8', 'core, hot sku, warehouseId', coreUrl, 8, {
      kind: 'hot',
      sku: hotSku,
      warehouseId: wh0,
    });
    const alloc64 = await phase(
      'core allocator, 64',
      'core, hot sku, no warehouseId (allocator)',
      coreUrl,
      64,
      {
        kind: 'hot',
        sku: hotSku,
      },
    );
    const mixed64 = await phase('core mixed skus, 64', 'core, 3 of 10,000 skus, warehouseId', coreUrl, 64, {
      kind: 'mixed',
      prefix: mixedPrefix,
      count: mixedCount,
      lines: 3,
      warehouseId: wh0,
    });

    ctx.progress('orders: starting the edge worker (wrangler dev)');
    edge = await startWrangler({
      port: await freePort(),
      inspectorPort: await freePort(),
      // Fresh Durable Object and cache state for this run.
      persistTo: join(ctx.workDir, `wrangler-orders-${run}`),
      vars: {
        CORE_URL: coreUrl,
        DATABASE_URL: ctx.databaseUrl,
        NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
        LOG_LEVEL: 'warn',
      },
    });
    ctx.progress('orders: warming up the edge');
    await measureOrders({
      url: `${edge.url}/api/orders`,
      connections: 8,
      seconds: 1,
      headers: await login(),
      shape: { kind: 'hot', sku: hotSku, warehouseId: wh0 },
    });
    const edge64 = await phase('edge hot sku, 64', 'edge -> core, hot sku, warehouseId', edge.url, 64, {
      kind: 'hot',
      sku: hotSku,
      warehouseId: wh0,
    });

    const statusNote = (r: OrderLoadResult) => {
      const other = Object.entries(r.statuses)
        .filter(([st]) => st !== '201')
        .map(([st, n]) => `${st} x ${n}`);
      return other.length > 0 ? `, non-201: ${other.join(', ')}` : '';
    };
    const row = (name: string, r: OrderLoadResult) =>
      ctx.report(
        name,
        `${r.rps.toFixed(0)} orders/s`,
        `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${statusNote(r)}`,
      );
    ctx.report('pgbench tpc-b, 64 clients', `${pg64.tps.toFixed(0)} tps`, `${pg64.latencyMs} ms avg`);
    ctx.report('pgbench tpc-b, 8 clients', `${pg8.tps.toFixed(0)} tps`, `${pg8.latencyMs} ms avg`);
    ctx.report('receive 300 x 1,000,000 (HTTP, 8 at once)', `${Math.round(receiveMs)} ms`, '');
    row('core hot sku, 64 clients', hot64);
    row('core hot sku, 8 clients', hot8);
    row('core allocator (no warehouseId), 64', alloc64);
    row('core 3 of 10,000 skus, 64 clients', mixed64);
    row('edge -> core hot sku, 64 clients', edge64);
    const ratio = (name: string, a: number, b: number, note: string) =>
      ctx.report(name, (a / b).toFixed(2), note);
    ratio('ratio core hot 64 / pgbench 64', hot64.rps, pg64.tps, 'orders/s vs tps');
    ratio('ratio core hot 8 / pgbench 8', hot8.rps, pg8.tps, 'orders/s vs tps');
    ratio('ratio core hot 64 / hot 8', hot64.rps, hot8.rps, 'does concurrency help on one row');
    ratio('ratio allocator / hot 64', alloc64.rps, hot64.rps, 'what the allocator costs');
    ratio('ratio mixed / hot 64', mixed64.rps, hot64.rps, '3 lines of spread skus vs 1 hot line');
    ratio('ratio edge hot 64 / pgbench 64', edge64.rps, pg64.tps, 'orders/s vs tps');
    ratio('ratio edge / core hot 64', edge64.rps, hot64.rps, 'what the gateway hop costs');
    const total = Object.values(results).reduce((n, r) => n + r.created, 0);
    ctx.report('orders created (measured phases)', String(total), '');
    ctx.report(
      '5xx / network errors',
      String(fiveHundreds),
      fiveHundreds > 0 ? '!!! SERVER ERRORS: see the progress lines above' : '',
    );
    if (violations.length === 0)
      ctx.report('oversell', 'none', 'every level and every order checked after each phase');
    else for (const { phase: p, v } of violations) ctx.report(`VIOLATION (${p})`, v.check, v.detail);
  } finally {
    await edge?.stop();
    await core.stop();
  }
  if (violations.length === 0) console.error('  oversell: none');
  else {
    console.error(`  oversell: ${violations.length} violation(s)`);
    for (const { phase: p, v } of violations) console.error(`    ${p}: ${v.check}: ${v.detail}`);
  }
}
