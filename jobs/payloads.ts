import { z } from 'zod';

/**
 * The contract between the services that enqueue jobs (inside their transactions) and the
 * tasks that run them: one zod schema per task, parsed again when the job arrives.
 */
export const eventTypes = [
  'product.created',
  'product.updated',
  'product.archived',
  'stock.changed',
  'stock.low',
  'order.created',
  'order.confirmed',
  'order.updated',
  'order.cancelled',
  'order.shipped',
  'order.delivered',
  'transfer.updated',
  'purchase_order.updated',
  'warehouse.created',
] as const;
export type EventType = (typeof eventTypes)[number];

export const domainEventSchema = z.object({
  id: z.uuid(),
  type: z.enum(eventTypes),
  occurredAt: z.iso.datetime({ offset: true }),
  warehouseId: z.uuid().nullable(),
  data: z.record(z.string(), z.unknown()),
  requestId: z.string().nullable(),
});
export type DomainEvent = z.infer<typeof domainEventSchema>;

/**
 * A change to who may hold a live room socket, sent by identity in the same transaction as the
 * change and delivered to every warehouse room by the jobs runner. `ended`: the credential is
 * gone (a user disabled or signed out everywhere, a session logged out, API keys revoked): the
 * matching sockets close with 4401. `rescoped`: a user's roles or warehouses changed: each room
 * asks the policy again and closes with 4403 the sockets that lost the right.
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

export const taskPayloads = {
  'publish-event': domainEventSchema,
  'prune-event-archive': z.object({}).passthrough(),
  'rotate-signing-keys': z.object({}).passthrough(),
  'purge-edge-catalog': z.object({}).passthrough(),
  'prune-identity': z.object({}).passthrough(),
  'settle-order': z.object({ orderId: z.uuid() }),
  'allocate-backorders': z.object({}).passthrough(),
  'expire-holds': z.object({}).passthrough(),
  'detect-low-stock': z.object({}).passthrough(),
  'check-warehouse-rooms': z.object({}).passthrough(),
  'prune-idempotency-keys': z.object({}).passthrough(),
  'prune-failed-jobs': z.object({}).passthrough(),
  'expire-reservations': z.object({}).passthrough(),
  'expire-transfers': z.object({}).passthrough(),
  'recheck-room-sockets': roomAccessChangeSchema,
  'push-warehouse-levels': z.object({
    warehouseId: z.uuid(),
    levels: z.array(
      z.object({
        sku: z.string(),
        onHand: z.number().int(),
        reserved: z.number().int(),
        version: z.number().int(),
        fromVersion: z.number().int().optional(),
      }),
    ),
  }),
} as const;

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskName> = z.infer<(typeof taskPayloads)[T]>;
