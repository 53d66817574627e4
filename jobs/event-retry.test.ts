/**
 * Room events ride the rooms' feed, and a tick the edge refuses loses none of them: the event
 * mover moves each statement's events out of the outbox (the order, transfer and purchase order
 * ones into the rooms' feed too), the feeder sends them in its ticks, and rows go only once the
 * edge took them. Events recorded while a tick hangs go in a tick of their own; after the
 * refusal both are sent again, and each reaches the edge accepted exactly once.
 *
 * The edge here is a stand-in HTTP server (test/harness/stand-in-edge.ts: it must hold a request
 * open, then refuse it, on cue).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { eventArchive } from '../core/integrations/tables.ts';
import type { DomainEvent } from '../core/platform/events.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { runnerBehind, type StandInEdge, standInEdge } from '../test/harness/stand-in-edge.ts';
import type { JobsHandle } from './worker.ts';

let edge: StandInEdge;
let jobs: JobsHandle;
let client: pg.Client;

afterAll(async () => {
  edge?.release();
  await jobs?.stop();
  await client?.end();
  edge?.stop();
});
const database = useTestDatabase('event_retry');

beforeAll(async () => {
  edge = standInEdge();
  jobs = await runnerBehind(edge, database().url);
  client = new pg.Client({ connectionString: database().url });
  await client.connect();
});

const warehouseId = crypto.randomUUID();
const event = (type: string): DomainEvent => ({
  id: crypto.randomUUID(),
  type: type as DomainEvent['type'],
  occurredAt: new Date().toISOString(),
  warehouseId,
  data: { id: crypto.randomUUID() },
  requestId: null,
});
const addEvents = (events: DomainEvent[]) =>
  client.query('select platform.add_events($1::json)', [JSON.stringify(events)]);

test('room events refused by the edge are sent again, in order, until it takes them, each once', async () => {
  const db = database().db;
  const first = event('order.created');
  await addEvents([first]);
  // The feeder's tick carrying it hangs on the edge.
  await eventually(async () => (edge.calls.some((c) => c.ids.includes(first.id)) ? true : undefined));
  // A stock event and a room event together: only the room event rides the feed, and not while
  // a tick with events is on its way (a room cannot order events by version, as it does levels).
  const [stock, second] = [event('stock.changed'), event('order.updated')];
  await addEvents([stock, second]);
  await eventually(async () => {
    const { rows } = await db.execute<{ id: string }>(
      sql`select event->>'id' as id from platform.room_event_feed`,
    );
    return rows.some((r) => r.id === second.id) ? true : undefined;
  });
  expect(edge.calls.flatMap((c) => c.ids)).not.toContain(second.id);
  expect(edge.calls.flatMap((c) => c.ids)).not.toContain(stock.id);

  // The edge refuses the held tick, then accepts every later one: both go, first first.
  edge.mode = 'accept';
  edge.release();
  await eventually(async () => (edge.taken().includes(second.id) ? true : undefined), 30_000);
  // Refused (held past the client's timeout on a slow machine, perhaps more than once), then
  // each taken exactly once, in the order they were recorded.
  expect([...new Set(edge.answered(503))]).toEqual([first.id]);
  expect(edge.taken()).toEqual([first.id, second.id]);
  // Every event archived (the publish-event job, which never waits on the edge), none left anywhere.
  const ids = [first.id, stock.id, second.id];
  await eventually(async () => {
    const rows = await db
      .select({ id: eventArchive.id })
      .from(eventArchive)
      .where(inArray(eventArchive.id, ids));
    return rows.length === ids.length ? true : undefined;
  }, 30_000);
  await eventually(async () => {
    const { rows } = await db.execute<{ n: number }>(
      sql`select (select count(*) from platform.room_event_feed) + (select count(*) from platform.event_outbox)
          + (select count(*) from graphile_worker.jobs where task_identifier = 'publish-event') as n`,
    );
    return Number(rows[0]!.n) === 0 ? true : undefined;
  }, 30_000);
}, 60_000);

test("a room that fails in a tick gets its events again; the other rooms' are not sent twice", async () => {
  const failing = crypto.randomUUID();
  edge.failingRooms.add(failing);
  const fine = event('order.created');
  const stuck = { ...event('order.created'), warehouseId: failing };
  await addEvents([fine, stuck]);
  // Sent together, the failing room's answered as failed: sent again, with backoff.
  await eventually(async () =>
    edge.calls.filter((c) => c.ids.includes(stuck.id)).length >= 2 ? true : undefined,
  );
  expect(edge.taken().filter((id) => id === fine.id)).toEqual([fine.id]);
  expect(edge.taken()).not.toContain(stuck.id);
  edge.failingRooms.delete(failing);
  await eventually(async () => (edge.taken().includes(stuck.id) ? true : undefined), 30_000);
  expect(edge.taken().filter((id) => id === fine.id || id === stuck.id)).toEqual([fine.id, stuck.id]);
  expect(edge.calls.filter((c) => c.ids.includes(fine.id))).toHaveLength(1);
}, 60_000);
