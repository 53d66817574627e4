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

/** Where a copy of the archive has got to: the last (transaction, id) it has. */
export interface ArchivePosition {
  txid: string;
  id: string;
}

export interface ArchivedEventRow extends DomainEvent {
  archivedAt: string;
  position: ArchivePosition;
}

/**
 * Archived events after `after`, in commit-safe order: by (archiving transaction, id), and only
 * from transactions older than every one still running, so an event archived late is never
 * behind a position already copied (the order core/audit/chain.ts uses, for the same reason).
 */
export async function readEventsToCopy(
  client: SqlClient,
  after: ArchivePosition | null,
  limit: number,
): Promise<ArchivedEventRow[]> {
  const { rows } = await client.query(
    `select id, type, warehouse_id, data, request_id, occurred_at, archived_at,
            coalesce(archived_txid, '0'::xid8)::text as txid
       from integrations.event_archive
      where coalesce(archived_txid, '0'::xid8) < pg_snapshot_xmin(pg_current_snapshot())
        and ($1::xid8 is null or (coalesce(archived_txid, '0'::xid8), id) > ($1::xid8, $2::uuid))
      order by coalesce(archived_txid, '0'::xid8), id
      limit $3`,
    [after?.txid ?? null, after?.id ?? null, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    type: r.type as DomainEvent['type'],
    occurredAt: new Date(r.occurred_at as string | Date).toISOString(),
    archivedAt: new Date(r.archived_at as string | Date).toISOString(),
    warehouseId: (r.warehouse_id as string | null) ?? null,
    data: r.data as Record<string, unknown>,
    requestId: (r.request_id as string | null) ?? null,
    position: { txid: String(r.txid), id: String(r.id) },
  }));
}
