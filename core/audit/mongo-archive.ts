/**
 * Copies the event archive and the chained audit log to MongoDB (MONGODB_URL; the job
 * archive-to-mongodb, every minute). Postgres stays the source of truth: the copy is for
 * reporting and for keeping the audit chain's hashes somewhere else too. Each stream writes a
 * batch (upserts by id), then moves its cursor (kept in MongoDB beside the copy, so a wiped copy
 * starts again from the beginning); a crash in between writes the batch again, harmlessly.
 */
import { type Db, MongoClient, MongoServerError } from 'mongodb';
import { type ArchivePosition, readEventsToCopy } from '../integrations/event-archive-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import {
  ARCHIVE_COLLECTIONS,
  type ArchiveCursor,
  archiveIndexes,
  auditDocument,
  type ChainedEntryRow,
  EVENT_TTL_INDEX,
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

/** One stream of the copy: where it reads, what it writes, how its cursor moves. */
interface Stream<R> {
  id: ArchiveCursor['_id'];
  collection: string;
  read(after: ArchiveCursor['after'] | undefined): Promise<R[]>;
  document(row: R): { _id: string };
  next(rows: readonly R[]): ArchiveCursor | undefined;
}

async function copyStream<R>(db: Db, stream: Stream<R>, batch: number): Promise<number> {
  const cursors = db.collection<ArchiveCursor>(ARCHIVE_COLLECTIONS.cursors);
  let copied = 0;
  for (;;) {
    const rows = await stream.read((await cursors.findOne({ _id: stream.id }))?.after);
    if (rows.length > 0)
      await db
        .collection<{ _id: string }>(stream.collection)
        .bulkWrite(upserts(rows.map(stream.document)), { ordered: false });
    const next = stream.next(rows);
    if (next) await cursors.replaceOne({ _id: next._id }, next, { upsert: true });
    copied += rows.length;
    if (rows.length < batch) return copied;
  }
}

/** Copies what waits in both streams, a batch at a time; how many documents of each. */
export async function copyToMongo(
  pg: SqlClient,
  db: Db,
  batch = 500,
): Promise<{ events: number; audit: number }> {
  const events = await copyStream(
    db,
    {
      id: 'events',
      collection: ARCHIVE_COLLECTIONS.events,
      read: (after) => readEventsToCopy(pg, (after as ArchivePosition | undefined) ?? null, batch),
      document: eventDocument,
      next: nextEventCursor,
    },
    batch,
  );
  const audit = await copyStream(
    db,
    {
      id: 'audit',
      collection: ARCHIVE_COLLECTIONS.audit,
      read: (after) => readChainedEntries(pg, (after as number | undefined) ?? 0, batch),
      document: auditDocument,
      next: nextAuditCursor,
    },
    batch,
  );
  return { events, audit };
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
