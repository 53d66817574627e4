/**
 * Copies the event archive and the chained audit log to MongoDB (MONGODB_URL; the job
 * archive-to-mongodb, every minute). Postgres stays the source of truth: the copy is for
 * reporting and for keeping the audit chain's hashes somewhere else too. Each stream writes a
 * batch (upserts by id), then moves its cursor (kept in MongoDB beside the copy, so a wiped copy
 * starts again from the beginning); a crash in between writes the batch again, harmlessly.
 */
import { type Db, MongoClient, MongoServerError } from 'mongodb';
import { readEventsToCopy } from '../integrations/event-archive-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import {
  ARCHIVE_COLLECTIONS,
  type ArchiveCursor,
  type AuditDocument,
  archiveIndexes,
  auditDocument,
  type ChainedEntryRow,
  EVENT_TTL_INDEX,
  type EventDocument,
  eventDocument,
  nextAuditCursor,
  nextEventCursor,
  upserts,
} from './archive-documents.ts';

export interface MongoArchiveSettings {
  url: string;
  database: string;
  eventTtlDays: number;
  batch?: number;
}

/** Chained audit entries after a chain position, in chain order, with their hashes. */
export async function readChainedEntries(
  client: SqlClient,
  afterPosition: number,
  limit: number,
): Promise<ChainedEntryRow[]> {
  const { rows } = await client.query(
    `select e.id::text as id, c.position, e.at, e.actor, e.action, e.entity_type, e.entity_id, e.changes,
            e.request_id, e.warehouse_ids::text[] as warehouse_ids, c.hash, c.prev_hash
       from audit.chain c join audit.entries e on e.id = c.entry_id
      where c.position > $1 order by c.position limit $2`,
    [afterPosition, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    position: Number(r.position),
    at: new Date(r.at as string | Date).toISOString(),
    actor: r.actor as Record<string, unknown>,
    action: String(r.action),
    entityType: String(r.entity_type),
    entityId: String(r.entity_id),
    changes: r.changes as Record<string, unknown>,
    requestId: (r.request_id as string | null) ?? null,
    warehouseIds: (r.warehouse_ids as string[]) ?? [],
    hash: String(r.hash),
    prevHash: String(r.prev_hash),
  }));
}

/**
 * The indexes, made once per process. A changed TTL (MONGODB_EVENT_TTL_DAYS) is applied to the
 * existing index with collMod: createIndexes refuses to change an index's options.
 */
export async function ensureArchiveIndexes(db: Db, eventTtlDays: number): Promise<void> {
  for (const [collection, indexes] of Object.entries(archiveIndexes(eventTtlDays))) {
    try {
      await db.collection(collection).createIndexes(indexes.map((i) => ({ ...i })));
    } catch (err) {
      if (!(err instanceof MongoServerError) || err.codeName !== 'IndexOptionsConflict') throw err;
      await db.command({
        collMod: ARCHIVE_COLLECTIONS.events,
        index: { name: EVENT_TTL_INDEX, expireAfterSeconds: eventTtlDays * 86_400 },
      });
    }
  }
}

async function cursorOf<C extends ArchiveCursor>(db: Db, id: C['_id']): Promise<C['after'] | undefined> {
  const found = await db.collection<ArchiveCursor>(ARCHIVE_COLLECTIONS.cursors).findOne({ _id: id });
  return found?.after as C['after'] | undefined;
}

async function moveCursor(db: Db, cursor: ArchiveCursor | undefined): Promise<void> {
  if (!cursor) return;
  await db
    .collection<ArchiveCursor>(ARCHIVE_COLLECTIONS.cursors)
    .replaceOne({ _id: cursor._id }, cursor, { upsert: true });
}

/** Copies what waits in both streams, a batch at a time; how many documents of each. */
export async function copyToMongo(
  pg: SqlClient,
  db: Db,
  batch = 500,
): Promise<{ events: number; audit: number }> {
  const copied = { events: 0, audit: 0 };
  for (;;) {
    const after = await cursorOf<Extract<ArchiveCursor, { _id: 'events' }>>(db, 'events');
    const rows = await readEventsToCopy(pg, after ?? null, batch);
    if (rows.length > 0)
      await db
        .collection<EventDocument>(ARCHIVE_COLLECTIONS.events)
        .bulkWrite(upserts(rows.map(eventDocument)), { ordered: false });
    await moveCursor(db, nextEventCursor(rows));
    copied.events += rows.length;
    if (rows.length < batch) break;
  }
  for (;;) {
    const after = await cursorOf<Extract<ArchiveCursor, { _id: 'audit' }>>(db, 'audit');
    const rows = await readChainedEntries(pg, after ?? 0, batch);
    if (rows.length > 0)
      await db
        .collection<AuditDocument>(ARCHIVE_COLLECTIONS.audit)
        .bulkWrite(upserts(rows.map(auditDocument)), { ordered: false });
    await moveCursor(db, nextAuditCursor(rows));
    copied.audit += rows.length;
    if (rows.length < batch) break;
  }
  return copied;
}

/** One connected archive per process: the driver pools its own connections. */
export class MongoArchive {
  private connected?: Promise<Db>;

  constructor(private readonly settings: MongoArchiveSettings) {}

  private db(): Promise<Db> {
    this.connected ??= (async () => {
      const client = await new MongoClient(this.settings.url, { appName: 'varastokkr-archive' }).connect();
      const db = client.db(this.settings.database);
      await ensureArchiveIndexes(db, this.settings.eventTtlDays);
      this.close = () => client.close();
      return db;
    })().catch((err) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  close: () => Promise<void> = async () => {};

  async copy(pg: SqlClient): Promise<{ events: number; audit: number }> {
    return copyToMongo(pg, await this.db(), this.settings.batch);
  }
}
