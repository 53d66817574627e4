/**
 * The event mover: a loop in every jobs process that moves the domain events waiting in the
 * outbox (platform.event_outbox, written by each statement that records events), many rows at a
 * time, so no request pays for it: into the event archive and the rooms' feed, and into a
 * publish-event job only when a webhook subscription may want them (migration 0034).
 * Woken by the outbox's notification (or by a check every second, in case one was missed).
 *
 * - Nothing is lost or doubled: a move deletes its rows, archives and feeds them and adds their
 *   job in one transaction.
 * - Several jobs processes may move at once: each skips the rows another holds.
 * - Moves start at most every MOVE_SPACING_MS: a change after a quiet spell goes at once, and
 *   under load a move carries everything that committed since the one before, so one archive
 *   insert (one job, with webhooks) and one feed tick take many requests' events.
 */
import type pg from 'pg';
import { EVENT_OUTBOX_CHANNEL, listenForEvents, moveWaitingEvents } from '../core/platform/event-outbox.ts';
import type { Logger } from '../core/platform/logger.ts';
import { LoopSignal, loopConnection, reconnecting } from '../core/platform/notified-loop.ts';

/** How long a mover with nothing to do waits before it looks again without a notification. */
const IDLE_CHECK_MS = 1000;
/** The least time between two moves' starts; within the rooms' and webhooks' latency. */
export const MOVE_SPACING_MS = 25;

export interface EventMoverOptions {
  databaseUrl: string;
  log: Logger;
  /** The least time between two moves' starts; MOVE_SPACING_MS unless given. */
  spacingMs?: number;
}

export interface EventMover {
  /** Ends the loop after its current move. */
  stop(): Promise<void>;
}

export function startEventMover(opts: EventMoverOptions): EventMover {
  const { log } = opts;
  const spacing = opts.spacingMs ?? MOVE_SPACING_MS;
  const signal = new LoopSignal();

  /** Moves until stopped or the connection fails. */
  async function move(client: pg.Client): Promise<void> {
    let lastMoveAt = Number.NEGATIVE_INFINITY;
    while (!signal.stopped) {
      const early = Math.min(lastMoveAt + spacing - performance.now(), spacing);
      if (early > 0) await signal.pause(early); // notifications do not cut it short; stop does
      if (signal.stopped) return;
      const since = signal.seen;
      lastMoveAt = performance.now();
      const { more } = await moveWaitingEvents(client);
      // Rows left behind (a move's limits): move again after the spacing, without a notification.
      if (!more) await signal.wait(IDLE_CHECK_MS, since);
    }
  }

  async function session(): Promise<void> {
    const client = loopConnection(opts.databaseUrl, 'varastokkr-event-mover');
    // A broken connection is reported here and fails the next query, which ends the session.
    client.on('error', (err) => log.warn('event mover: database connection failed', { error: err.message }));
    try {
      await client.connect();
      client.on('notification', (n) => n.channel === EVENT_OUTBOX_CHANNEL && signal.nudge());
      await listenForEvents(client);
      await move(client);
    } finally {
      await client.end().catch(() => {});
    }
  }

  const running = reconnecting(signal, session, (err, attempt) =>
    log.warn('event mover: lost its database connection; connecting again', { error: err.message, attempt }),
  );

  return {
    stop: async () => {
      signal.stop();
      await running;
    },
  };
}
