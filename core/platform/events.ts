import { z } from 'zod';
import { type CatalogChange, catalogChangeSchema, roomAccessChangeSchema } from './room-contract.ts';

/**
 * The contract between the services that enqueue jobs (inside their transactions, through
 * outbox.ts) and the tasks in jobs/ that run them: the domain events, and one zod schema per
 * task, parsed again when the job arrives. It lives in core so core never imports jobs/.
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
  /** A webhook subscription was disabled (its receiver failed for days, or answered 410). */
  'webhook.disabled',
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
 * Batch tasks: a job's payload is an array of items: for publish-event, the events of many
 * statements, moved from the outbox in one job (platform.move_waiting_events, migrations 0032 and
 * 0034: when webhooks may want them); for
 * others, what graphile-worker concatenated when more were added under the job's key while it waited.
 * A single item is what jobs queued by earlier versions carry. Each item is parsed on its own
 * (jobs/task.ts defineBatchTask), so one bad item never holds up the others.
 */
export const batchTaskItems = {
  'publish-event': domainEventSchema,
  // What changed in the catalog; `{}`, from a core before per-product purges, asked for everything.
  'purge-edge-catalog': z.union([
    catalogChangeSchema,
    z
      .object({})
      .strict()
      .transform((): CatalogChange => ({ scope: 'all' })),
  ]),
} as const;
export type BatchTaskName = keyof typeof batchTaskItems;
export type BatchItem<T extends BatchTaskName> = z.infer<(typeof batchTaskItems)[T]>;

const batchOf = <S extends z.ZodType>(item: S) => z.union([z.array(item), item]);

export const taskPayloads = {
  'publish-event': batchOf(batchTaskItems['publish-event']),
  'prune-event-archive': z.object({}).passthrough(),
  'rotate-signing-keys': z.object({}).passthrough(),
  'purge-edge-catalog': batchOf(batchTaskItems['purge-edge-catalog']),
  'prune-identity': z.object({}).passthrough(),
  'settle-order': z.object({ orderId: z.uuid() }),
  'allocate-backorders': z.object({}).passthrough(),
  'expire-holds': z.object({}).passthrough(),
  'detect-low-stock': z.object({}).passthrough(),
  'check-warehouse-rooms': z.object({}).passthrough(),
  'prune-idempotency-keys': z.object({}).passthrough(),
  'prune-level-feed': z.object({}).passthrough(),
  'prune-failed-jobs': z.object({}).passthrough(),
  'expire-reservations': z.object({}).passthrough(),
  'expire-transfers': z.object({}).passthrough(),
  /** Purchasing's replenishment: on its schedule, and enqueued with every stock.low. */
  replenish: z.object({ warehouseIds: z.array(z.uuid()).nullable().optional() }).passthrough(),
  /** Enqueued by identity with the change (see room-contract.ts). */
  'recheck-room-sockets': roomAccessChangeSchema,
  /**
   * Sends what is due of one subscription's webhook deliveries (core/webhooks); a delivery id is
   * what the jobs of earlier versions carry (its subscription is woken).
   */
  'deliver-webhook': z.union([z.object({ subscriptionId: z.uuid() }), z.object({ deliveryId: z.uuid() })]),
  /** A shop's order delivery, stored by its receiver (core/integrations/receiving.ts). */
  'ingest-order': z.object({ connectionId: z.uuid(), deliveryId: z.string().min(1) }),
  /** Cron: the audit entries written since its last run, appended to the hash chain (core/audit). */
  'chain-audit': z.object({}).passthrough(),
  /** Cron: events and chained audit entries copied to MongoDB, when MONGODB_URL is set. */
  'archive-to-mongodb': z.object({}).passthrough(),
  /** Analytics' daily facts catch up with the ledger (core/analytics/rollup.ts); every minute. */
  'rollup-analytics': z.object({}).passthrough(),
} as const;

export type TaskName = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskName> = z.infer<(typeof taskPayloads)[T]>;
