/** The realtime benchmark's table: every phase's numbers, and the ratios to the reference. */
import type { BenchContext } from '../run.ts';
import type { measureBurst, measureSteady, measureUnderLoad } from './phases.ts';
import type { ReferenceResult } from './reference.ts';
import type { SocketLoad } from './socket-load.ts';
import { fmtRate, ms } from './stats.ts';

export interface RealtimeResults {
  sockets: number;
  concurrency: number;
  burstSize: number;
  burstClients: number;
  loadClients: number;
  jobsConcurrency: number;
  reference: ReferenceResult;
  connected: SocketLoad['ready'];
  steady: Awaited<ReturnType<typeof measureSteady>>;
  burst: Awaited<ReturnType<typeof measureBurst>>;
  loaded: Awaited<ReturnType<typeof measureUnderLoad>>;
  jobErrors: number;
  firstJobError: string;
  /** How the sockets connected: the bench's variant options (bench/realtime.ts). */
  socketsVia: string;
}

export function reportRealtime(ctx: BenchContext, r: RealtimeResults): void {
  const { reference: ref, connected, steady, burst, loaded } = r;
  ctx.report(
    `bare Bun.serve publish, ${r.sockets} sockets (ref)`,
    fmtRate(ref.rate),
    `${r.burstSize} msgs x ${ref.open} sockets: ${ref.deliveries} deliveries in ${Math.round(ref.spanMs)} ms, ${ref.awaited.reached}/${ref.awaited.open} got the last`,
  );
  ctx.report(
    `connect ${r.sockets} sockets to the room`,
    `${connected.ms} ms`,
    `${connected.open} open, ${connected.failed} failed${connected.firstError ? ` (first: ${connected.firstError})` : ''}, ${r.concurrency} at once, ${r.socketsVia}`,
  );
  ctx.report(
    'commit -> stock message, p50',
    ms(steady.latency.p50),
    `over ${steady.latency.n} deliveries (${steady.changes} changes x ${connected.open} sockets)`,
  );
  ctx.report(
    'commit -> stock message, p99',
    ms(steady.latency.p99),
    `goal <= 100 ms; max ${ms(steady.latency.max)}`,
  );
  ctx.report(
    'commit -> first socket / fan-out spread',
    ms(steady.firstSocket.p50),
    `p50s; last - first socket per change: p50 ${ms(steady.spreads.p50)}, p99 ${ms(steady.spreads.p99)}`,
  );
  ctx.report(
    'missing deliveries (steady)',
    String(steady.missing),
    `should be 0; ${steady.awaited.reached}/${steady.awaited.open} sockets reached the last version; dropped sockets ${steady.dump.closed}, duplicates ${steady.dump.duplicates}`,
  );
  ctx.report(
    'feed pickup (tick sent - 201), p50',
    ms(steady.pickups.p50),
    `p99 ${ms(steady.pickups.p99)} over ${steady.pickups.n} changes; the 201 arrives just after the commit, so this slightly understates`,
  );
  ctx.report(
    'feed pickup under orders load, p50',
    ms(loaded.pickups.p50),
    `p99 ${ms(loaded.pickups.p99)} over ${loaded.pickups.n} changes, while ${r.loadClients} clients placed ${Math.round(loaded.orders.rps)} orders/s (p99 ${loaded.orders.p99Ms} ms) in another warehouse`,
  );
  ctx.report(
    'commit -> stock message under orders load',
    ms(loaded.latency.p50),
    `p50; p99 ${ms(loaded.latency.p99)}, ${loaded.awaited.reached}/${loaded.awaited.open} sockets got the last`,
  );
  ctx.report(
    'feed tick (sent -> answered), p50',
    ms(steady.pushCalls.p50),
    `p99 ${ms(steady.pushCalls.p99)}; answered after the rooms sent to every socket; refused ticks ${r.jobErrors}${r.firstJobError ? ` (first: ${r.firstJobError})` : ''}; jobs concurrency ${r.jobsConcurrency}`,
  );
  ctx.report(
    `burst: ${r.burstSize} adjustments, ${r.burstClients} at once`,
    fmtRate(burst.rate),
    `first send -> last delivery ${Math.round(burst.spanMs)} ms (commits took ${Math.round(burst.commitsMs)} ms); ${burst.deliveries} deliveries, ${burst.ticks} feed ticks carried its ${r.burstSize} versions, ${burst.broadcast}/${r.burstSize} broadcast, ${burst.awaited.reached}/${burst.awaited.open} got the last`,
  );
  ctx.report(
    'burst fan-out only (first -> last delivery)',
    fmtRate(burst.fanOutRate),
    `${Math.round(burst.fanOutMs)} ms`,
  );
  ctx.report('ratio burst / bare', (burst.rate / ref.rate).toFixed(3), 'deliveries/s, end to end vs publish');
  ctx.report('ratio burst fan-out / bare', (burst.fanOutRate / ref.rate).toFixed(3), 'deliveries/s');
}
