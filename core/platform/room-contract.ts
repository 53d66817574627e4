/**
 * The contract of the live warehouse rooms, shared by the edge (the rooms, /internal/*), the
 * jobs runner (which feeds them) and clients (the dashboard, tests): what is pushed to a room,
 * what it answers, and what it sends to sockets. One zod schema each, parsed on both sides. No
 * Workers, Node or Bun imports: the edge bundles this file.
 */
import { z } from 'zod';

/** The most levels one push or reconcile call carries: the edge refuses more, senders split. */
export const LEVELS_PER_PUSH = 5000;

const sku = z.string().min(1).max(64);

/** One stock level as the room holds it, with the ledger version it reflects. */
export const roomLevelSchema = z.object({
  sku,
  onHand: z.number().int().min(0),
  reserved: z.number().int().min(0),
  available: z.number().int(),
  version: z.number().int().min(1),
});
export type RoomLevel = z.infer<typeof roomLevelSchema>;

export const roomSnapshotSchema = z.object({
  warehouseId: z.string(),
  version: z.number().int().min(0),
  levels: z.array(roomLevelSchema),
});
export type RoomSnapshot = z.infer<typeof roomSnapshotSchema>;

/**
 * A level as pushed to the room: available is derived, never trusted from the sender.
 * `fromVersion` is the version the change started from, so the room can tell that an earlier
 * push is still on its way.
 */
export const levelUpdateSchema = roomLevelSchema.omit({ available: true }).extend({
  fromVersion: z.number().int().min(0).optional(),
});
export type LevelUpdate = z.infer<typeof levelUpdateSchema>;

/** Levels for one room (the body of a reconcile call, and each room's part of a feed tick). */
export const levelPushSchema = z.object({ levels: z.array(levelUpdateSchema).max(LEVELS_PER_PUSH) });
/** What a push did: level changes applied, older than the room's, and kept for later. */
export const pushResultSchema = z.object({
  applied: z.number().int(),
  stale: z.number().int(),
  held: z.number().int(),
});
export type PushResult = z.infer<typeof pushResultSchema>;

/** The domain events a room passes on to its sockets: order, transfer and purchase order events. */
export const roomEventTypePattern = /^(order\.[a-z_]+|transfer\.updated|purchase_order\.updated)$/;

/** One order, transfer or purchase order event for a warehouse's room. */
export const roomEventPushSchema = z.object({
  id: z.string().min(1).max(100),
  type: z.string().regex(roomEventTypePattern),
  occurredAt: z.string().max(40),
  data: z.record(z.string(), z.unknown()),
});
export type RoomEventPush = z.infer<typeof roomEventPushSchema>;

/** The most events one feed tick carries (each is broadcast on its own, so fewer than levels). */
export const EVENTS_PER_TICK = 500;

/**
 * POST /internal/rooms/levels: one tick of the rooms' feed (jobs/room-feed.ts), the level
 * changes and the events of every room that has any, at most LEVELS_PER_PUSH levels and
 * EVENTS_PER_TICK events in all. A room broadcasts its events after its levels, in order.
 */
export const feedTickSchema = z.object({
  rooms: z
    .array(
      z
        .object({
          warehouseId: z.uuid(),
          levels: z.array(levelUpdateSchema).default([]),
          events: z.array(roomEventPushSchema).default([]),
        })
        .refine((room) => room.levels.length + room.events.length > 0, {
          message: 'a room in a tick brings a level or an event',
        }),
    )
    .min(1)
    .refine((rooms) => rooms.reduce((n, r) => n + r.levels.length, 0) <= LEVELS_PER_PUSH, {
      message: `at most ${LEVELS_PER_PUSH} levels in one tick`,
    })
    .refine((rooms) => rooms.reduce((n, r) => n + r.events.length, 0) <= EVENTS_PER_TICK, {
      message: `at most ${EVENTS_PER_TICK} events in one tick`,
    }),
});
export type FeedTick = z.input<typeof feedTickSchema>;
/**
 * Each room's result, in the order of the tick: its levels' push result and, with events, the
 * sockets they reached; or that the room failed (its rows are sent again; the other rooms'
 * are not, so their events are not broadcast twice).
 */
export const feedTickResultSchema = z.object({
  rooms: z.array(
    z.union([
      pushResultSchema.extend({ warehouseId: z.string(), sockets: z.number().int().optional() }),
      z.object({ warehouseId: z.string(), failed: z.literal(true) }),
    ]),
  ),
});
export type FeedTickResult = z.infer<typeof feedTickResultSchema>;

/**
 * GET /internal/rooms/feed (a WebSocket): the same ticks over one connection the jobs runner
 * keeps open (jobs/room-feed-socket.ts), so a tick costs the edge a message, not a request. Each
 * message is a tick with an id the runner chose; each answer carries that id, with the tick's
 * result or why the edge refused it (what POST /internal/rooms/levels answers with a 422).
 */
export const feedSocketTickSchema = feedTickSchema.extend({ id: z.number().int().min(0) });
export const feedSocketAnswerSchema = z.union([
  feedTickResultSchema.extend({ id: z.number().int() }),
  z.object({ id: z.number().int().nullable(), refused: z.string() }),
]);
export type FeedSocketAnswer = z.infer<typeof feedSocketAnswerSchema>;

/**
 * POST /internal/warehouses/:id/reconcile: Postgres's levels; `force` when read again and still
 * older. `repair: false` (bun run verify:invariants) only reports: `repaired` then lists what a
 * repairing call would have replaced, and the room is left as it was.
 */
export const reconcileRequestSchema = levelPushSchema.extend({
  force: z.boolean().default(false),
  repair: z.boolean().default(true),
});
export const reconcileResultSchema = z.object({
  repaired: z.array(z.object({ sku, had: roomLevelSchema.nullable(), now: roomLevelSchema })),
  ahead: z.array(z.string()),
});
export type ReconcileResult = z.infer<typeof reconcileResultSchema>;

/** POST /internal/warehouses/:id/events: one order, transfer or purchase order event of the warehouse. */
export const eventPushSchema = z.object({ event: roomEventPushSchema });
export type EventPush = z.infer<typeof eventPushSchema>;
export const eventPushResultSchema = z.object({ sockets: z.number().int() });

/** The most events one POST /internal/rooms/events carries: the edge refuses more. */
export const EVENTS_PER_PUSH = 500;

/**
 * POST /internal/rooms/events: a batch of published events, each room's in the order they were
 * recorded, at most EVENTS_PER_PUSH in all. Sent by jobs runners from before migration 0032
 * (room events now ride the feed's ticks); kept while such runners may still be running.
 */
export const roomEventsPushSchema = z.object({
  rooms: z
    .array(z.object({ warehouseId: z.uuid(), events: z.array(roomEventPushSchema).min(1) }))
    .min(1)
    .refine((rooms) => rooms.reduce((n, r) => n + r.events.length, 0) <= EVENTS_PER_PUSH, {
      message: `at most ${EVENTS_PER_PUSH} events in one push`,
    }),
});
export type RoomEventsPush = z.infer<typeof roomEventsPushSchema>;
/**
 * Each room's result, in the order of the push: how many sockets its events reached, or that
 * the room failed (its events are sent again; the others are not held up by it).
 */
export const roomEventsResultSchema = z.object({
  rooms: z.array(
    z.union([
      z.object({ warehouseId: z.string(), sockets: z.number().int() }),
      z.object({ warehouseId: z.string(), failed: z.literal(true) }),
    ]),
  ),
});
export type RoomEventsResult = z.infer<typeof roomEventsResultSchema>;

/**
 * A change to who may hold a live room socket, sent by identity in the same transaction as the
 * change and delivered to every warehouse room by the jobs runner (POST /internal/rooms/access).
 * `ended`: the credential is gone (a user disabled or signed out everywhere, a session logged
 * out, API keys revoked): the matching sockets close with 4401. `rescoped`: a user's roles or
 * warehouses changed: each room asks the policy again and closes with 4403 the sockets that
 * lost the right.
 */
export const roomAccessChangeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ended'),
    reason: z.enum(['disabled', 'signed_out', 'session_ended', 'key_revoked']),
    userId: z.uuid().optional(),
    sessionId: z.uuid().optional(),
    apiKeyIds: z.array(z.uuid()).max(1000).default([]),
  }),
  z.object({
    kind: z.literal('rescoped'),
    userId: z.uuid(),
    roles: z.array(z.string().max(40)).max(20),
    warehouseIds: z.array(z.uuid()).max(10_000),
  }),
]);
export type RoomAccessChange = z.infer<typeof roomAccessChangeSchema>;
export const roomAccessResultSchema = z.object({
  rooms: z.number().int(),
  closed: z.number().int(),
  rescoped: z.number().int(),
});

/** Past this many skus in one purge, dropping everything is cheaper than naming them. */
export const MAX_NAMED_SKUS = 1_000;

/**
 * POST /internal/catalog/purge: what changed in the catalog, so the edge drops only the cached
 * reads it may have made wrong (core/catalog/catalog-changes.ts, edge/catalog-generation.ts).
 * No body is `{ scope: 'all' }` (a jobs runner from before per-product purges).
 */
export const catalogChangeSchema = z.union([
  /** Everything: the warehouse list, every product, every list and barcode. */
  z.object({ scope: z.literal('all') }),
  z.object({
    scope: z.literal('products'),
    /** Skus created, updated or archived. */
    skus: z.array(z.string().min(1).max(200)).min(1).max(MAX_NAMED_SKUS),
    /** The barcodes those products carry now (a scan of one of them answers with the product). */
    barcodes: z.array(z.string().min(1).max(200)).max(MAX_NAMED_SKUS),
    /**
     * A product's barcode changed (or may have): the old code is not known, so every barcode read
     * is dropped. Rare next to price and name edits.
     */
    barcodeMoved: z.boolean(),
  }),
]);
export type CatalogChange = z.infer<typeof catalogChangeSchema>;

/** POST /internal/catalog/purge: the catalog generation the edge moved to. */
export const catalogPurgeResultSchema = z.object({ generation: z.number().int() });

/** An order or transfer event of this warehouse, as the domain event carried it. */
export const roomEventSchema = z.object({
  type: z.literal('event'),
  event: z.string(),
  id: z.string(),
  occurredAt: z.string(),
  warehouseId: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type RoomEvent = z.infer<typeof roomEventSchema>;

/** What the room sends to a socket: parsed by clients (the dashboard, tests) with this schema. */
export const roomMessageSchema = z.discriminatedUnion('type', [
  roomSnapshotSchema.extend({ type: z.literal('snapshot') }),
  roomLevelSchema.extend({ type: z.literal('stock'), warehouseId: z.string(), seq: z.number().int() }),
  roomEventSchema,
  z.object({ type: z.literal('auth'), expiresAt: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() }),
  // The runtime's answer to {"type":"ping"}, sent without waking the room.
  z.object({ type: z.literal('pong') }),
]);
export type RoomMessage = z.infer<typeof roomMessageSchema>;

/**
 * The most skus one socket may watch (`?skus=` at the upgrade, or a `watch` message). The list
 * lives in the socket's attachment, which the runtime caps at 2,048 bytes with the rest of its
 * state (edge/room-rules.ts): 20 skus of 64 characters fit with room to spare (tested).
 */
export const MAX_WATCHED_SKUS = 20;

/** A sku as the catalog spells them (letters, digits, `.`, `_`, `-`), any case. */
const watchedSku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not a sku');

/**
 * The skus a socket watches: its snapshots and resumes hold only their levels, and it gets
 * `stock` messages only for them (events are not filtered). Matched regardless of case, as skus are.
 */
export const watchedSkusSchema = z
  .array(watchedSku)
  .max(MAX_WATCHED_SKUS, `at most ${MAX_WATCHED_SKUS} skus`)
  .transform((skus) => [...new Set(skus.map((s) => s.toLowerCase()))]);

/**
 * What a client may send. `since` is the last `version` (snapshot) or `seq` (stock) it saw;
 * `auth` carries a fresh access token of the same session before the socket's one expires;
 * `watch` replaces the skus the socket watches (null: every sku) and is answered with a
 * snapshot of them.
 */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resume'), since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
  z.object({ type: z.literal('auth'), token: z.string().min(1) }),
  z.object({ type: z.literal('watch'), skus: watchedSkusSchema.nullable() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Parses a client's message: the message, or why it is not one (its first issue, by path). */
export function parseClientMessage(raw: string): { message: ClientMessage } | { problem: string } {
  try {
    const parsed = clientMessageSchema.safeParse(JSON.parse(raw));
    if (parsed.success) return { message: parsed.data };
    const issue = parsed.error.issues[0];
    return { problem: issue ? `${issue.path.join('.') || '(message)'}: ${issue.message}` : 'not a message' };
  } catch {
    return { problem: 'not JSON' };
  }
}

/** Close codes a room uses: the credential is gone or expired; the right to the room was lost; abuse. */
export const closeCodes = { credentialGone: 4401, rightLost: 4403, policyViolation: 1008 } as const;
