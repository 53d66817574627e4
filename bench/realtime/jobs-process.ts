/**
 * The realtime benchmark's jobs runner, a process of its own as in production (`bun jobs/main.ts`),
 * not sharing core's event loop: this file run with REALTIME_JOBS_SPEC set starts the runner and
 * reports, as JSON lines on its stdout, when each tick of the rooms' feed carrying the measured
 * sku was sent, answered or refused. startJobsProcess is the bench process's handle on it.
 */

import { config } from '../../core/platform/config.ts';
import { lineSplitter } from '../../core/platform/lines.ts';
import { createLogger } from '../../core/platform/logger.ts';
import { startJobs } from '../../jobs/worker.ts';
import { prettyLogLine } from '../../scripts/pretty-log.ts';
import { now } from './stats.ts';

export interface JobsSpec {
  databaseUrl: string;
  concurrency: number;
  edge: { url: string; secret: string };
  /** The sku whose ticks are reported ('' for none). */
  sku: string;
  /** Whether every tick the rooms took is reported with its size (a 'tick' event). */
  countTicks?: boolean;
  /**
   * Where the runner logs, at the configured level and pretty-printed as `bun run dev` does;
   * without it, warnings and errors go to stderr (stdout carries the reports).
   */
  logFile?: string;
}

export type JobEvent =
  | {
      state: 'start' | 'success' | 'error';
      at: number;
      versions: number[];
      error?: string;
    }
  | { state: 'tick'; levels: number; events: number };
async function jobsProcess(spec: JobsSpec): Promise<void> {
  const file = spec.logFile ? Bun.file(spec.logFile).writer() : undefined;
  const log = file
    ? createLogger({ service: 'jobs' }, config().LOG_LEVEL, (line) => {
        file.write(`[jobs]     ${prettyLogLine(line)}\n`);
      })
    : createLogger({ service: 'jobs' }, 'warn', (line) => console.error(line));
  const jobs = await startJobs({
    databaseUrl: spec.databaseUrl,
    concurrency: spec.concurrency,
    log,
    cron: false,
    edge: spec.edge,
    onFeedTick: ({ state, levels, events, error }) => {
      if (spec.countTicks && state === 'success')
        process.stdout.write(
          `${JSON.stringify({ state: 'tick', levels: levels.length, events: events.length })}\n`,
        );
      const at = now();
      const versions = spec.sku ? levels.filter((l) => l.sku === spec.sku).map((l) => l.version) : [];
      if (versions.length === 0) return;
      const e: JobEvent = { state, at, versions, ...(error ? { error } : {}) };
      process.stdout.write(`${JSON.stringify(e)}\n`);
    },
  });
  process.stdout.write(`${JSON.stringify({ state: 'ready' })}\n`);
  for await (const line of console) if (line.trim() === 'stop') break;
  await jobs.stop();
  await file?.end();
  process.exit(0);
}

export async function startJobsProcess(
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
  const spec = JSON.parse(process.env.REALTIME_JOBS_SPEC ?? 'null') as JobsSpec | null;
  if (!spec) {
    console.error('Run this through `bun run bench realtime`.');
    process.exit(2);
  }
  await jobsProcess(spec);
}
