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
  type FeedTick,
  type FeedTickResult,
  feedTickResultSchema,
  feedTickSchema,
  LEVELS_PER_PUSH,
  type LevelUpdate,
  type ReconcileResult,
  type RoomAccessChange,
  reconcileRequestSchema,
  reconcileResultSchema,
  roomAccessChangeSchema,
  roomAccessResultSchema,
} from '../core/platform/room-contract.ts';
import { feedSocket } from './room-feed-socket.ts';

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
  /**
   * One tick of the rooms' feed: each room's level changes (at most LEVELS_PER_PUSH in all) and
   * events. Over the feed's socket (jobs/room-feed-socket.ts), or as a request while it cannot open.
   */
  feedRooms(rooms: FeedTick['rooms']): Promise<FeedTickResult>;
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
  /** Closes the feed's socket (the runner stops). */
  close(): void;
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
    if (!res.ok) throw new Error(`the edge answered ${res.status} to ${what}`);
    const parsed = answer.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new Error(`the edge's answer to ${what} is not what the contract says`);
    return parsed.data;
  }
  const socket = feedSocket({ url: new URL('/internal/rooms/feed', link.url).href, secret: link.secret });
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

    async feedRooms(rooms) {
      const tick = feedTickSchema.parse({ rooms });
      return (
        (await socket.send(tick.rooms, 10_000)) ??
        call({
          what: 'a tick of the rooms feed',
          path: '/internal/rooms/levels',
          body: tick,
          answer: feedTickResultSchema,
          timeoutMs: 10_000,
        })
      );
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

    close: () => socket.close(),
  };
  return client;
}
