/**
 * The rooms' feed at the edge, by itself: ticks sent over the feed socket as the jobs runner
 * sends them (jobs/room-feed-socket.ts, 4 in flight as with the default JOBS_CONCURRENCY), each
 * phase `--seconds` long, to one warehouse room that no socket watches:
 *   bare      the reference, on the same wrangler dev: a worker that parses each tick and calls a
 *             Durable Object writing each level's version to SQLite (bench/bare-worker)
 *   edge      our edge as `bun run dev` runs it: the tick validated, each room's applyTick (levels
 *             by version, the resume log, the events kept and broadcast)
 *   collector the same edge with wrangler's local observability collector on
 *             (X_LOCAL_OBSERVABILITY=true), as wrangler dev runs by default
 * Two tick shapes: what `bench orders` measured at 64 clients (4 levels and 26 order events per
 * tick), and one level (an idle warehouse's change). Each line: ticks/s and workerd's CPU per
 * tick; the ratios compare the edge's CPU per tick with the bare reference's. EDGE_PROFILE names
 * a line to profile the worker during it (bench/edge-profile.ts), e.g. "edge, 1 level".
 */
import { createLogger } from '../core/platform/logger.ts';
import type { FeedTick, RoomEventPush } from '../core/platform/room-contract.ts';
import { feedSocket } from '../jobs/room-feed-socket.ts';
import { startBenchCore } from './bench-core.ts';
import { profileEdge } from './edge-profile.ts';
import { startBareForward, startBenchEdge } from './orders/stack.ts';
import { cpuBetween, cpuSnapshot } from './process-cpu.ts';
import type { BenchContext } from './run.ts';

const IN_FLIGHT = 4;
const SHAPES = [
  { name: '4 levels + 26 events', levels: 4, events: 26 },
  { name: '1 level', levels: 1, events: 0 },
] as const;
type Shape = (typeof SHAPES)[number];

/** An order.created event as core publishes it (the room passes data on as it came). */
function orderCreated(warehouseId: string): RoomEventPush {
  const at = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    type: 'order.created',
    occurredAt: at,
    data: {
      id: crypto.randomUUID(),
      status: 'confirmed',
      warehouseId,
      warehouseIds: [warehouseId],
      allowPartial: false,
      allowBackorder: false,
      externalRef: null,
      channel: null,
      customer: null,
      lines: [
        {
          sku: 'BENCH-HOT',
          qty: 1,
          requestedQty: 1,
          unitPrice: { amount: 1299, currency: 'EUR' },
          allocated: 1,
          backordered: 0,
          shipped: 0,
        },
      ],
      allocations: [{ warehouseId, sku: 'BENCH-HOT', qty: 1, shipped: 0 }],
      reservationExpiresAt: null,
      version: 1,
      createdAt: at,
      updatedAt: at,
    },
  };
}

interface FeedResult {
  ticksPerSecond: number;
  cpuMsPerTick: number;
}

/** Ticks of `shape` for `seconds`, IN_FLIGHT at once: ticks/s and workerd's CPU per tick. */
async function measureTicks(target: { url: string; secret: string }, shape: Shape, seconds: number) {
  const socket = feedSocket({ url: `${target.url}/internal/rooms/feed`, secret: target.secret });
  const warehouseId = crypto.randomUUID();
  let version = 1;
  const tick = (): FeedTick['rooms'] => [
    {
      warehouseId,
      levels: Array.from({ length: shape.levels }, (_, k) => {
        version++;
        return {
          sku: `BENCH-${k}`,
          onHand: 1000,
          reserved: version % 100,
          version,
          fromVersion: version - 1,
        };
      }),
      events: Array.from({ length: shape.events }, () => orderCreated(warehouseId)),
    },
  ];
  const send = async () => {
    if (!(await socket.send(tick(), 30_000))) throw new Error('bench feed: the feed socket did not open');
  };
  try {
    for (let i = 0; i < 50; i++) await send(); // the room wakes (and rebuilds) first
    let ticks = 0;
    const before = cpuSnapshot();
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (performance.now() < until) {
          await send();
          ticks++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const workerd = cpuBetween(before, cpuSnapshot()).find(([part]) => part === 'edge (workerd)')?.[1] ?? 0;
    return { ticksPerSecond: ticks / elapsed, cpuMsPerTick: (workerd * 1000) / ticks };
  } finally {
    socket.close();
  }
}

export async function run(ctx: BenchContext): Promise<void> {
  const s = ctx.seconds;
  const log = createLogger({ service: 'bench' }, 'warn');
  const core = startBenchCore(ctx.databaseUrl, log);
  const results = new Map<string, FeedResult>();
  const measureAll = async (
    target: string,
    start: () => Promise<{ url: string; secret: string; inspectorPort?: number; stop(): Promise<void> }>,
  ) => {
    ctx.progress(`feed: starting ${target}`);
    const worker = await start();
    try {
      for (const shape of SHAPES) {
        const name = `${target}, ${shape.name}`;
        ctx.progress(`feed: ${name} per tick, ${IN_FLIGHT} in flight, ${s} s`);
        const profiling =
          process.env.EDGE_PROFILE === name && worker.inspectorPort
            ? await profileEdge(worker.inspectorPort)
            : undefined;
        results.set(name, await measureTicks(worker, shape, s));
        if (profiling) ctx.progress(`edge profile, ${name}:\n${(await profiling.stop(40)).join('\n')}`);
      }
    } finally {
      await worker.stop();
    }
  };
  try {
    await measureAll('bare', async () => ({
      ...(await startBareForward(ctx, core.url)),
      secret: 'unchecked',
    }));
    const edge = (tag: string, localObservability: boolean) => () =>
      startBenchEdge(ctx, { coreUrl: core.url, proxyPort: core.proxy.port, tag, localObservability });
    await measureAll('edge', edge('feed', false));
    await measureAll('edge with the collector', edge('feed-collector', true));
  } finally {
    await core.stop();
  }

  for (const [name, r] of results)
    ctx.report(
      `${name}`,
      `${r.ticksPerSecond.toFixed(0)} ticks/s`,
      `workerd ${r.cpuMsPerTick.toFixed(2)} ms CPU per tick`,
    );
  for (const shape of SHAPES) {
    const bare = results.get(`bare, ${shape.name}`);
    const edge = results.get(`edge, ${shape.name}`);
    const collector = results.get(`edge with the collector, ${shape.name}`);
    if (!bare || !edge || !collector) continue;
    ctx.report(
      `ratio edge / bare, CPU per tick, ${shape.name}`,
      (edge.cpuMsPerTick / bare.cpuMsPerTick).toFixed(2),
      'what our room code costs over a bare Durable Object write',
    );
    ctx.report(
      `ratio collector on / off, CPU per tick, ${shape.name}`,
      (collector.cpuMsPerTick / edge.cpuMsPerTick).toFixed(2),
      "wrangler dev's default, which bun run dev turns off",
    );
  }
}
