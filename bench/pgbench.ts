/**
 * The reference measurement: pgbench on our embedded Postgres. Later benchmarks divide their
 * throughput by these numbers, measured in the same run on the same server.
 */

import { pgbench, pgbenchInit } from './postgres.ts';
import type { BenchContext } from './run.ts';

export async function run(ctx: BenchContext): Promise<void> {
  ctx.progress('pgbench: initialising (scale 1)');
  pgbenchInit(ctx.databaseUrl);
  const seconds = String(ctx.seconds);
  ctx.progress(`pgbench: select-only, 4 clients, ${seconds} s`);
  const selectOnly = pgbench(ctx.databaseUrl, ['-S', '-c', '4', '-j', '2', '-T', seconds]);
  ctx.progress(`pgbench: TPC-B-like read/write, 4 clients, ${seconds} s`);
  const tpcb = pgbench(ctx.databaseUrl, ['-c', '4', '-j', '2', '-T', seconds]);
  ctx.report('pgbench select-only', `${selectOnly.tps.toFixed(0)} tps`, `${selectOnly.latencyMs} ms avg`);
  ctx.report('pgbench tpc-b', `${tpcb.tps.toFixed(0)} tps`, `${tpcb.latencyMs} ms avg`);
}
