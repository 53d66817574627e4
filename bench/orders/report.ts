/**
 * The orders benchmark's table: the measured phases, pgbench, the ratios (from the main phases
 * and from the turns), the CPU per order by part of the stack, and what the ledger checks found.
 */

import type { PgbenchResult } from '../postgres.ts';
import type { BenchContext } from '../run.ts';
import type { Violation } from './ledger-check.ts';
import type { OrderLoadResult } from './order-load.ts';
import type { TickCount } from './stack.ts';
import { roundRatios, type Turn } from './turns.ts';

export interface OrdersResults {
  seconds: number;
  turnRounds: number;
  pg64: PgbenchResult;
  pg8: PgbenchResult;
  pg1: PgbenchResult;
  receiveMs: number;
  stack64: OrderLoadResult;
  stack1: OrderLoadResult;
  warn64: OrderLoadResult;
  edge64: OrderLoadResult;
  edge1: OrderLoadResult;
  bare64: OrderLoadResult;
  bare1: OrderLoadResult;
  off64: OrderLoadResult;
  off1: OrderLoadResult;
  off8: OrderLoadResult;
  alloc64: OrderLoadResult;
  mixed64: OrderLoadResult;
  turns: Turn[];
  /** CPU by part of the stack while each phase ran, by phase name. */
  cpu: Record<string, { parts: [string, number][]; orders: number; ticks?: TickCount }>;
  /** Orders created in all measured phases. */
  created: number;
  fiveHundreds: number;
  violations: { phase: string; v: Violation }[];
}

export function reportOrders(ctx: BenchContext, o: OrdersResults): void {
  const { pg64, pg8, pg1, stack64, stack1, warn64, edge64, edge1, bare64, bare1 } = o;
  const { off64, off1, off8, alloc64, mixed64, turns, cpu, fiveHundreds, violations } = o;
  const s = o.seconds;
  const statusNote = (r: OrderLoadResult) => {
    const other = Object.entries(r.statuses)
      .filter(([st]) => st !== '201')
      .map(([st, n]) => `${st} x ${n}`);
    return other.length > 0 ? `, non-201: ${other.join(', ')}` : '';
  };
  const row = (name: string, r: OrderLoadResult) =>
    ctx.report(name, `${r.rps.toFixed(0)} orders/s`, `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${statusNote(r)}`);
  for (const [clients, r] of [
    [64, pg64],
    [8, pg8],
    [1, pg1],
  ] as const)
    ctx.report(`pgbench tpc-b, ${clients} clients`, `${r.tps.toFixed(0)} tps`, `${r.latencyMs} ms avg`);
  ctx.report('receive 300 x 1,000,000 (HTTP, 8 at once)', `${Math.round(o.receiveMs)} ms`, '');
  row('stack: core hot sku, 64 clients', stack64);
  row('stack: core hot sku, 1 client', stack1);
  row('stack: core logging at warn, hot sku, 64 clients', warn64);
  row('stack: edge -> core hot sku, 64 clients', edge64);
  row('stack: edge -> core hot sku, 1 client', edge1);
  row('stack: bare worker -> core, 64 clients', bare64);
  row('stack: bare worker -> core, 1 client', bare1);
  row('feed off (no jobs runner): hot sku, 64', off64);
  row('feed off (no jobs runner): hot sku, 1', off1);
  row('feed off (no jobs runner): hot sku, 8', off8);
  row('feed off (no jobs runner): allocator, 64', alloc64);
  row('feed off (no jobs runner): 3 of 10,000, 64', mixed64);
  const ratios: [string, number, number, string][] = [
    ['ratio stack hot 64 / pgbench 64', stack64.rps, pg64.tps, 'orders/s vs tps; goal >= 1.0'],
    ['ratio stack 1-client p50 / pgbench 1-client', stack1.p50Ms, pg1.latencyMs, 'latency; goal <= 3'],
    ['ratio stack / feed off, hot 64', stack64.rps, off64.rps, 'what the feed and events cost; goal >= 0.85'],
    ['ratio stack / feed off, 1-client p50', stack1.p50Ms, off1.p50Ms, 'latency the jobs runner adds'],
    ['ratio stack at info / at warn, hot 64', stack64.rps, warn64.rps, 'what a log line per request costs'],
    ['ratio edge / core, hot 64', edge64.rps, stack64.rps, 'what the edge hop costs in throughput'],
    ['ratio edge / core, 1-client p50', edge1.p50Ms, stack1.p50Ms, 'what the edge hop costs in latency'],
    ['ratio edge / bare worker, 1-client p50', edge1.p50Ms, bare1.p50Ms, 'our edge code vs a pass-through'],
    ['ratio edge / bare worker, hot 64', edge64.rps, bare64.rps, 'our edge code vs a pass-through'],
    ['ratio feed off hot 8 / pgbench 8', off8.rps, pg8.tps, 'orders/s vs tps'],
    ['ratio allocator / hot 64, feed off', alloc64.rps, off64.rps, 'what the allocator costs'],
    ['ratio mixed / hot 64, feed off', mixed64.rps, off64.rps, '3 lines of spread skus vs 1 hot line'],
  ];
  for (const [name, a, b, note] of ratios) ctx.report(name, (a / b).toFixed(2), note);
  const rounds = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  for (const [name, ratio, goal] of [
    ['stack hot 64 / pgbench 64', roundRatios(turns, 'stack', 'pgbench'), 'goal >= 1.0'],
    ['stack / feed off, hot 64', roundRatios(turns, 'stack', 'feedOff'), 'goal >= 0.85'],
  ] as const)
    ctx.report(
      `turns (${o.turnRounds} rounds): ${name}`,
      ratio.median.toFixed(2),
      `median; rounds ${rounds(ratio.each)}; ${goal}`,
    );
  for (const name of [
    'stack hot sku, 64',
    'feed off hot sku, 64',
    'stack hot sku, 1',
    'feed off hot sku, 1',
  ]) {
    const used = cpu[name];
    if (!used || used.orders === 0) continue;
    const perOrder = used.parts.map(([part, sec]) => `${part} ${((sec * 1000) / used.orders).toFixed(2)}`);
    const total = used.parts.reduce((n, [, sec]) => n + sec, 0);
    ctx.report(`CPU ms per order, ${name}`, ((total * 1000) / used.orders).toFixed(2), perOrder.join(', '));
    const t = used.ticks;
    if (t && t.ticks > 0)
      ctx.report(
        `feed ticks, ${name}`,
        `${(t.ticks / s).toFixed(0)}/s`,
        `${(t.levels / t.ticks).toFixed(1)} levels and ${(t.events / t.ticks).toFixed(1)} events per tick`,
      );
  }
  ctx.report('orders created (measured phases)', String(o.created), '');
  ctx.report(
    '5xx / network errors',
    String(fiveHundreds),
    fiveHundreds > 0 ? '!!! SERVER ERRORS: see the progress lines above' : '',
  );
  if (violations.length === 0)
    ctx.report('oversell', 'none', 'every level and every order checked after each phase');
  else for (const { phase: p, v } of violations) ctx.report(`VIOLATION (${p})`, v.check, v.detail);
}
