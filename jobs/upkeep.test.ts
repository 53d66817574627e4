/**
 * The upkeep tasks whose SQL now lives in their services (core/identity/identity-upkeep.ts,
 * core/integrations/event-archive.ts, core/inventory/level-feed.ts): run as the jobs runner runs
 * them, against a real database.
 */
import { expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { archiveEvent } from '../core/integrations/event-archive.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { pruneIdentity } from './tasks/identity-upkeep.ts';
import { pruneEventArchive } from './tasks/prune-event-archive.ts';
import { pruneLevelFeedTask } from './tasks/stock-upkeep.ts';

const database = useTestDatabase('upkeep');
const job = { job: { id: '1', attempts: 1 } } as never;

test('prune-identity drops refresh tokens a week past expiry and keeps younger ones', async () => {
  const { db } = database();
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into identity.users (email, name, password_hash) values ('upkeep@example.com', 'Upkeep', 'x')
    returning id`);
  const userId = rows[0]?.id;
  const token = (hash: string, expiredDaysAgo: number) => sql`
    insert into identity.refresh_tokens (family_id, user_id, token_hash, expires_at)
    values (gen_random_uuid(), ${userId}, ${hash}, now() - make_interval(days => ${expiredDaysAgo}))`;
  await db.execute(token('long-gone', 8));
  await db.execute(token('recent', 1));
  const logs = captureLogger({});
  await pruneIdentity({ db, log: logs.log })({}, job);
  const left = await db.execute<{ token_hash: string }>(
    sql`select token_hash from identity.refresh_tokens where user_id = ${userId}`,
  );
  expect(left.rows.map((r) => r.token_hash)).toEqual(['recent']);
  // (The logger redacts any field named like a token, so the count itself reads "[redacted]".)
  expect(logs.lines.find((l) => l.msg === 'identity pruned')).toMatchObject({ throttleWindows: 0 });
});

test('an event is archived once; prune-event-archive drops those older than EVENT_ARCHIVE_DAYS', async () => {
  const { db } = database();
  const event = (occurredAt: Date) => ({
    id: crypto.randomUUID(),
    type: 'warehouse.created' as const,
    occurredAt: occurredAt.toISOString(),
    warehouseId: null,
    data: {},
    requestId: null,
  });
  const old = event(new Date(Date.now() - 400 * 86_400_000));
  const fresh = event(new Date());
  expect(await archiveEvent(db, old)).toBe(true);
  expect(await archiveEvent(db, old)).toBe(false);
  expect(await archiveEvent(db, fresh)).toBe(true);
  const logs = captureLogger({});
  await pruneEventArchive({ db, log: logs.log })({}, job);
  const left = await db.execute<{ id: string }>(
    sql`select id from integrations.event_archive where id in (${old.id}, ${fresh.id})`,
  );
  expect(left.rows.map((r) => r.id)).toEqual([fresh.id]);
  expect(logs.lines.find((l) => l.msg === 'event archive pruned')).toMatchObject({ deleted: 1 });
});

test('prune-level-feed drops changes and room events that waited a day in the rooms feed, and only those', async () => {
  const { db } = database();
  const room = crypto.randomUUID();
  const row = (sku: string, hoursAgo: number) => sql`
    insert into inventory.level_feed (warehouse_id, sku, on_hand, reserved, version, from_version, written_at)
    values (${room}, ${sku}, 1, 0, 2, 1, now() - make_interval(hours => ${hoursAgo}))`;
  await db.execute(row('STALE-1', 25));
  await db.execute(row('FRESH-1', 23));
  const event = (id: string, hoursAgo: number) => sql`
    insert into platform.room_event_feed (warehouse_id, event, written_at)
    values (${room}, ${JSON.stringify({ id })}::json, now() - make_interval(hours => ${hoursAgo}))`;
  await db.execute(event('stale-event', 25));
  await db.execute(event('fresh-event', 1));
  const logs = captureLogger({});
  await pruneLevelFeedTask({ db, log: logs.log })({}, job);
  const left = await db.execute<{ sku: string }>(
    sql`select sku from inventory.level_feed where warehouse_id = ${room}`,
  );
  expect(left.rows.map((r) => r.sku)).toEqual(['FRESH-1']);
  const events = await db.execute<{ id: string }>(
    sql`select event->>'id' as id from platform.room_event_feed where warehouse_id = ${room}`,
  );
  expect(events.rows.map((r) => r.id)).toEqual(['fresh-event']);
  expect(
    logs.lines.find((l) => String(l.msg).startsWith('room feed: changes a day old dropped')),
  ).toMatchObject({
    level: 'warn',
    deleted: 1,
    events: 1,
  });
});
