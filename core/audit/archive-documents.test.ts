/**
 * The MongoDB copy without a server (none can be installed here): the documents, the upserts
 * that make a replay harmless, the cursors, the indexes; and, on real Postgres, the commit-safe
 * order the event stream is read in.
 */
import { describe, expect, test } from 'bun:test';
import { useTestDatabase } from '../../test/harness/database.ts';
import { archiveEvent } from '../integrations/event-archive.ts';
import type { ArchivedEventRow } from '../integrations/event-archive-reads.ts';
import { readEventsToCopy } from '../integrations/event-archive-reads.ts';
import {
  archiveIndexes,
  auditDocument,
  type ChainedEntryRow,
  eventDocument,
  nextAuditCursor,
  nextEventCursor,
  upserts,
} from './archive-documents.ts';

const event: ArchivedEventRow = {
  id: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  type: 'order.created',
  occurredAt: '2026-01-15T09:30:00.000Z',
  archivedAt: '2026-01-15T09:30:01.000Z',
  warehouseId: null,
  data: { orderId: 'o1' },
  requestId: 'req-12345678',
  position: { txid: '812', id: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' },
};

const entry: ChainedEntryRow = {
  id: '42',
  position: 40,
  at: '2026-01-15T09:30:00.123Z',
  actor: { kind: 'user', id: 'u-1', roles: ['admin'], ip: '203.0.113.7', userAgent: 'x' },
  action: 'update',
  entityType: 'order',
  entityId: 'o1',
  changes: { status: { before: 'pending', after: 'cancelled' } },
  requestId: 'req-12345678',
  warehouseIds: ['w1'],
  hash: 'a'.repeat(64),
  prevHash: 'b'.repeat(64),
};

describe('documents', () => {
  test('an event keyed by its id, with dates as dates (what the TTL index reads)', () => {
    const doc = eventDocument(event);
    expect(doc).toEqual({
      _id: event.id,
      type: 'order.created',
      warehouseId: null,
      data: { orderId: 'o1' },
      requestId: 'req-12345678',
      occurredAt: new Date('2026-01-15T09:30:00.000Z'),
      archivedAt: new Date('2026-01-15T09:30:01.000Z'),
    });
    expect(doc).not.toHaveProperty('position');
  });

  test('an audit entry keyed by its id, carrying its place and hashes in the chain', () => {
    const doc = auditDocument(entry);
    expect(doc._id).toBe('42');
    expect(doc.at).toEqual(new Date('2026-01-15T09:30:00.123Z'));
    expect(doc).toMatchObject({ position: 40, actorId: 'u-1', hash: entry.hash, prevHash: entry.prevHash });
    expect(auditDocument({ ...entry, actor: { kind: 'system' } }).actorId).toBeNull();
  });

  test('writes are upserts by _id: the same batch twice is the same operations, replacing not adding', () => {
    const docs = [eventDocument(event)];
    const ops = upserts(docs);
    expect(ops).toEqual([{ replaceOne: { filter: { _id: event.id }, replacement: docs[0]!, upsert: true } }]);
    expect(upserts([eventDocument(event)])).toEqual(ops);
  });
});

describe('cursors', () => {
  test('each stream resumes after the last row of its batch; an empty batch leaves it', () => {
    expect(nextEventCursor([event])).toEqual({ _id: 'events', after: event.position });
    expect(nextAuditCursor([{ ...entry, position: 39 }, entry])).toEqual({ _id: 'audit', after: 40 });
    expect(nextEventCursor([])).toBeUndefined();
    expect(nextAuditCursor([])).toBeUndefined();
  });
});

describe('indexes', () => {
  test('a TTL on events of the configured days; audit entries are never expired', () => {
    const indexes = archiveIndexes(30);
    expect(indexes.events.find((i) => 'expireAfterSeconds' in i)).toMatchObject({
      key: { occurredAt: 1 },
      expireAfterSeconds: 30 * 86_400,
    });
    expect(indexes.audit.some((i) => 'expireAfterSeconds' in i)).toBe(false);
    expect(indexes.audit.map((i) => i.key)).toContainEqual({ entityType: 1, entityId: 1, at: -1 });
  });
});

describe('reading the event archive to copy (Postgres)', () => {
  const database = useTestDatabase('archive');

  const newEvent = () => ({
    id: crypto.randomUUID(),
    type: 'order.created' as const,
    occurredAt: new Date().toISOString(),
    warehouseId: null,
    data: {},
    requestId: null,
  });

  test('pages by cursor, and an event archived by an older, slower transaction is not skipped', async () => {
    const { db, pool } = database();
    const first = newEvent();
    await archiveEvent(db, first);
    const slow = await pool.connect();
    try {
      await slow.query('begin');
      const late = newEvent();
      await slow.query(
        `insert into integrations.event_archive (id, type, data, occurred_at) values ($1, $2, '{}', now())`,
        [late.id, late.type],
      );
      const quick = newEvent();
      await archiveEvent(db, quick);
      const page1 = await readEventsToCopy(pool, null, 10);
      // The quick one committed, but an older transaction is still open: it waits.
      expect(page1.map((e) => e.id)).toEqual([first.id]);
      await slow.query('commit');
      const page2 = await readEventsToCopy(pool, page1.at(-1)!.position, 10);
      expect(page2.map((e) => e.id)).toEqual([late.id, quick.id]);
      expect(await readEventsToCopy(pool, page2.at(-1)!.position, 10)).toEqual([]);
    } finally {
      slow.release();
    }
  });
});
