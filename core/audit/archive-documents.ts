/**
 * The MongoDB copy's documents and writes, as plain data (core/audit/mongo-archive.ts sends them
 * with the driver): one document per event and per chained audit entry, keyed by its Postgres id
 * so writing it again replaces it with itself (replays are harmless); the indexes for the common
 * questions; and the cursor each stream resumes from.
 */
import type { ArchivedEventRow, ArchivePosition } from '../integrations/event-archive-reads.ts';

export const ARCHIVE_COLLECTIONS = { events: 'events', audit: 'audit', cursors: 'archive_cursors' } as const;

export interface EventDocument {
  _id: string;
  type: string;
  warehouseId: string | null;
  data: Record<string, unknown>;
  requestId: string | null;
  occurredAt: Date;
  archivedAt: Date;
}

/** A chained audit entry as the copy reads it (core/audit/mongo-archive.ts). */
export interface ChainedEntryRow {
  id: string;
  position: number;
  at: string;
  actor: Record<string, unknown>;
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, unknown>;
  requestId: string | null;
  warehouseIds: string[];
  hash: string;
  prevHash: string;
}

export interface AuditDocument extends Omit<ChainedEntryRow, 'id' | 'at'> {
  _id: string;
  at: Date;
  actorId: string | null;
}

export const eventDocument = (e: ArchivedEventRow): EventDocument => ({
  _id: e.id,
  type: e.type,
  warehouseId: e.warehouseId,
  data: e.data,
  requestId: e.requestId,
  occurredAt: new Date(e.occurredAt),
  archivedAt: new Date(e.archivedAt),
});

export const auditDocument = ({ id, at, ...rest }: ChainedEntryRow): AuditDocument => ({
  _id: id,
  at: new Date(at),
  actorId: typeof rest.actor.id === 'string' ? rest.actor.id : null,
  ...rest,
});

/** Upserts by _id: a document written twice is the same document. */
export function upserts<D extends { _id: string }>(docs: readonly D[]) {
  return docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } }));
}

/** Where each stream resumes: events by (transaction, id), audit entries by chain position. */
export type ArchiveCursor = { _id: 'events'; after: ArchivePosition } | { _id: 'audit'; after: number };

export function nextEventCursor(rows: readonly ArchivedEventRow[]): ArchiveCursor | undefined {
  const last = rows.at(-1);
  return last ? { _id: 'events', after: last.position } : undefined;
}

export function nextAuditCursor(rows: readonly ChainedEntryRow[]): ArchiveCursor | undefined {
  const last = rows.at(-1);
  return last ? { _id: 'audit', after: last.position } : undefined;
}

export const EVENT_TTL_INDEX = 'occurredAt_ttl';

/** The indexes each collection gets (createIndexes at start): what is asked of an archive. */
export function archiveIndexes(eventTtlDays: number) {
  return {
    [ARCHIVE_COLLECTIONS.events]: [
      { key: { occurredAt: 1 }, name: EVENT_TTL_INDEX, expireAfterSeconds: eventTtlDays * 86_400 },
      { key: { type: 1, occurredAt: -1 }, name: 'type_occurredAt' },
      { key: { warehouseId: 1, occurredAt: -1 }, name: 'warehouseId_occurredAt' },
      { key: { requestId: 1 }, name: 'requestId' },
    ],
    [ARCHIVE_COLLECTIONS.audit]: [
      { key: { entityType: 1, entityId: 1, at: -1 }, name: 'entity_at' },
      { key: { actorId: 1, at: -1 }, name: 'actorId_at' },
      { key: { warehouseIds: 1, at: -1 }, name: 'warehouseIds_at' },
      { key: { at: -1 }, name: 'at' },
      { key: { position: 1 }, name: 'position', unique: true },
    ],
  } as const;
}
