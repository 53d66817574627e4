import { archiveEvents } from '../../core/integrations/event-archive.ts';
import type { DomainEvent } from '../../core/platform/events.ts';
import { isSaneRequestId } from '../../core/platform/request-id.ts';
import { roomEventTypePattern } from '../../core/platform/room-contract.ts';
import { queueDeliveries } from '../../core/webhooks/delivery-queue.ts';
import type { EdgeClient } from '../edge-client.ts';
import { type BatchFailure, defineBatchTask } from '../task.ts';

/** Order, transfer and purchase order events go to their warehouse's live room (stock arrives on its own feed). */
const forRooms = (event: DomainEvent) => event.warehouseId !== null && roomEventTypePattern.test(event.type);

/** The batch without repeats of an event (a redelivery added beside it), in its order. */
function distinct(events: DomainEvent[]): DomainEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => !seen.has(e.id) && seen.add(e.id));
}

/**
 * Publishes a batch of domain events (one job carries what was recorded while the workers were
 * busy; see platform.add_events, migration 0030): to the archive in one insert (idempotent: the
 * event id is its key), to the webhook subscriptions that want them with one read of the
 * subscriptions (one delivery each, once per event and subscription: a retry writes nothing
 * new) and, for order, transfer and purchase order events, to their warehouses' rooms at the
 * edge in one call. The events of a room that failed are queued again (jobs/task.ts); a failed
 * archive or delivery write retries the whole batch, which archives and queues nothing twice.
 */
export const publishEvent = defineBatchTask('publish-event', async (batch, { db, log, edge }) => {
  const events = distinct(batch);
  const archived = await archiveEvents(db, events);
  const webhooks = await queueDeliveries(db, events);
  // At debug: under load a line per event outnumbers the request lines, and the archive keeps
  // every event with its request id anyway. Not even built at the default level.
  if (log.enables('debug'))
    for (const e of events)
      log.debug('event published', {
        eventId: e.id,
        type: e.type,
        duplicate: !archived.has(e.id),
        requestId: e.requestId && isSaneRequestId(e.requestId) ? e.requestId : undefined,
      });
  if (webhooks > 0) log.debug('webhook deliveries queued', { deliveries: webhooks, events: events.length });
  return edge ? pushToRooms(edge, events.filter(forRooms)) : [];
});

/** The room events, each warehouse's together and in order; the events of rooms that failed. */
async function pushToRooms(edge: EdgeClient, events: DomainEvent[]): Promise<BatchFailure<DomainEvent>[]> {
  if (events.length === 0) return [];
  const byRoom = new Map<string, DomainEvent[]>();
  for (const e of events) {
    const room = e.warehouseId as string;
    byRoom
      .set(room, byRoom.get(room) ?? [])
      .get(room)
      ?.push(e);
  }
  const failed = await edge.pushEvents(
    [...byRoom].map(([warehouseId, list]) => ({
      warehouseId,
      events: list.map(({ id, type, occurredAt, data }) => ({ id, type, occurredAt, data })),
    })),
  );
  // A room named by several calls' answers is one failure.
  const reasons = new Map(failed.map((f) => [f.warehouseId, f.reason]));
  return [...reasons].flatMap(([warehouseId, reason]) =>
    (byRoom.get(warehouseId) ?? []).map((item) => ({
      item,
      error: new Error(`room ${warehouseId}: ${reason}`),
    })),
  );
}
