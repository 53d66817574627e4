/**
 * The MongoDB copy against a real server: only when MONGODB_URL is set (no server can be
 * installed on these machines; Debian does not package one). Without it this file reports one
 * skipped test saying so. With it: indexes made, both streams copied, a second run copies
 * nothing new and a replay from scratch changes nothing.
 */
import { describe, expect, test } from 'bun:test';
import { MongoClient } from 'mongodb';
import { useTestDatabase } from '../../test/harness/database.ts';
import { archiveEvent } from '../integrations/event-archive.ts';
import { ARCHIVE_COLLECTIONS } from './archive-documents.ts';
import { chainAuditEntries } from './chain.ts';
import { copyToMongo, ensureArchiveIndexes } from './mongo-archive.ts';

const url = process.env.MONGODB_URL;
const reason =
  'MONGODB_URL is not set: no MongoDB server here, so the copy runs only against one you provide';

describe('the MongoDB archive', () => {
  if (!url) {
    test.skip(`skipped: ${reason}`, () => {});
    return;
  }
  const database = useTestDatabase('mongo');

  test('copies events and chained audit entries; replays change nothing', async () => {
    const { db, pool } = database();
    const mongo = await new MongoClient(url).connect();
    const target = mongo.db(`varastokkr_test_${crypto.randomUUID().slice(0, 8)}`);
    try {
      await ensureArchiveIndexes(target, 7);
      await ensureArchiveIndexes(target, 14); // a changed TTL is applied, not refused
      const ttl = (await target.collection(ARCHIVE_COLLECTIONS.events).indexes()).find(
        (i) => i.name === 'occurredAt_ttl',
      );
      expect(ttl?.expireAfterSeconds).toBe(14 * 86_400);
      for (let i = 0; i < 3; i++)
        await archiveEvent(db, {
          id: crypto.randomUUID(),
          type: 'order.created',
          occurredAt: new Date().toISOString(),
          warehouseId: null,
          data: { i },
          requestId: null,
        });
      await pool.query(`insert into purchasing.vendors (name) values ('Mongo vendor')`);
      const client = await pool.connect();
      await chainAuditEntries(client).finally(() => client.release());

      expect(await copyToMongo(pool, target, 2)).toEqual({ events: 3, audit: 1 });
      expect(await copyToMongo(pool, target, 2)).toEqual({ events: 0, audit: 0 });
      await target.collection(ARCHIVE_COLLECTIONS.cursors).deleteMany({});
      expect(await copyToMongo(pool, target, 2)).toEqual({ events: 3, audit: 1 });
      expect(await target.collection(ARCHIVE_COLLECTIONS.events).countDocuments()).toBe(3);
      expect(await target.collection(ARCHIVE_COLLECTIONS.audit).countDocuments()).toBe(1);
    } finally {
      await target.dropDatabase();
      await mongo.close();
    }
  });
});
