/**
 * Ctrl-C for `bun run dev`. A terminal sends SIGINT to its whole foreground process group, and
 * `bun run` forwards its own copy to this script: one keypress arrives twice, a few milliseconds
 * apart. Taken as two, the second looked like an impatient second Ctrl-C and exited without
 * waiting, leaving Postgres, core or workerd running and their ports taken. So a signal within
 * SAME_INTERRUPT_MS of the first is the same interrupt and is ignored; a later one (a person
 * pressing Ctrl-C again) kills what is left and exits at once.
 */

/** Copies of one Ctrl-C arrive within milliseconds; a person presses again seconds later. */
export const SAME_INTERRUPT_MS = 1000;

/** What a signal means, given when the first one came (undefined: this is the first). */
export function signalMeaning(firstAt: number | undefined, at: number): 'stop' | 'same' | 'abandon' {
  if (firstAt === undefined) return 'stop';
  return at - firstAt < SAME_INTERRUPT_MS ? 'same' : 'abandon';
}

export interface DevShutdown {
  /** Stops everything in order (the first signal). */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Kills whatever still runs, without waiting (a second, deliberate signal). */
  abandon(): void;
  say(line: string): void;
}

export function onDevShutdown(shutdown: DevShutdown): void {
  let firstAt: number | undefined;
  const handler = async (signal: NodeJS.Signals) => {
    const at = performance.now();
    const meaning = signalMeaning(firstAt, at);
    if (meaning === 'same') return;
    if (meaning === 'abandon') {
      shutdown.say(`${signal} again: killing what is left and exiting without waiting`);
      shutdown.abandon();
      process.exit(1);
    }
    firstAt = at;
    try {
      await shutdown.stop(signal);
      process.exit(0);
    } catch (err) {
      shutdown.say(`stopping failed: ${(err as Error).message}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
