/**
 * The two 64-client ratios with goals, measured in turns: the whole stack, then feed off (the
 * jobs runner stopped), then pgbench, seconds apart, for a few rounds. The main phases measure
 * the stack and pgbench minutes apart, and on these shared cores the machine itself moves more
 * than that: pgbench at 64 clients did 591 to 1,144 tps in six runs of one day. A ratio within a
 * round compares measurements taken under nearly the same conditions; the median of the rounds
 * is reported with every round's value, so the spread shows too.
 */
import { quantiles } from '../realtime/stats.ts';

/** One round's measurements (orders/s, orders/s, tps). */
export interface Turn {
  stack: number;
  feedOff: number;
  pgbench: number;
}

export interface TurnSteps {
  /** The hot sku at 64 clients with the jobs runner running; orders/s. */
  stack(round: number): Promise<number>;
  /** The same with the jobs runner stopped; orders/s. */
  feedOff(round: number): Promise<number>;
  /** pgbench TPC-B-like at 64 clients; tps. */
  pgbench(round: number): Promise<number>;
  startFeed(): Promise<void>;
  stopFeed(): Promise<void>;
}

/** Runs `rounds` rounds; the jobs runner is stopped before and after. */
export async function measureInTurns(steps: TurnSteps, rounds: number): Promise<Turn[]> {
  const turns: Turn[] = [];
  for (let round = 1; round <= rounds; round++) {
    await steps.startFeed();
    const stack = await steps.stack(round);
    await steps.stopFeed();
    const feedOff = await steps.feedOff(round);
    const pgbench = await steps.pgbench(round);
    turns.push({ stack, feedOff, pgbench });
  }
  return turns;
}

/** A ratio over the rounds: its median, and each round's value in order. */
export function roundRatios(turns: readonly Turn[], of: keyof Turn, to: keyof Turn) {
  const each = turns.map((t) => t[of] / t[to]);
  return { median: quantiles(each).p50, each };
}
