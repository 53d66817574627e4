/**
 * Live warehouse rooms under 1,000 sockets, all in one run on one Postgres:
 *   reference  a bare Bun.serve WebSocket server, 1,000 sockets on one topic, the burst's number
 *              of messages of the same size published as fast as possible: deliveries per second
 *   latency    1,000 sockets on one warehouse room at the edge (wrangler dev / workerd); one
 *              adjustment in core every 100-200 ms; commit (the 201's arrival) -> that version's
 *              `stock` message on every socket: p50/p99 over all deliveries, and what went missing
 *   pickup     the feed's tick carrying the change sent (jobs/room-feed.ts's onTick) - the 201
 *   burst      50 adjustments as fast as 8 clients make them: deliveries per second at the
 *              sockets, and its ratio to the reference
 *   loaded     pickup and commit -> message again, while the orders benchmark's hot-sku load
 *              (64 clients) runs in another warehouse
 * Both clocks are wall clocks on one machine (performance.timeOrigin + performance.now()).
 *
 * The sockets live in a load process of their own (bench/realtime/socket-load.ts), and so does
 * the jobs runner, as in production (bench/realtime/jobs-process.ts). They do not offer
 * permessage-deflate, so they get what the edge agrees to in production, none (wrangler.toml
 * says why wrangler dev would differ). REALTIME_OFFER_DEFLATE=1 offers it, as a browser does;
 * REALTIME_PAST_PROXY=1 connects the sockets to the worker's own workerd port, past wrangler's
 * ProxyWorker. The phases are in
 * bench/realtime/phases.ts, the reference in reference.ts, the table in report.ts; this file
 * sets up the world and the stack and runs them in order.
 */
import { join } from 'node:path';
import { products } from '../core/catalog/tables.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { freePort } from '../core/platform/ports.ts';
import { startWrangler } from '../edge/local/wrangler-dev.ts';
import { startBenchCore } from './bench-core.ts';
import { innerWorkerUrl } from './edge-hop/inner-url.ts';
import { startJobsProcess } from './realtime/jobs-process.ts';
import { measureBurst, measureSteady, measureUnderLoad, type Stage } from './realtime/phases.ts';
import { measureReference } from './realtime/reference.ts';
import { reportRealtime } from './realtime/report.ts';
import { type SocketLoad, startSocketLoad } from './realtime/socket-load.ts';
import { type Change, now } from './realtime/stats.ts';
import type { BenchContext } from './run.ts';

const SOCKETS = 1000;
const CONNECT_CONCURRENCY = 50;
const BURST = 50;
const BURST_CLIENTS = 8;
const MIN_CHANGES = 20;
/** Changes made and awaited after the sockets connect, before the measured ones (see below). */
const WARMUP_CHANGES = 5;
/** The orders benchmark's hot-sku load, placed while pickup is measured under load. */
const LOAD_CLIENTS = 64;

/** Diagnostic variants, from the environment (set to 1); without them, what the bench reports. */
const options = {
  /** REALTIME_PAST_PROXY=1: the sockets connect to the worker's own workerd port. */
  pastProxy: process.env.REALTIME_PAST_PROXY === '1',
  /** REALTIME_OFFER_DEFLATE=1: the sockets offer permessage-deflate, as browsers do. */
  offerDeflate: process.env.REALTIME_OFFER_DEFLATE === '1',
};
/** How the sockets connect, for the progress lines and the table. */
const socketsVia = `${options.pastProxy ? "past wrangler's ProxyWorker" : "through wrangler dev's public port"}, ${options.offerDeflate ? 'offering' : 'not offering'} permessage-deflate`;

export async function run(ctx: BenchContext): Promise<void> {
  const cfg = config();
  const log = createLogger({ service: 'bench' }, 'warn');
  const core = startBenchCore(ctx.databaseUrl, log);
  const { handle, proxy } = core;
  const coreUrl = core.url;
  let roomLoad: SocketLoad | undefined;
  let jobs: { stop(): Promise<void> } | undefined;
  let edge: Awaited<ReturnType<typeof startWrangler>> | undefined;
  const edgeTail: string[] = [];

  try {
    // The world: one warehouse, one product, straight into the database.
    const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
    const [warehouse] = await handle.db
      .insert(warehouses)
      .values({ code: `R${tag}`, name: 'Realtime bench' })
      .returning({ id: warehouses.id });
    if (!warehouse) throw new Error('the bench warehouse was not created');
    const warehouseId = warehouse.id;
    const sku = `LIVE-${tag}`;
    await handle.db
      .insert(products)
      .values({ sku, name: `Live ${sku}`, priceAmount: 500, priceCurrency: 'EUR' });

    // The reference first, while nothing else runs.
    const reference = await measureReference(ctx, {
      warehouseId,
      sku,
      sockets: SOCKETS,
      concurrency: CONNECT_CONCURRENCY,
      messages: BURST,
    });

    // The stack: the edge worker with its internal secret, then jobs with the edge link (started
    // second, so the feed's first tick does not fail against an edge not yet listening).
    const edgePort = await freePort();
    const secret = `bench-${crypto.randomUUID()}`;
    ctx.progress('realtime: starting the edge worker (wrangler dev)');
    edge = await startWrangler({
      port: edgePort,
      inspectorPort: await freePort(),
      // Fresh Durable Object state for this run.
      persistTo: join(ctx.workDir, `wrangler-realtime-${tag}`),
      vars: {
        CORE_URL: coreUrl,
        DATABASE_URL: ctx.databaseUrl,
        NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
        LOG_LEVEL: 'warn',
        INTERNAL_SECRET: secret,
      },
      onLine: (line) => {
        edgeTail.push(line);
        if (edgeTail.length > 40) edgeTail.shift();
      },
    });

    // When each feed tick carrying our sku was sent and answered, by the versions it carried.
    const jobStarted = new Map<number, number>();
    const jobSucceeded = new Map<number, number>();
    let jobErrors = 0;
    let firstJobError = '';
    jobs = await startJobsProcess(
      {
        databaseUrl: ctx.databaseUrl,
        concurrency: cfg.JOBS_CONCURRENCY,
        edge: { url: `http://127.0.0.1:${edgePort}`, secret },
        sku,
      },
      (e) => {
        if (e.state === 'tick') return;
        if (e.state === 'error') {
          jobErrors++;
          firstJobError ||= e.error ?? '';
          return;
        }
        const seen = e.state === 'start' ? jobStarted : jobSucceeded;
        for (const v of e.versions) if (!seen.has(v)) seen.set(v, e.at);
      },
    );

    const login = await fetch(`${coreUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'admin-dev-password' }),
    });
    if (!login.ok) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const adjust = async (delta: number, reason: string): Promise<Change> => {
      const res = await fetch(`${coreUrl}/api/inventory/adjustments`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ warehouseId, sku, delta, reason }),
      });
      const at = now();
      const text = await res.text();
      if (res.status !== 201) throw new Error(`adjustment failed: ${res.status} ${text}`);
      return { version: (JSON.parse(text) as { version: number }).version, at };
    };

    ctx.progress('realtime: receiving 1,000 units');
    const received = await adjust(1000, 'received');

    ctx.progress(`realtime: connecting ${SOCKETS} sockets to the warehouse room at the edge`);
    const socketBase = options.pastProxy ? await innerWorkerUrl(edge.child.pid, edge.url) : edge.url;
    if (!socketBase) throw new Error("REALTIME_PAST_PROXY: the worker's own workerd port was not found");
    const wsUrl = `${socketBase.replace(/^http/, 'ws')}/ws/warehouses/${warehouseId}?token=${encodeURIComponent(token)}`;
    ctx.progress(`realtime: sockets ${socketsVia} (${socketBase})`);
    roomLoad = await startSocketLoad(
      {
        url: wsUrl,
        sockets: SOCKETS,
        concurrency: CONNECT_CONCURRENCY,
        sku,
        offerDeflate: options.offerDeflate,
      },
      'room',
      ctx.progress,
    );
    const connected = roomLoad.ready;
    ctx.progress(
      `realtime: ${connected.open} sockets open, ${connected.failed} failed in ${connected.ms} ms${connected.firstError ? ` (first: ${connected.firstError})` : ''}`,
    );
    if (connected.failed > 0)
      for (const line of edgeTail.slice(-10)) ctx.progress(`realtime: [edge] ${line}`);
    if (connected.open === 0) throw new Error(`no socket reached the room: ${connected.firstError}`);
    // The received level reaches the room (or not) before the measured changes begin.
    await roomLoad.awaitVersion(received.version, 10_000);
    // The first changes after 1,000 sockets connect reach them slowly (450, 350, 260 ms for the
    // 2nd to 4th in one run, ~60 ms after): the connection storm's aftermath, not the steady
    // state a long-lived room is in. They are made, awaited and reported, but not measured.
    const warmup: { version: number; at: number }[] = [];
    for (let i = 0; i < WARMUP_CHANGES; i++) {
      warmup.push(await adjust(1, 'found'));
      await Bun.sleep(150);
    }
    await roomLoad.awaitVersion(Math.max(...warmup.map((c) => c.version)), 15_000);
    const warmed = await roomLoad.dump();
    const warmupLast = warmup.map((c) => Math.max(...(warmed.arrivals[c.version] ?? [c.at])) - c.at);
    ctx.progress(
      `realtime: ${WARMUP_CHANGES} warm-up changes, commit -> last socket ${warmupLast.map((t) => `${Math.round(t)} ms`).join(', ')} (not measured)`,
    );

    const stage: Stage = { ctx, room: roomLoad, open: connected.open, adjust, jobStarted, jobSucceeded };
    const steady = await measureSteady(stage, MIN_CHANGES);
    const burst = await measureBurst(stage, BURST, BURST_CLIENTS);
    const loaded = await measureUnderLoad(stage, {
      db: handle.db,
      coreUrl,
      authorization: headers.authorization,
      tag,
      clients: LOAD_CLIENTS,
    });
    reportRealtime(ctx, {
      sockets: SOCKETS,
      concurrency: CONNECT_CONCURRENCY,
      burstSize: BURST,
      burstClients: BURST_CLIENTS,
      loadClients: LOAD_CLIENTS,
      jobsConcurrency: cfg.JOBS_CONCURRENCY,
      reference,
      connected,
      steady,
      burst,
      loaded,
      jobErrors,
      firstJobError,
      socketsVia,
    });
  } finally {
    await roomLoad?.stop();
    await jobs?.stop();
    await edge?.stop();
    await core.stop();
    ctx.progress('realtime: stopped sockets, jobs, the edge, the proxy and core');
  }
}
