/**
 * What notified loops share (the jobs process's rooms feed and event mover, core's catalog
 * listener): their waits and their kept connection.
 */
import pg from 'pg';

/** The wait after a lost connection, doubled per failure in a row up to the maximum. */
const RECONNECT_FIRST_MS = 200;
const RECONNECT_MAX_MS = 5 * 1000; // 5 s

/**
 * The waits of a loop that is woken by notifications and stopped from outside (the rooms' feed,
 * the event mover, the catalog listener): `wait` ends early when something came since the loop last looked, `pause`
 * ends early only on stop. One waiter at a time: each loop waits in one place at once.
 */
export class LoopSignal {
  private count = 0;
  private stopping = false;
  private endWait: (() => void) | undefined;
  private endPause: (() => void) | undefined;

  /** What the loop has seen: pass it to `wait` to be woken by anything after it. */
  get seen(): number {
    return this.count;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Something may have work for the loop (a notification, a tick answered). */
  nudge(): void {
    this.count++;
    this.endWait?.();
  }

  stop(): void {
    this.stopping = true;
    this.endWait?.();
    this.endPause?.();
  }

  /** Waits `ms`, or until a nudge after `since` (at once if one came already), or stop. */
  wait(ms: number, since: number): Promise<void> {
    return new Promise<void>((done) => {
      if (this.stopping || this.count !== since) return done();
      const timer = setTimeout(() => this.endWait?.(), ms);
      this.endWait = () => {
        clearTimeout(timer);
        this.endWait = undefined;
        done();
      };
    });
  }

  /** Waits `ms` whatever comes, except stop. */
  pause(ms: number): Promise<void> {
    return new Promise<void>((done) => {
      if (this.stopping) return done();
      const timer = setTimeout(() => this.endPause?.(), ms);
      this.endPause = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        done();
      };
    });
  }
}

/**
 * A connection of a loop's own, for LISTEN (and the feed's session lease). A connection that
 * cannot be made, or that died silently, must end the session instead of hanging: keepalives on
 * both ends notice a vanished peer, Postgres's within about 25 s (so a standby can take the
 * feed's lease of a host that vanished). Its writes need no flush of their own: a loop's work
 * that a crash lost is done again.
 */
export function loopConnection(databaseUrl: string, application: string): pg.Client {
  return new pg.Client({
    connectionString: databaseUrl,
    application_name: application,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    // pg's default of 0 leaves the first probe to the OS (2 h on Linux).
    keepAliveInitialDelayMillis: 10_000,
    options:
      '-c synchronous_commit=off -c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
  });
}

/**
 * Runs `session` (one connection's life) again and again until stop; after one that failed,
 * tells `failed` and waits, longer after each failure in a row. A session that lasted longer
 * than the longest wait counts as a success that ended: the next wait starts short again.
 */
export async function reconnecting(
  signal: LoopSignal,
  session: () => Promise<void>,
  failed: (err: Error, attempt: number) => void,
): Promise<void> {
  let failures = 0;
  while (!signal.stopped) {
    const started = performance.now();
    try {
      await session();
      failures = 0;
    } catch (err) {
      if (performance.now() - started > RECONNECT_MAX_MS) failures = 0;
      failures++;
      failed(err as Error, failures);
      await signal.wait(Math.min(RECONNECT_FIRST_MS * 2 ** (failures - 1), RECONNECT_MAX_MS), signal.seen);
    }
  }
}
