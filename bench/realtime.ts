/**
 * Live warehouse rooms under 1,000 sockets, all in one run on one Postgres:
 *   reference  a bare Bun.serve WebSocket server, 1,000 sockets on one topic, the burst's number
 *              of messages of the same size published as fast as possible: deliveries per second
 *   latency    1,000 sockets on one warehouse room at the edge (wrangler dev / workerd); one
 *              adjustment in core every 100-200 ms; commit (the 201's arrival) -> that version's
 *              `stock` message on every socket: p50/p99 over all deliveries, and what went missing
 *   pickup     the push-warehouse-levels job's start (graphile-worker's job:start event) - the 201
 *   burst      50 adjustments as fast as 8 clients make them: deliveries per second at the
 *              sockets, and its ratio to the reference
 *   loaded     pickup and commit -> message again, while the orders benchmark's hot-sku load
 *              (64 clients) runs in another warehouse
 * Both clocks are wall clocks on one machine (performance.timeOrigin + performance.now()).
 *
 * The sockets live in a load process of their own: this file run with REALTIME_LOAD_SPEC set
 * (`import.meta.main` below). It talks JSON lines: commands on its stdin, events on its stdout.
 * The jobs runner is a process of its own too (REALTIME_JOBS_SPEC), as in production.
 */
import { join } from 'node:path';
import { products } from '../core/catalog/tables.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { config } from '../core/platform/config.ts';
import { lineSplitter } from '../core/platform/lines.ts';
import { createLogger } from '../core/platform/logger.ts';
import { freePort } from '../core/platform/ports.ts';
import { startWrangler } from '../edge/local/wrangler-dev.ts';
import { startJobs } from '../jobs/worker.ts';
import { startBenchCore } from './bench-core.ts';
import { measureOrders } from './orders.ts';
import type { BenchContext } from './run.ts';

const SOCKETS = 1000;
const CONNECT_CONCURRENCY = 50;
const BURST = 50;
const BURST_CLIENTS = 8;
const MIN_CHANGES = 20;
/** The orders benchmark's hot-sku load, placed while pickup is measured under load. */
const LOAD_CLIENTS = 64;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

interface SocketSpec {
  url: string;
  sockets: number;
  concurrency: number;
  /** Only `stock` messages of this sku are recorded. */
  sku: string;
}

type LoadEvent =
  | { event: 'progress'; open: number; failed: number }
  | { event: 'ready'; open: number; failed: number; firstError: string | null; ms: number }
  | { event: 'awaited'; reached: number; open: number; ms: number }
  | {
      event: 'dump';
      /** version -> the arrival time on each socket that got it (first arrival only). */
      arrivals: Record<string, number[]>;
      duplicates: number;
      closed: number;
      other: number;
    }
  | { event: 'closed' };

type LoadCommand = { cmd: 'await'; version: number; timeoutMs: number } | { cmd: 'dump' } | { cmd: 'close' };

// ---------------------------------------------------------------------------------------------
// The load process: opens the sockets, records when each stock version arrived on each of them.

async function socketLoad(spec: SocketSpec): Promise<void> {
  const send = (e: LoadEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);
  const sockets: WebSocket[] = [];
  const state: ('connecting' | 'open' | 'failed' | 'closed')[] = [];
  const seen: Map<number, number>[] = [];
  const maxVersion: number[] = [];
  let open = 0;
  let failed = 0;
  let closed = 0;
  let duplicates = 0;
  let other = 0;
  let closing = false;
  let firstError: string | null = null;

  const connectOne = (i: number) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(spec.url);
      const versions = new Map<number, number>();
      sockets[i] = ws;
      seen[i] = versions;
      maxVersion[i] = 0;
      state[i] = 'connecting';
      const fail = (why: string) => {
        if (state[i] !== 'connecting') return;
        state[i] = 'failed';
        failed++;
        firstError ??= why;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        fail('no snapshot within 30 s');
        ws.close();
      }, 30_000);
      ws.onmessage = (m) => {
        const at = now();
        const msg = JSON.parse(String(m.data)) as { type?: string; sku?: string; version?: number };
        if (msg.type === 'stock' && msg.sku === spec.sku && typeof msg.version === 'number') {
          if (versions.has(msg.version)) duplicates++;
          else versions.set(msg.version, at);
          if (msg.version > maxVersion[i]!) maxVersion[i] = msg.version;
        } else if (msg.type === 'snapshot' && state[i] === 'connecting') {
          state[i] = 'open';
          open++;
          clearTimeout(timer);
          resolve();
        } else other++;
      };
      ws.onerror = (e) => fail(`error: ${(e as ErrorEvent).message ?? 'WebSocket error'}`);
      ws.onclose = (e) => {
        if (state[i] === 'open') {
          state[i] = 'closed';
          if (!closing) closed++;
        } else fail(`closed before the snapshot: ${e.code} ${e.reason}`);
      };
    });

  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (next < spec.sockets) {
        await connectOne(next++);
        if ((open + failed) % 100 === 0) send({ event: 'progress', open, failed });
      }
    }),
  );
  send({ event: 'ready', open, failed, firstError, ms: Math.round(performance.now() - began) });

  for await (const line of console) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as LoadCommand;
    if (c.cmd === 'await') {
      const started = performance.now();
      const openNow = () => state.filter((s) => s === 'open').length;
      const reached = () => maxVersion.filter((v, i) => state[i] === 'open' && v >= c.version).length;
      while (reached() < openNow() && performance.now() - started < c.timeoutMs) await Bun.sleep(5);
      send({
        event: 'awaited',
        reached: reached(),
        open: openNow(),
        ms: Math.round(performance.now() - started),
      });
    } else if (c.cmd === 'dump') {
      const arrivals: Record<string, number[]> = {};
      for (const versions of seen) {
        for (const [v, at] of versions) {
          arrivals[v] ??= [];
          arrivals[v].push(at);
        }
        versions.clear();
      }
      send({ event: 'dump', arrivals, duplicates, closed, other });
      duplicates = 0;
      other = 0;
    } else if (c.cmd === 'close') {
      closing = true;
      for (const ws of sockets) ws?.close();
      send({ event: 'closed' });
      break;
    }
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The bench process's handle on a load process.

interface SocketLoad {
  ready: Extract<LoadEvent, { event: 'ready' }>;
  awaitVersion(version: number, timeoutMs: number): Promise<Extract<LoadEvent, { event: 'awaited' }>>;
  dump(): Promise<Extract<LoadEvent, { event: 'dump' }>>;
  stop(): Promise<void>;
}

async function startSocketLoad(
  spec: SocketSpec,
  label: string,
  progress: (line: string) => void,
): Promise<SocketLoad> {
  const proc = Bun.spawn(['bun', import.meta.path], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    // The URL carries the access token: through the environment, never the command line.
    env: { ...process.env, REALTIME_LOAD_SPEC: JSON.stringify(spec) },
  });
  const queue: LoadEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const lines = lineSplitter((line) => {
    let e: LoadEvent;
    try {
      e = JSON.parse(line) as LoadEvent;
    } catch {
      progress(`realtime: ${label} load process: ${line}`);
      return;
    }
    if (e.event === 'progress') progress(`realtime: ${label}: ${e.open} sockets open, ${e.failed} failed`);
    else queue.push(e);
    wake?.();
  });
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) lines.push(decoder.decode(chunk, { stream: true }));
    lines.end();
    ended = true;
    wake?.();
  })();

  const next = async <K extends LoadEvent['event']>(
    event: K,
    timeoutMs: number,
  ): Promise<Extract<LoadEvent, { event: K }>> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((e) => e.event === event);
      if (i >= 0) return queue.splice(i, 1)[0] as Extract<LoadEvent, { event: K }>;
      if (ended) throw new Error(`${label} load process exited (${await proc.exited}) before '${event}'`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${label} load process sent no '${event}' within ${timeoutMs} ms`);
      await new Promise<void>((done) => {
        const timer = setTimeout(done, left);
        wake = () => {
          clearTimeout(timer);
          done();
        };
      });
      wake = undefined;
    }
  };
  const command = (c: LoadCommand) => {
    proc.stdin.write(`${JSON.stringify(c)}\n`);
    proc.stdin.flush();
  };

  let ready: Extract<LoadEvent, { event: 'ready' }>;
  try {
    ready = await next('ready', 180_000);
  } catch (err) {
    proc.kill();
    throw err;
  }
  return {
    ready,
    awaitVersion: (version, timeoutMs) => {
      command({ cmd: 'await', version, timeoutMs });
      return next('awaited', timeoutMs + 30_000);
    },
    dump: () => {
      command({ cmd: 'dump' });
      return next('dump', 60_000);
    },
    stop: async () => {
      if (proc.exitCode === null && !ended) {
        try {
          command({ cmd: 'close' });
          proc.stdin.end();
        } catch {}
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await proc.exited;
        clearTimeout(timer);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------

function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}
const ms = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(1)} ms`);
const perSecond = (n: number, spanMs: number) => (spanMs > 0 ? (n * 1000) / spanMs : Number.NaN);
const fmtRate = (v: number) =>
  Number.isNaN(v) ? 'n/a' : `${Math.round(v).toLocaleString('en-US')} deliveries/s`;

interface Change {
  version: number;
  /** When core's 201 arrived: the adjustment had committed by then. */
  at: number;
}

export async function run(ctx: BenchContext): Promise<void> {
  const cfg = config();
  const log = createLogger({ service: 'bench' }, 'warn');
  const core = startBenchCore(ctx.databaseUrl, log);
  const { handle, proxy } = core;
  const coreUrl = core.url;
  let bareServer: ReturnType<typeof Bun.serve> | undefined;
  let bareLoad: SocketLoad | undefined;
  let roomLoad: SocketLoad | undefined;
  let jobs: { stop(): Promise<void> } | undefined;
  let edge: Awaited<ReturnType<typeof startWrangler>> | undefined;
  const edgeTail: string[] = [];

  try {
    // The world: one warehouse, one product, straight into the database.
    const run = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
    const [warehouse] = await handle.db
      .insert(warehouses)
      .values({ code: `R${run}`, name: 'Realtime bench' })
      .returning({ id: warehouses.id });
    const warehouseId = warehouse!.id;
    const sku = `LIVE-${run}`;
    await handle.db
      .insert(products)
      .values({ sku, name: `Live ${sku}`, priceAmount: 500, priceCurrency: 'EUR' });

    // The reference first, while nothing else runs: a bare Bun WebSocket server, one topic.
    const stockMessage = (version: number) =>
      JSON.stringify({
        type: 'stock',
        warehouseId,
        seq: version,
        sku,
        onHand: 1000 + version,
        reserved: 0,
        available: 1000 + version,
        version,
      });
    const snapshotMessage = JSON.stringify({ type: 'snapshot', warehouseId, version: 0, levels: [] });
    bareServer = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(req, server) {
        if (server.upgrade(req, { data: undefined })) return;
        return new Response('Connect with a WebSocket.', { status: 426 });
      },
      websocket: {
        open(ws) {
          ws.subscribe('room');
          ws.send(snapshotMessage);
        },
        message() {},
      },
    });
    ctx.progress(`realtime: reference: ${SOCKETS} sockets to a bare Bun.serve WebSocket server`);
    bareLoad = await startSocketLoad(
      { url: `ws://127.0.0.1:${bareServer.port}/`, sockets: SOCKETS, concurrency: CONNECT_CONCURRENCY, sku },
      'bare',
      ctx.progress,
    );
    const bareOpen = bareLoad.ready.open;
    ctx.progress(`realtime: reference: publishing ${BURST} messages as fast as possible`);
    const bareMessages = Array.from({ length: BURST }, (_, i) => stockMessage(i + 1));
    const bareStart = now();
    for (const m of bareMessages) bareServer.publish('room', m);
    const bareAwaited = await bareLoad.awaitVersion(BURST, 15_000);
    const bareDump = await bareLoad.dump();
    const bareArrivals = Object.values(bareDump.arrivals).flat();
    const bareLast = Math.max(...bareArrivals);
    const bareRate = perSecond(bareArrivals.length, bareLast - bareStart);
    ctx.progress(
      `realtime: reference: ${bareArrivals.length} deliveries in ${Math.round(bareLast - bareStart)} ms (${fmtRate(bareRate)})`,
    );
    await bareLoad.stop();
    bareLoad = undefined;
    bareServer.stop(true);
    bareServer = undefined;

    // The stack: the edge worker with its internal secret, then jobs with the edge link (started
    // second, so the seed's queued room pushes do not fail against an edge not yet listening).
    const edgePort = await freePort();
    const secret = `bench-${crypto.randomUUID()}`;
    ctx.progress('realtime: starting the edge worker (wrangler dev)');
    edge = await startWrangler({
      port: edgePort,
      inspectorPort: await freePort(),
      // Fresh Durable Object state for this run.
      persistTo: join(ctx.workDir, `wrangler-realtime-${run}`),
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

    // When each push of our sku started and finished, by the version it carried.
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
    const wsUrl = `${edge.url.replace(/^http/, 'ws')}/ws/warehouses/${warehouseId}?token=${encodeURIComponent(token)}`;
    roomLoad = await startSocketLoad(
      { url: wsUrl, sockets: SOCKETS, concurrency: CONNECT_CONCURRENCY, sku },
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
    await roomLoad.dump();

    // Steady changes, one at a time.
    const steadyMs = Math.max(1, ctx.seconds) * 1000;
    ctx.progress(
      `realtime: one adjustment every 100-200 ms for ${ctx.seconds} s (at least ${MIN_CHANGES} changes)`,
    );
    const changes: Change[] = [];
    const steadyEnd = performance.now() + steadyMs;
    while (changes.length < MIN_CHANGES || performance.now() < steadyEnd) {
      changes.push(await adjust(1, 'found'));
      await Bun.sleep(100 + Math.random() * 100);
    }
    const lastSteady = Math.max(...changes.map((c) => c.version));
    const steadyAwaited = await roomLoad.awaitVersion(lastSteady, 15_000);
    const steadyDump = await roomLoad.dump();
    const latencies: number[] = [];
    const spreads: number[] = [];
    const firstSocket: number[] = [];
    let delivered = 0;
    for (const c of changes) {
      const arrivals = steadyDump.arrivals[c.version] ?? [];
      delivered += arrivals.length;
      for (const at of arrivals) latencies.push(at - c.at);
      if (arrivals.length > 0) {
        const first = Math.min(...arrivals);
        firstSocket.push(first - c.at);
        spreads.push(Math.max(...arrivals) - first);
      }
    }
    const expected = changes.length * connected.open;
    const missing = expected - delivered;
    const lat = quantiles(latencies);
    const pickups = quantiles(
      changes.filter((c) => jobStarted.has(c.version)).map((c) => jobStarted.get(c.version)! - c.at),
    );
    const pushCalls = quantiles(
      changes
        .filter((c) => jobStarted.has(c.version) && jobSucceeded.has(c.version))
        .map((c) => jobSucceeded.get(c.version)! - jobStarted.get(c.version)!),
    );
    ctx.progress(
      `realtime: ${changes.length} changes, ${delivered}/${expected} deliveries, p50 ${ms(lat.p50)}, p99 ${ms(lat.p99)}`,
    );

    // The burst: 50 adjustments as fast as 8 clients make them.
    ctx.progress(`realtime: burst of ${BURST} adjustments, ${BURST_CLIENTS} at once`);
    const burst: Change[] = [];
    let left = BURST;
    const burstStart = now();
    await Promise.all(
      Array.from({ length: BURST_CLIENTS }, async () => {
        while (left > 0) {
          left--;
          burst.push(await adjust(1, 'found'));
        }
      }),
    );
    const burstCommitted = now();
    const lastBurst = Math.max(...burst.map((c) => c.version));
    const burstAwaited = await roomLoad.awaitVersion(lastBurst, 20_000);
    const burstDump = await roomLoad.dump();
    const burstVersions = new Set(burst.map((c) => c.version));
    const burstArrivals = Object.entries(burstDump.arrivals)
      .filter(([v]) => burstVersions.has(Number(v)))
      .flatMap(([, a]) => a);
    const broadcast = Object.entries(burstDump.arrivals).filter(
      ([v, a]) => burstVersions.has(Number(v)) && a.length > 0,
    ).length;
    const burstPushed = burst.filter((c) => jobStarted.has(c.version)).length;
    const burstFirst = Math.min(...burstArrivals);
    const burstLast = Math.max(...burstArrivals);
    const burstRate = perSecond(burstArrivals.length, burstLast - burstStart);
    const fanOutRate = perSecond(burstArrivals.length, burstLast - burstFirst);
    ctx.progress(
      `realtime: burst: ${burstArrivals.length} deliveries of ${broadcast} versions in ${Math.round(burstLast - burstStart)} ms`,
    );

    // Pickup under load: the orders benchmark's hot-sku load (64 clients, in a warehouse of its
    // own, so its pushes go to a room without sockets) fills the job queue with its events and
    // pushes, while one adjustment every 100-200 ms goes on here.
    ctx.progress(
      `realtime: under load: ${LOAD_CLIENTS} clients placing orders for ${ctx.seconds} s, adjusting meanwhile`,
    );
    const [loadWarehouse] = await handle.db
      .insert(warehouses)
      .values({ code: `L${run}`, name: 'Realtime bench load' })
      .returning({ id: warehouses.id });
    const loadSku = `LOAD-${run}`;
    await handle.db
      .insert(products)
      .values({ sku: loadSku, name: `Load ${loadSku}`, priceAmount: 500, priceCurrency: 'EUR' });
    const stocked = await fetch(`${coreUrl}/api/inventory/adjustments`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        warehouseId: loadWarehouse!.id,
        sku: loadSku,
        delta: 1_000_000,
        reason: 'received',
      }),
    });
    if (stocked.status !== 201) throw new Error(`stocking the load sku failed: ${await stocked.text()}`);
    const ordersLoad = measureOrders({
      url: `${coreUrl}/api/orders`,
      connections: LOAD_CLIENTS,
      seconds: ctx.seconds,
      headers: { authorization: headers.authorization },
      shape: { kind: 'hot', sku: loadSku, warehouseId: loadWarehouse!.id },
    });
    const loaded: Change[] = [];
    const loadEnd = performance.now() + Math.max(1, ctx.seconds) * 1000;
    await Bun.sleep(500); // the load process starts
    while (performance.now() < loadEnd) {
      loaded.push(await adjust(1, 'found'));
      await Bun.sleep(100 + Math.random() * 100);
    }
    const orderLoad = await ordersLoad;
    const loadedAwaited = await roomLoad.awaitVersion(Math.max(...loaded.map((c) => c.version)), 60_000);
    const loadedDump = await roomLoad.dump();
    const loadedLatency = quantiles(
      loaded.flatMap((c) => (loadedDump.arrivals[c.version] ?? []).map((at) => at - c.at)),
    );
    const loadedPickups = quantiles(
      loaded.filter((c) => jobStarted.has(c.version)).map((c) => jobStarted.get(c.version)! - c.at),
    );
    ctx.progress(
      `realtime: under load: ${Math.round(orderLoad.rps)} orders/s; pickup p50 ${ms(loadedPickups.p50)}, p99 ${ms(loadedPickups.p99)}`,
    );

    // The table.
    ctx.report(
      `bare Bun.serve publish, ${SOCKETS} sockets (ref)`,
      fmtRate(bareRate),
      `${BURST} msgs x ${bareOpen} sockets: ${bareArrivals.length} deliveries in ${Math.round(bareLast - bareStart)} ms, ${bareAwaited.reached}/${bareAwaited.open} got the last`,
    );
    ctx.report(
      `connect ${SOCKETS} sockets to the room`,
      `${connected.ms} ms`,
      `${connected.open} open, ${connected.failed} failed${connected.firstError ? ` (first: ${connected.firstError})` : ''}, ${CONNECT_CONCURRENCY} at once`,
    );
    ctx.report(
      'commit -> stock message, p50',
      ms(lat.p50),
      `over ${lat.n} deliveries (${changes.length} changes x ${connected.open} sockets)`,
    );
    ctx.report('commit -> stock message, p99', ms(lat.p99), `goal <= 100 ms; max ${ms(lat.max)}`);
    ctx.report(
      'commit -> first socket / fan-out spread',
      ms(quantiles(firstSocket).p50),
      `p50s; last - first socket per change: p50 ${ms(quantiles(spreads).p50)}, p99 ${ms(quantiles(spreads).p99)}`,
    );
    ctx.report(
      'missing deliveries (steady)',
      String(missing),
      `should be 0; ${steadyAwaited.reached}/${steadyAwaited.open} sockets reached the last version; dropped sockets ${steadyDump.closed}, duplicates ${steadyDump.duplicates}`,
    );
    ctx.report(
      'push job pickup (job:start - 201), p50',
      ms(pickups.p50),
      `p99 ${ms(pickups.p99)} over ${pickups.n} pushes; the 201 arrives just after the commit, so this slightly understates`,
    );
    ctx.report(
      'push job pickup under orders load, p50',
      ms(loadedPickups.p50),
      `p99 ${ms(loadedPickups.p99)} over ${loadedPickups.n} pushes, while ${LOAD_CLIENTS} clients placed ${Math.round(orderLoad.rps)} orders/s (p99 ${orderLoad.p99Ms} ms) in another warehouse`,
    );
    ctx.report(
      'commit -> stock message under orders load',
      ms(loadedLatency.p50),
      `p50; p99 ${ms(loadedLatency.p99)}, ${loadedAwaited.reached}/${loadedAwaited.open} sockets got the last`,
    );
    ctx.report(
      'push job run (job:start -> job:success), p50',
      ms(pushCalls.p50),
      `p99 ${ms(pushCalls.p99)}; the POST returns after the room sent to every socket; job errors ${jobErrors}${firstJobError ? ` (first: ${firstJobError})` : ''}; jobs concurrency ${cfg.JOBS_CONCURRENCY}`,
    );
    ctx.report(
      `burst: ${BURST} adjustments, ${BURST_CLIENTS} at once`,
      fmtRate(burstRate),
      `first send -> last delivery ${Math.round(burstLast - burstStart)} ms (commits took ${Math.round(burstCommitted - burstStart)} ms); ${burstArrivals.length} deliveries, ${burstPushed}/${BURST} versions pushed by a job of their own (the rest rode along), ${broadcast}/${BURST} broadcast, ${burstAwaited.reached}/${burstAwaited.open} got the last`,
    );
    ctx.report(
      'burst fan-out only (first -> last delivery)',
      fmtRate(fanOutRate),
      `${Math.round(burstLast - burstFirst)} ms`,
    );
    ctx.report(
      'ratio burst / bare',
      (burstRate / bareRate).toFixed(3),
      'deliveries/s, end to end vs publish',
    );
    ctx.report('ratio burst fan-out / bare', (fanOutRate / bareRate).toFixed(3), 'deliveries/s');
  } finally {
    await roomLoad?.stop();
    await bareLoad?.stop();
    bareServer?.stop(true);
    await jobs?.stop();
    await edge?.stop();
    await core.stop();
    ctx.progress('realtime: stopped sockets, jobs, the edge, the proxy and core');
  }
}

// ---------------------------------------------------------------------------------------------
// The jobs runner, a process of its own as in production (`bun jobs/main.ts`), not sharing core's
// event loop: it reports when each push of the measured sku started, succeeded or failed.

interface JobsSpec {
  databaseUrl: string;
  concurrency: number;
  edge: { url: string; secret: string };
  sku: string;
}

type JobEvent = { state: 'start' | 'success' | 'error'; at: number; versions: number[]; error?: string };

async function jobsProcess(spec: JobsSpec): Promise<void> {
  const jobs = await startJobs({
    databaseUrl: spec.databaseUrl,
    concurrency: spec.concurrency,
    log: createLogger({ service: 'jobs' }, 'warn'),
    cron: false,
    edge: spec.edge,
  });
  const versionsOf = (payload: unknown): number[] =>
    ((payload as { levels?: { sku: string; version: number }[] } | null)?.levels ?? [])
      .filter((l) => l.sku === spec.sku)
      .map((l) => l.version);
  const report = (state: JobEvent['state'], payload: unknown, error?: unknown) => {
    const at = now();
    const versions = versionsOf(payload);
    if (versions.length === 0) return;
    const e: JobEvent = {
      state,
      at,
      versions,
      ...(error ? { error: String((error as Error)?.message ?? error) } : {}),
    };
    process.stdout.write(`${JSON.stringify(e)}\n`);
  };
  const pushes = (job: { task_identifier: string }) => job.task_identifier === 'push-warehouse-levels';
  jobs.runner.events.on('job:start', ({ job }) => pushes(job) && report('start', job.payload));
  jobs.runner.events.on('job:success', ({ job }) => pushes(job) && report('success', job.payload));
  jobs.runner.events.on('job:error', ({ job, error }) => pushes(job) && report('error', job.payload, error));
  process.stdout.write(`${JSON.stringify({ state: 'ready' })}\n`);
  for await (const line of console) if (line.trim() === 'stop') break;
  await jobs.stop();
  process.exit(0);
}

async function startJobsProcess(
  spec: JobsSpec,
  onEvent: (e: JobEvent) => void,
): Promise<{ stop(): Promise<void> }> {
  const proc = Bun.spawn(['bun', import.meta.path], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    // The internal secret: through the environment, never the command line.
    env: { ...process.env, REALTIME_JOBS_SPEC: JSON.stringify(spec) },
  });
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const lines = lineSplitter((line) => {
    const e = JSON.parse(line) as JobEvent | { state: 'ready' };
    if (e.state === 'ready') ready();
    else onEvent(e);
  });
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) lines.push(decoder.decode(chunk, { stream: true }));
    lines.end();
  })();
  await Promise.race([
    started,
    proc.exited.then((code) => {
      throw new Error(`the jobs runner exited (${code}) before it was ready`);
    }),
  ]);
  return {
    stop: async () => {
      proc.stdin.write('stop\n');
      proc.stdin.flush();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

if (import.meta.main) {
  const jobsSpec = JSON.parse(process.env.REALTIME_JOBS_SPEC ?? 'null') as JobsSpec | null;
  const spec = JSON.parse(process.env.REALTIME_LOAD_SPEC ?? 'null') as SocketSpec | null;
  if (jobsSpec) await jobsProcess(jobsSpec);
  else if (spec) await socketLoad(spec);
  else {
    console.error('Run this through `bun run bench realtime`.');
    process.exit(2);
  }
}
