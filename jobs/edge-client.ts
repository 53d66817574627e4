/**
 * The jobs runner's one way to the edge worker: its /internal/* endpoints (edge/routes/internal.ts),
 * with the internal secret, a timeout, and every request and answer parsed with the room
 * contract's schemas (core/platform/room-contract.ts). A refusal or an unexpected answer throws,
 * so graphile-worker retries the job.
 */
import type { z } from 'zod';
import {
  type CatalogChange,
  catalogChangeSchema,
  catalogPurgeResultSchema,
  EVENTS_PER_PUSH,
  type EventPush,
  eventPushResultSchema,
  eventPushSchema,
  type FeedTick,
  type FeedTickResult,
  feedTickResultSchema,
  feedTickSchema,
  LEVELS_PER_PUSH,
  type LevelUpdate,
  type ReconcileResult,
  type RoomAccessChange,
  type RoomEventsPush,
  reconcileRequestSchema,
  reconcileResultSchema,
  roomAccessChangeSchema,
  roomAccessResultSchema,
  roomEventsPushSchema,
  roomEventsResultSchema,
} from '../core/platform/room-contract.ts';

/** Where the edge worker answers, and the secret for its /internal/* endpoints. */
export interface EdgeLink {
  url: string;
  secret: string;
}

export interface EdgeClient {
  /**
   * Tells the edge what changed in the catalog (everything, without an argument): the cached
   * reads that depend on it are replaced everywhere; the generation it moved to.
   */
  purgeCatalog(change?: CatalogChange): Promise<{ generation: number }>;
  /** One tick of the rooms' feed: each room's level changes (at most LEVELS_PER_PUSH in all). */
  feedRooms(rooms: FeedTick['rooms']): Promise<FeedTickResult>;
  /** Passes an order or transfer event to its warehouse's room; how many sockets it reached. */
  pushEvent(warehouseId: string, event: EventPush['event']): Promise<{ sockets: number }>;
  /**
   * Passes a batch of events to their rooms, each room's in order, in as few calls as it takes;
   * the rooms that failed (their events were not all passed on), with why.
   */
  pushEvents(rooms: RoomEventsPush['rooms']): Promise<RoomFailure[]>;
  /**
   * Makes a room equal these levels (the nightly check), in as many calls as it takes; with
   * `repair` false, only reports where it differs.
   */
  reconcile(
    warehouseId: string,
    levels: LevelUpdate[],
    force: boolean,
    repair?: boolean,
  ): Promise<ReconcileResult>;
  /** Tells every room of a change of who may hold sockets. */
  changeRoomAccess(change: RoomAccessChange): Promise<{ rooms: number; closed: number; rescoped: number }>;
}

/** A room a push did not reach, and why. */
export interface RoomFailure {
  warehouseId: string;
  reason: string;
}

/** The edge answered a call with this status (an edge from before an endpoint answers 404). */
class EdgeRefused extends Error {
  constructor(
    what: string,
    readonly status: number,
  ) {
    super(`the edge answered ${status} to ${what}`);
  }
}

/** The rooms' events in slices of at most `size` events, each room's still in order. */
function eventSlices(rooms: RoomEventsPush['rooms'], size: number): RoomEventsPush['rooms'][] {
  const pairs = rooms.flatMap(({ warehouseId, events }) => events.map((event) => ({ warehouseId, event })));
  return slices(pairs, size).map((part) => {
    const grouped = new Map<string, EventPush['event'][]>();
    for (const { warehouseId, event } of part)
      grouped
        .set(warehouseId, grouped.get(warehouseId) ?? [])
        .get(warehouseId)
        ?.push(event);
    return [...grouped].map(([warehouseId, events]) => ({ warehouseId, events }));
  });
}

/** What one call is, for its error message, and how long it may take. */
interface Call<R extends z.ZodType> {
  what: string;
  path: string;
  body?: unknown;
  answer: R;
  timeoutMs: number;
}

const slices = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export function edgeClient(link: EdgeLink): EdgeClient {
  async function call<R extends z.ZodType>({
    what,
    path,
    body,
    answer,
    timeoutMs,
  }: Call<R>): Promise<z.infer<R>> {
    const res = await fetch(new URL(path, link.url), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${link.secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new EdgeRefused(what, res.status);
    const parsed = answer.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new Error(`the edge's answer to ${what} is not what the contract says`);
    return parsed.data;
  }
  const room = (warehouseId: string, endpoint: string) =>
    `/internal/warehouses/${encodeURIComponent(warehouseId)}/${endpoint}`;

  const client: EdgeClient = {
    purgeCatalog: (change = { scope: 'all' }) =>
      call({
        what: 'a catalog purge',
        path: '/internal/catalog/purge',
        body: catalogChangeSchema.parse(change),
        answer: catalogPurgeResultSchema,
        timeoutMs: 10_000,
      }),

    feedRooms: async (rooms) =>
      call({
        what: 'a tick of the rooms feed',
        path: '/internal/rooms/levels',
        body: feedTickSchema.parse({ rooms }),
        answer: feedTickResultSchema,
        timeoutMs: 10_000,
      }),

    pushEvent: (warehouseId, event) =>
      call({
        what: 'a room event',
        path: room(warehouseId, 'events'),
        body: eventPushSchema.parse({ event }),
        answer: eventPushResultSchema,
        timeoutMs: 10_000,
      }),

    async pushEvents(rooms) {
      const failed: RoomFailure[] = [];
      for (const part of eventSlices(rooms, EVENTS_PER_PUSH)) {
        try {
          const done = await call({
            what: 'a batch of room events',
            path: '/internal/rooms/events',
            body: roomEventsPushSchema.parse({ rooms: part }),
            answer: roomEventsResultSchema,
            timeoutMs: 10_000,
          });
          for (const r of done.rooms)
            if ('failed' in r) failed.push({ warehouseId: r.warehouseId, reason: 'the room failed' });
        } catch (err) {
          // An edge from before the batch endpoint: one call per event, as it was.
          if (err instanceof EdgeRefused && err.status === 404)
            failed.push(...(await pushOneByOne(client, part)));
          else failed.push(...part.map(({ warehouseId }) => ({ warehouseId, reason: String(err) })));
        }
      }
      return failed;
    },

    async reconcile(warehouseId, levels, force, repair = true) {
      const whole: ReconcileResult = { repaired: [], ahead: [] };
      for (const part of slices(levels, LEVELS_PER_PUSH)) {
        const done = await call({
          what: 'a room check',
          path: room(warehouseId, 'reconcile'),
          body: reconcileRequestSchema.parse({ levels: part, force, repair }),
          answer: reconcileResultSchema,
          timeoutMs: 30_000,
        });
        whole.repaired.push(...done.repaired);
        whole.ahead.push(...done.ahead);
      }
      return whole;
    },

    changeRoomAccess: (change) =>
      call({
        what: 'a room access change',
        path: '/internal/rooms/access',
        body: roomAccessChangeSchema.parse(change),
        answer: roomAccessResultSchema,
        timeoutMs: 30_000,
      }),
  };
  return client;
}

/** The events one at a time (POST /internal/warehouses/:id/events); the rooms that failed. */
async function pushOneByOne(edge: EdgeClient, rooms: RoomEventsPush['rooms']): Promise<RoomFailure[]> {
  const failed: RoomFailure[] = [];
  for (const { warehouseId, events } of rooms) {
    try {
      for (const event of events) await edge.pushEvent(warehouseId, event);
    } catch (err) {
      failed.push({ warehouseId, reason: String(err) });
    }
  }
  return failed;
}
