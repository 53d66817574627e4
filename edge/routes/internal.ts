/**
 * /internal/*: the jobs runner's calls (jobs/edge-client.ts), not part of the public API. One
 * secret check for all of them (`Authorization: Bearer <INTERNAL_SECRET>`, compared in
 * constant time), and every body parsed with its zod schema before a handler sees it.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import type { z } from 'zod';
import { changedNames } from '../../core/catalog/catalog-changes.ts';
import type { Logger } from '../../core/platform/logger.ts';
import { AppError, ValidationError } from '../../core/platform/problem.ts';
import { catalogChangeSchema } from '../../core/platform/room-contract.ts';
import { fieldErrors } from '../../core/platform/validation.ts';
import { refuseWithoutInternalSecret } from '../auth.ts';
import { warehouseDirectory } from '../availability.ts';
import { catalogGenerationObject, renewView } from '../catalog.ts';
import { type EdgeBindings, type EdgeEnv, edgeConfig, warehouseRoom } from '../env.ts';
import {
  eventPushSchema,
  type FeedSocketAnswer,
  type FeedTickResult,
  feedSocketTickSchema,
  feedTickSchema,
  type RoomEventPush,
  reconcileRequestSchema,
  roomAccessChangeSchema,
  roomEventsPushSchema,
} from '../room-types.ts';

/** `value` parsed with `schema`: a ValidationError (a 422) naming the fields, never a 500. */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(fieldErrors(result.error.issues));
  return result.data;
}

/** The request's JSON body, parsed with `schema`. */
const parsedBody = async <S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> =>
  parsed(schema, await c.req.json().catch(() => null));

/** A pushed event as its room broadcasts it. */
const asRoomEvent =
  (warehouseId: string) =>
  ({ id, type, occurredAt, data }: RoomEventPush) => ({ event: type, id, occurredAt, warehouseId, data });

/**
 * One tick of the rooms' feed: every room's level changes, then its events in order, in one call
 * to each room, the rooms in parallel. Each room's result, or that it failed (the feeder sends
 * its rows again, and only its rows).
 */
async function feedRooms(
  env: EdgeBindings,
  log: Logger,
  rooms: z.infer<typeof feedTickSchema>['rooms'],
): Promise<FeedTickResult> {
  const results = await Promise.all(
    rooms.map(async ({ warehouseId, levels, events }) => {
      try {
        return {
          warehouseId,
          ...(await warehouseRoom(env, warehouseId).applyTick(
            levels,
            events.map(asRoomEvent(warehouseId)),
            warehouseId,
          )),
        };
      } catch (err) {
        log.error('room feed tick failed', { warehouseId, err: String(err) });
        return { warehouseId, failed: true as const };
      }
    }),
  );
  return { rooms: results };
}

/** A tick that came over the feed's socket, answered on it with its id (refused: why, by field). */
async function answerTick(env: EdgeBindings, log: Logger, ws: WebSocket, data: unknown): Promise<void> {
  let answer: FeedSocketAnswer;
  let message: unknown = null;
  try {
    message = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer));
  } catch {
    // Not JSON: refused below like any other malformed tick.
  }
  try {
    const tick = parsed(feedSocketTickSchema, message);
    answer = { id: tick.id, ...(await feedRooms(env, log, tick.rooms)) };
  } catch (err) {
    const id = (message as { id?: unknown } | null)?.id;
    let refused = 'the edge failed this tick';
    if (err instanceof ValidationError) refused = err.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    else log.error('room feed tick failed', { err: String(err) });
    answer = { id: Number.isInteger(id) ? (id as number) : null, refused };
  }
  try {
    ws.send(JSON.stringify(answer));
  } catch {
    // The runner went away: it sends the tick's rows again on its next socket.
  }
}

/** How many warehouse rooms are asked at once to apply an access change. */
const ROOMS_AT_ONCE = 25;

export const internalRoutes = new Hono<EdgeEnv>()
  .use('/internal/*', async (c, next) => {
    refuseWithoutInternalSecret(edgeConfig(c.env), c.req.header('authorization'));
    await next();
  })
  // After product.* and warehouse.created events: the cached catalog reads that depend on what
  // changed are replaced everywhere (no body: all of them).
  .post('/internal/catalog/purge', async (c) => {
    const empty = (await c.req.text()) === ''; // Hono keeps the body for parsedBody to read again
    const change = empty ? { scope: 'all' as const } : await parsedBody(c, catalogChangeSchema);
    const names = change.scope === 'all' ? undefined : changedNames(change);
    const generation = await catalogGenerationObject(c.env).bump(names);
    // The bump is what counts; other isolates learn of it within 500 ms either way.
    await renewView(c.env).catch(() => undefined);
    return c.json({ generation }, 200);
  })
  // One tick of the warehouse rooms' feed (jobs/room-feed.ts) as a request: what a runner does
  // while its socket (below) cannot open. Answered once every room applied or kept its part.
  .post('/internal/rooms/levels', async (c) => {
    const { rooms } = await parsedBody(c, feedTickSchema);
    return c.json(await feedRooms(c.env, c.var.log, rooms), 200);
  })
  // The rooms' feed over one kept-open WebSocket (jobs/room-feed-socket.ts): each message a tick
  // with the runner's id, each answer its result with that id, in the order the ticks finish.
  // A tick then costs a message, where a request through the runtime's layers cost far more.
  .get('/internal/rooms/feed', (c) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket')
      throw new AppError(426, 'upgrade-required', 'Upgrade required', 'Connect with a WebSocket.');
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    server.accept();
    const log = c.var.log;
    server.addEventListener('message', (m) => void answerTick(c.env, log, server, m.data));
    server.addEventListener('close', (e) => {
      try {
        server.close(e.code === 1005 ? 1000 : e.code, e.reason);
      } catch {
        // Already closed.
      }
    });
    return new Response(null, { status: 101, webSocket: client });
  })
  // A batch of published events, from a jobs runner before room events rode the feed's ticks
  // (migration 0032): each room's in one call to it, the rooms in parallel. A room that fails is
  // named in the answer, so only its events are sent again.
  .post('/internal/rooms/events', async (c) => {
    const { rooms } = await parsedBody(c, roomEventsPushSchema);
    const results = await Promise.all(
      rooms.map(async ({ warehouseId, events }) => {
        try {
          const sockets = await warehouseRoom(c.env, warehouseId).broadcastEvents(
            events.map(asRoomEvent(warehouseId)),
          );
          return { warehouseId, sockets };
        } catch (err) {
          c.var.log.error('room events failed', { warehouseId, err: String(err) });
          return { warehouseId, failed: true as const };
        }
      }),
    );
    return c.json({ rooms: results }, 200);
  })
  .post('/internal/warehouses/:id/events', async (c) => {
    const { id, type, occurredAt, data } = (await parsedBody(c, eventPushSchema)).event;
    const warehouseId = c.req.param('id');
    const sockets = await warehouseRoom(c.env, warehouseId).broadcastEvent({
      event: type,
      id,
      occurredAt,
      warehouseId,
      data,
    });
    return c.json({ sockets }, 200);
  })
  // The nightly consistency check (jobs/room-check.ts), and verify:invariants's read-only one.
  .post('/internal/warehouses/:id/reconcile', async (c) => {
    const { levels, force, repair } = await parsedBody(c, reconcileRequestSchema);
    const id = c.req.param('id');
    return c.json(await warehouseRoom(c.env, id).reconcile(id, levels, force, repair), 200);
  })
  .post('/internal/warehouses/:id/resync', async (c) => {
    const id = c.req.param('id');
    return c.json(await warehouseRoom(c.env, id).resync(id), 200);
  })
  .get('/internal/warehouses/:id/snapshot', async (c) => {
    const id = c.req.param('id');
    return c.json(await warehouseRoom(c.env, id).snapshot(id), 200);
  })
  /**
   * A change of who may hold room sockets (identity, through the jobs runner): every warehouse
   * room closes or re-scopes the sockets it concerns. Rooms are asked a few at a time.
   */
  .post('/internal/rooms/access', async (c) => {
    const change = await parsedBody(c, roomAccessChangeSchema);
    const request = { env: c.env, waitUntil: (p: Promise<unknown>) => c.executionCtx.waitUntil(p) };
    const warehouses = await warehouseDirectory(request);
    const total = { rooms: warehouses.length, closed: 0, rescoped: 0 };
    for (let i = 0; i < warehouses.length; i += ROOMS_AT_ONCE) {
      const results = await Promise.all(
        warehouses
          .slice(i, i + ROOMS_AT_ONCE)
          .map((w) => warehouseRoom(c.env, w.id).applyAccessChange(change)),
      );
      for (const r of results) {
        total.closed += r.closed;
        total.rescoped += r.rescoped;
      }
    }
    return c.json(total, 200);
  });
