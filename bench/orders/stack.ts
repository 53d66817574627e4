/**
 * The rest of the stack the orders benchmark runs beside core, as `bun run dev` starts it: the
 * edge worker under wrangler dev (its warehouse rooms, the internal secret) and the jobs runner,
 * a process of its own with the rooms' feed, both at the default log level, their lines
 * pretty-printed as the dev runner does (into a file of the run instead of a terminal). The
 * runner can be stopped and started again between phases, for the "feed off" lines.
 */
import { join } from 'node:path';
import type { FileSink } from 'bun';
import { config } from '../../core/platform/config.ts';
import { createLogger, type Logger, type LogLevel } from '../../core/platform/logger.ts';
import { freePort } from '../../core/platform/ports.ts';
import { startWrangler } from '../../edge/local/wrangler-dev.ts';
import { prettyLogLine } from '../../scripts/pretty-log.ts';
import { connectBenchDatabase } from '../bench-core.ts';
import { startJobsProcess } from '../realtime/jobs-process.ts';
import type { BenchContext } from '../run.ts';

/** A logger at the configured level (info by default) whose lines cost what they cost under `bun run dev`. */
export function devLikeLogger(
  ctx: BenchContext,
  service: string,
  level: LogLevel = config().LOG_LEVEL,
): { log: Logger; close(): Promise<void> } {
  const file: FileSink = Bun.file(join(ctx.workDir, `${service}-${level}.log`)).writer();
  const tag = `[${service}]`.padEnd(11);
  const log = createLogger({ service }, level, (line) => {
    file.write(`${tag}${prettyLogLine(line)}\n`);
  });
  return { log, close: async () => void (await file.end()) };
}

export interface BenchEdge {
  url: string;
  secret: string;
  /** wrangler's process id, which is also its process group's (workerd runs in that group). */
  pid: number | undefined;
  /** wrangler dev's inspector (bench/edge-profile.ts profiles the worker through it). */
  inspectorPort: number;
  stop(): Promise<void>;
}

export async function startBenchEdge(
  ctx: BenchContext,
  opts: {
    coreUrl: string;
    proxyPort: number | undefined;
    tag: string;
    logLevel?: string;
    /** EDGE_SIGNING_SECRET: the edge signs what it forwards, as under `bun run dev`. */
    signingSecret?: string;
    /** wrangler's local observability collector, off as under `bun run dev` (bench feed turns it on once). */
    localObservability?: boolean;
  },
): Promise<BenchEdge> {
  const secret = `bench-${crypto.randomUUID()}`;
  const tail: string[] = [];
  const inspectorPort = await freePort();
  const edge = await startWrangler({
    port: await freePort(),
    inspectorPort,
    minify: process.env.EDGE_PROFILE ? false : undefined,
    localObservability: opts.localObservability,
    // Fresh Durable Object and cache state for this run.
    persistTo: join(ctx.workDir, `wrangler-${opts.tag}`),
    vars: {
      CORE_URL: opts.coreUrl,
      DATABASE_URL: ctx.databaseUrl,
      NEON_WS_PROXY: `127.0.0.1:${opts.proxyPort}/v1`,
      LOG_LEVEL: opts.logLevel ?? config().LOG_LEVEL,
      INTERNAL_SECRET: secret,
      ...(opts.signingSecret ? { EDGE_SIGNING_SECRET: opts.signingSecret } : {}),
    },
    onLine: (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
    },
  });
  return { url: edge.url, secret, pid: edge.child.pid, inspectorPort, stop: () => edge.stop() };
}

/** The bare forwarding worker (bench/bare-worker) on the same wrangler dev, in front of core: the hop's own cost. */
export async function startBareForward(
  ctx: BenchContext,
  coreUrl: string,
): Promise<{ url: string; pid: number | undefined; stop(): Promise<void> }> {
  const bare = await startWrangler({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(ctx.workDir, 'wrangler-bare-forward'),
    configPath: join(import.meta.dir, '..', 'bare-worker', 'wrangler.toml'),
    vars: { CORE_URL: coreUrl },
  });
  return { url: bare.url, pid: bare.child.pid, stop: () => bare.stop() };
}

/** What the rooms' feed sent: ticks the edge took, and the levels and events they carried. */
export interface TickCount {
  ticks: number;
  levels: number;
  events: number;
}

/** What the feed sent between two counts. */
export const ticksBetween = (before: TickCount, after: TickCount): TickCount => ({
  ticks: after.ticks - before.ticks,
  levels: after.levels - before.levels,
  events: after.events - before.events,
});

/**
 * The jobs runner with its feed, as a process of its own; its log goes to jobs.log in the run's
 * directory. `ticks` counts what its feed sent since it started.
 */
export async function startBenchJobs(
  ctx: BenchContext,
  edge: BenchEdge,
): Promise<{ stop(): Promise<void>; ticks: TickCount }> {
  const ticks: TickCount = { ticks: 0, levels: 0, events: 0 };
  const jobs = await startJobsProcess(
    {
      databaseUrl: ctx.databaseUrl,
      concurrency: config().JOBS_CONCURRENCY,
      edge: { url: edge.url, secret: edge.secret },
      sku: '', // no tick timing wanted here
      countTicks: true,
      logFile: join(ctx.workDir, 'jobs.log'),
    },
    (e) => {
      if (e.state !== 'tick') return;
      ticks.ticks++;
      ticks.levels += e.levels;
      ticks.events += e.events;
    },
  );
  return { stop: jobs.stop, ticks };
}

/** Waits until the jobs runner has no job left, the events' outbox is empty and the rooms' feed has nothing waiting. */
export async function drained(url: string): Promise<void> {
  const { pool, close } = connectBenchDatabase(url, { max: 1, application: 'bench-drain' });
  try {
    for (;;) {
      const { rows } = await pool.query(
        `select (select count(*) from graphile_worker.jobs where attempts < max_attempts)::int
              + (select count(*) from inventory.level_feed)::int
              + (select count(*) from platform.event_outbox)::int
              + (select count(*) from platform.room_event_feed)::int as n`,
      );
      if (rows[0]?.n === 0) return;
      await Bun.sleep(200);
    }
  } finally {
    await close();
  }
}
