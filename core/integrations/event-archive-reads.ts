/**
 * Integrations' reads of its event archive for other services, as plain SQL any driver runs:
 * a webhook replay (core/webhooks) sends again what the archive kept, without reading
 * integrations' tables itself.
 */
import type { DomainEvent } from '../platform/events.ts';
import type { SqlClient } from '../platform/sql-client.ts';

/**
 * Archived events that occurred in [from, to), oldest first, of these types (null: every type),
 * at most `limit`.
 */
export async function readArchivedEvents(
  client: SqlClient,
  range: { from: Date; to: Date; types: readonly string[] | null; limit: number },
): Promise<DomainEvent[]> {
  const { rows } = await client.query(
    `select id, type, warehouse_id, data, request_id, occurred_at
       from integrations.event_archive
      where occurred_at >= $1 and occurred_at < $2 and ($3::text[] is null or type = any($3::text[]))
      order by occurred_at, id
      limit $4`,
    [range.from.toISOString(), range.to.toISOString(), range.types ? [...range.types] : null, range.limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    type: r.type as DomainEvent['type'],
    occurredAt: new Date(r.occurred_at as string | Date).toISOString(),
    warehouseId: (r.warehouse_id as string | null) ?? null,
    data: r.data as Record<string, unknown>,
    requestId: (r.request_id as string | null) ?? null,
  }));
}
