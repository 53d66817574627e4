/**
 * The warehouse rooms' feed: a loop in the jobs process whose cost is per tick, not per stock
 * change. Each change leaves a row in inventory.level_feed in its own transaction and notifies;
 * the feeder, woken by the notification (or by a check every second, in case one was missed),
 * reads what waits, sends every room's part in one call to the edge over a kept-alive
 * connection, and deletes exactly the rows the edge acknowledged. Ticks start at most every
 * TICK_SPACING_MS: a change after a quiet spell goes at once, and under load a tick carries
 * everything that committed since the one before, so calls stay few however many orders
 * arrive (each call costs the edge far more than a level in it).
 *
 * A tick also carries the rooms' order, transfer and purchase order events, which the event
 * mover (jobs/event-mover.ts) puts in platform.room_event_feed as it moves them out of the
 * outbox (and notifies this loop): each room broadcasts its events after its levels, and the
 * rows go once the edge acknowledged them. One call per tick for both.
 *
 * Guarantees, as the rooms had them with a job per change:
 * - Nothing is lost: a row goes only after the rooms applied or kept it. A failed call, a
 *   killed process or a lost connection leaves the rows, and they are sent again.
 * - Duplicates and stale updates are harmless: a room applies a level only if its version is
 *   newer, and holds one that skips ahead (fromVersion) until the steps before it arrive. An
 *   event sent again (its tick failed after the room broadcast it) reaches sockets twice, with
 *   the same id.
 * - One feeder at a time: the loop feeds only while its connection holds the lease (a session
 *   advisory lock, core/inventory/level-feed.ts). Other jobs processes wait as standbys and take
 *   over within LEASE_RETRY_MS of the holder's connection ending, however it ended.
 * - Rooms rebuild from Postgres on their own (edge/warehouse-stock-room.ts); the feed only
 *   brings changes.
 */
import type pg from 'pg';
import {
  forgetFedLevels,
  LEVEL_FEED_CHANNEL,
  listenForLevelChanges,
  readWaitingLevels,
  tryTakeFeedLease,
  type WaitingLevel,
} from '../core/inventory/level-feed.ts';
import {
  forgetFedRoomEvents,
  readWaitingRoomEvents,
  type WaitingRoomEvent,
} from '../core/platform/event-outbox.ts';
import type { Logger } from '../core/platform/logger.ts';
import { LoopSignal, loopConnection, reconnecting } from '../core/platform/notified-loop.ts';
import {
  EVENTS_PER_TICK,
  type FeedTick,
  LEVELS_PER_PUSH,
  type LevelUpdate,
  type RoomEventPush,
} from '../core/platform/room-contract.ts';
import { oneQueryAtATime } from '../core/platform/sql-client.ts';
import type { EdgeClient } from './edge-client.ts';

/** How long a feeder with nothing to do waits before it looks again without a notification. */
const IDLE_CHECK_MS = 1000;
/** How often a standby asks for the lease. */
const LEASE_RETRY_MS = 1000;
/** Ticks sent at once, as the four job workers that used to push overlapped their calls. */
const TICKS_IN_FLIGHT = 4;
/**
 * The least time between two ticks' starts. Without it every commit under load was a tick of
 * one or two levels: the bench's 64 clients cost the edge ~1.6 ms of CPU per order, on the cores
 * core and Postgres need. It delays a change by at most this much, within the rooms' 100 ms.
 */
export const TICK_SPACING_MS = 25;
/** The wait after a failed tick, doubled per failure in a row up to the maximum. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5 * 1000; // 5 s

export interface RoomFeedOptions {
  databaseUrl: string;
  edge: EdgeClient;
  log: Logger;
  /** Told of each tick as it is sent and answered (the realtime benchmark times the feed with it). */
  onTick?: (tick: FeedTickEvent) => void;
  /** The least time between two ticks' starts; TICK_SPACING_MS unless given. */
  tickSpacingMs?: number;
}

export interface FeedTickEvent {
  state: 'start' | 'success' | 'error';
  levels: readonly WaitingLevel[];
  events: readonly WaitingRoomEvent[];
  error?: string;
}

export interface RoomFeed {
  /** Whether this process holds the lease and feeds the rooms. */
  leading(): boolean;
  /** Ends the loop after its current tick and gives the lease up. */
  stop(): Promise<void>;
}

type TickRoom = FeedTick['rooms'][number] & { levels: LevelUpdate[]; events: RoomEventPush[] };

/** Groups waiting rows by room, keeping each room's levels and events in seq order. */
export function tickOf(
  levels: readonly WaitingLevel[],
  events: readonly WaitingRoomEvent[] = [],
): FeedTick['rooms'] {
  const rooms = new Map<string, TickRoom>();
  const roomOf = (warehouseId: string): TickRoom => {
    const known = rooms.get(warehouseId);
    if (known) return known;
    const room: TickRoom = { warehouseId, levels: [], events: [] };
    rooms.set(warehouseId, room);
    return room;
  };
  for (const { seq: _seq, warehouseId, ...level } of levels) roomOf(warehouseId).levels.push(level);
  for (const { warehouseId, event } of events) roomOf(warehouseId).events.push(event);
  return [...rooms.values()];
}

export function startRoomFeed(opts: RoomFeedOptions): RoomFeed {
  const { log } = opts;
  const spacing = opts.tickSpacingMs ?? TICK_SPACING_MS;
  // Anything that may give the loop work (a notification, a tick answered, stop) nudges it.
  const signal = new LoopSignal();
  let lead = false;

  /**
   * The rooms' answer to one tick: why it was not taken, and which rooms failed (their rows
   * are sent again), or none (undefined) when the edge took none of it.
   */
  async function send(
    levels: WaitingLevel[],
    events: WaitingRoomEvent[],
  ): Promise<{ failedRooms: Set<string> | undefined; refused?: Error }> {
    opts.onTick?.({ state: 'start', levels, events });
    try {
      const { rooms } = await opts.edge.feedRooms(tickOf(levels, events));
      const failedRooms = new Set(rooms.flatMap((r) => ('failed' in r ? [r.warehouseId] : [])));
      if (failedRooms.size > 0) {
        const refused = new Error(`rooms failed: ${[...failedRooms].join(', ')}`);
        opts.onTick?.({ state: 'error', levels, events, error: refused.message });
        return { failedRooms, refused };
      }
      opts.onTick?.({ state: 'success', levels, events });
      return { failedRooms };
    } catch (err) {
      opts.onTick?.({ state: 'error', levels, events, error: (err as Error).message });
      return { failedRooms: undefined, refused: err as Error };
    }
  }

  /**
   * Ticks while the connection lasts (a database error ends it). Up to TICKS_IN_FLIGHT ticks
   * go at once, each with what waits and is not already on its way, so one room's slow
   * broadcast does not hold every change behind it; a room that gets a later tick first keeps
   * those changes until the earlier ones arrive. A tick the edge refused pauses new ticks with
   * a backoff (notifications do not cut it short), and its rows are sent again.
   */
  async function feed(connection: pg.Client): Promise<void> {
    // Ticks delete while the loop reads: one query at a time on the one connection.
    const client = oneQueryAtATime(connection);
    const inFlight = new Set<Promise<void>>();
    const sending = new Set<string>(); // level rows on their way
    const sendingEvents = new Set<string>(); // room event rows on their way
    let failures = 0;
    let pausedUntil = 0;
    let lastTickAt = Number.NEGATIVE_INFINITY;
    let broken: unknown;
    try {
      while (!signal.stopped) {
        if (broken) throw broken;
        const since = signal.seen;
        const paused = pausedUntil - Date.now();
        if (inFlight.size >= TICKS_IN_FLIGHT || paused > 0) {
          await signal.wait(paused > 0 ? paused : IDLE_CHECK_MS, since);
          continue;
        }
        const early = Math.min(lastTickAt + spacing - performance.now(), spacing);
        if (early > 0) {
          await signal.pause(early); // notifications do not cut it short (that is the point); stop does
          continue;
        }
        const levels = await readWaitingLevels(client, LEVELS_PER_PUSH, [...sending]);
        // Events carry no versions for a room to order them by: one tick in flight carries them,
        // and a refused tick's are read again, first, before any later ones go.
        const events = sendingEvents.size === 0 ? await readWaitingRoomEvents(client, EVENTS_PER_TICK) : [];
        if (levels.length === 0 && events.length === 0) {
          await signal.wait(IDLE_CHECK_MS, since);
          continue;
        }
        const seqs = levels.map((w) => w.seq);
        const eventSeqs = events.map((e) => e.seq);
        for (const seq of seqs) sending.add(seq);
        for (const seq of eventSeqs) sendingEvents.add(seq);
        lastTickAt = performance.now();
        const tick = (async () => {
          const { failedRooms, refused } = await send(levels, events);
          const took = <T extends { warehouseId: string; seq: string }>(rows: T[]) =>
            failedRooms ? rows.filter((r) => !failedRooms.has(r.warehouseId)).map((r) => r.seq) : [];
          // What the rooms took goes, even from a tick a room failed: its events are not sent twice.
          await forgetFedLevels(client, took(levels));
          await forgetFedRoomEvents(client, took(events));
          if (refused) {
            if (failures === 0)
              log.warn('room feed: the edge did not take a tick; sending it again until it does', {
                error: refused.message,
                levels: levels.length,
                events: events.length,
              });
            failures++;
            pausedUntil = Date.now() + Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_MAX_MS);
            return;
          }
          if (failures > 0) log.info('room feed: the edge takes ticks again', { failedTicks: failures });
          failures = 0;
        })()
          .catch((err: unknown) => {
            broken ??= err; // the connection failed: the session ends, the rows stay
          })
          .finally(() => {
            for (const seq of seqs) sending.delete(seq);
            for (const seq of eventSeqs) sendingEvents.delete(seq);
            inFlight.delete(tick);
            signal.nudge();
          });
        inFlight.add(tick);
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
  }

  /** One connection: wait for the lease, then feed until stopped or the connection fails. */
  async function session(): Promise<void> {
    // Rows whose delete a crash lost are sent again (duplicates are harmless).
    const client = loopConnection(opts.databaseUrl, 'varastokkr-room-feed');
    // A broken connection is reported here and fails the next query, which ends the session.
    client.on('error', (err) => log.warn('room feed: database connection failed', { error: err.message }));
    try {
      await client.connect();
      while (!signal.stopped && !(await tryTakeFeedLease(client)))
        await signal.wait(LEASE_RETRY_MS, signal.seen);
      if (signal.stopped) return;
      lead = true;
      log.info('room feed: feeding the warehouse rooms');
      client.on('notification', (n) => n.channel === LEVEL_FEED_CHANNEL && signal.nudge());
      await listenForLevelChanges(client);
      await feed(client);
    } finally {
      lead = false;
      await client.end().catch(() => {});
    }
  }

  const running = reconnecting(signal, session, (err, attempt) =>
    log.warn('room feed: lost its database connection; connecting again', { error: err.message, attempt }),
  );

  return {
    leading: () => lead,
    stop: async () => {
      signal.stop();
      await running;
    },
  };
}
