/**
 * The events' outbox and its mover against a real Postgres: a statement's events wait as one
 * outbox row; a move takes up to OUTBOX_ROWS_PER_JOB rows, oldest first, archives their events,
 * puts the rooms' events into the rooms' feed, and adds one publish-event job with the events in
 * order when a webhook may want them or one could not be archived (most tests here move events
 * of no known shape, so the job shows what moved); concurrent moves never take a row twice; a
 * move that fails leaves its rows; the mover loop, woken by the outbox's notification, empties
 * the outbox.
 */
import { afterAll, expect, test } from 'bun:test';
import pg from 'pg';
import {
  forgetFedRoomEvents,
  moveWaitingEvents,
  OUTBOX_ROWS_PER_JOB,
  readWaitingRoomEvents,
} from '../core/platform/event-outbox.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { queuedPayloads, takeQueued } from '../test/harness/job-queue.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { type EventMover, startEventMover } from './event-mover.ts';

const clients: pg.Client[] = [];
let mover: EventMover | undefined;
// Before the database's own afterAll, which drops it.
afterAll(async () => {
  await mover?.stop();
  await Promise.all(clients.map((c) => c.end()));
});
const database = useTestDatabase('event_mover');

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database().url });
  await client.connect();
  clients.push(client);
  return client;
}

interface Event {
  id: string;
  n: number;
}
const events = (from: number, count: number): Event[] =>
  Array.from({ length: count }, (_, i) => ({ id: crypto.randomUUID(), n: from + i }));
const addEvents = (client: pg.Client, list: Event[]) =>
  client.query('select platform.add_events($1::json)', [JSON.stringify(list)]);
const outboxRows = async (client: pg.Client) =>
  Number((await client.query('select count(*)::int as n from platform.event_outbox')).rows[0].n);

test('a move takes the oldest rows into one job, events in order; a full one leaves the rest', async () => {
  const client = await connect();
  await addEvents(client, []); // no row for no events
  expect(await outboxRows(client)).toBe(0);
  const rows = Array.from({ length: OUTBOX_ROWS_PER_JOB + 3 }, (_, i) => events(i * 2, 2));
  for (const row of rows) await addEvents(client, row);
  expect(await outboxRows(client)).toBe(rows.length);

  expect(await moveWaitingEvents(client)).toEqual({ moved: OUTBOX_ROWS_PER_JOB, more: true });
  expect(await moveWaitingEvents(client)).toEqual({ moved: 3, more: false });
  expect(await moveWaitingEvents(client)).toEqual({ moved: 0, more: false });
  expect(await outboxRows(client)).toBe(0);
  const jobs = await takeQueued<Event[]>(database().db, 'publish-event');
  expect(jobs.map((j) => j.length)).toEqual([OUTBOX_ROWS_PER_JOB * 2, 6]);
  expect(jobs.flat()).toEqual(rows.flat());
});

test('a move stops taking rows once the job holds its events; a big row still goes', async () => {
  const client = await connect();
  const rows = [events(0, 3), events(3, 3), events(6, 3), events(9, 20), events(29, 1)];
  for (const row of rows) await addEvents(client, row);
  // At most 5 events: a row is taken while fewer than 5 are (3, then 3 more crosses it).
  expect(await moveWaitingEvents(client, 50, 5)).toEqual({ moved: 2, more: true });
  expect(await moveWaitingEvents(client, 50, 5)).toEqual({ moved: 2, more: true });
  expect(await moveWaitingEvents(client, 50, 5)).toEqual({ moved: 1, more: false });
  const jobs = await takeQueued<Event[]>(database().db, 'publish-event');
  expect(jobs.map((j) => j.length)).toEqual([6, 23, 1]);
  expect(jobs.flat()).toEqual(rows.flat());
});

test("a move puts the order, transfer and purchase order events with a warehouse in the rooms' feed, in order", async () => {
  const client = await connect();
  const wh = crypto.randomUUID();
  const typed = (type: string, warehouseId: string | null) => ({
    id: crypto.randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    warehouseId,
    data: { id: crypto.randomUUID() },
    requestId: 'r-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  });
  const fed = [
    typed('order.created', wh),
    typed('transfer.updated', wh),
    typed('purchase_order.updated', wh),
  ];
  const notFed = [typed('stock.changed', wh), typed('order.created', null), typed('product.updated', null)];
  await addEvents(client, [fed[0]!, notFed[0]!, fed[1]!] as never);
  // Room events the rooms' contract would refuse are not fed (they would stop every tick), but
  // they are published: no event can stop the outbox.
  const misshapen = [
    { ...typed('order.created', wh), warehouseId: 'not-a-uuid' },
    { ...typed('order.created', wh), data: 'not an object' },
    { ...typed('order.created', wh), id: 'x'.repeat(101) },
    { ...typed('order.created', wh), occurredAt: 7 },
  ];
  await addEvents(client, [notFed[1]!, ...misshapen, notFed[2]!, fed[2]!] as never);
  expect(await moveWaitingEvents(client)).toEqual({ moved: 2, more: false });
  const waiting = await readWaitingRoomEvents(client, 10);
  expect(waiting.map((w) => [w.warehouseId, w.event])).toEqual(
    fed.map((e) => [wh, { id: e.id, type: e.type, occurredAt: e.occurredAt, data: e.data }]),
  );
  await forgetFedRoomEvents(
    client,
    waiting.map((w) => w.seq),
  );
  expect(await readWaitingRoomEvents(client, 10)).toEqual([]);
  // All of them are published (archive, webhooks), with their request and trace.
  const [job] = await takeQueued<unknown[]>(database().db, 'publish-event');
  expect(job).toEqual([fed[0], notFed[0], fed[1], notFed[1], ...misshapen, notFed[2], fed[2]]);
});

/** An event of the shape domainEventSchema accepts. */
const wellFormed = (type: string, warehouseId: string | null = null) => ({
  id: crypto.randomUUID(),
  type,
  occurredAt: new Date().toISOString(),
  warehouseId,
  data: { sku: 'S-1' },
  requestId: null,
});
const archived = async (client: pg.Client, ids: string[]) =>
  (await client.query('select id from integrations.event_archive where id = any($1::uuid[])', [ids])).rows
    .length;
const subscribe = (client: pg.Client, events: string[], enabled = true) =>
  client.query(
    `insert into webhooks.subscriptions (url, events, enabled, owner_kind, owner_id, secret_sealed)
     values ('https://example.com/hook', $1, $2, 'user', gen_random_uuid(), 'sealed') returning id`,
    [events, enabled],
  );

test('a move archives well-formed events itself, with a job only when a webhook may want one', async () => {
  const client = await connect();
  const first = [wellFormed('order.created', crypto.randomUUID()), wellFormed('product.updated')];
  // The same event twice (a redelivery beside it) is archived once.
  await addEvents(client, first as never);
  await addEvents(client, [first[0]!] as never);
  expect(await moveWaitingEvents(client)).toEqual({ moved: 2, more: false });
  expect(
    await archived(
      client,
      first.map((e) => e.id),
    ),
  ).toBe(2);
  expect(await takeQueued(database().db, 'publish-event')).toEqual([]);

  // A disabled subscription, or one to other types, wants none of them: still no job.
  const { rows } = await subscribe(client, ['stock.changed']);
  await subscribe(client, ['*'], false);
  const second = [wellFormed('order.created')];
  await addEvents(client, second as never);
  await moveWaitingEvents(client);
  expect(await archived(client, [second[0]!.id])).toBe(1);
  expect(await takeQueued(database().db, 'publish-event')).toEqual([]);

  // One it may want: the move's events go to the job (which queues its deliveries), archived too.
  const third = [wellFormed('order.created'), wellFormed('stock.changed', crypto.randomUUID())];
  await addEvents(client, third as never);
  await moveWaitingEvents(client);
  expect(
    await archived(
      client,
      third.map((e) => e.id),
    ),
  ).toBe(2);
  expect(await takeQueued(database().db, 'publish-event')).toEqual([third]);
  await client.query('delete from webhooks.subscriptions where id = $1', [rows[0].id]);
});

test("an event the archive would refuse sends the move's events to the job, none archived by the move", async () => {
  const client = await connect();
  const good = wellFormed('order.created');
  // Each passes the shape check but not Postgres, or fails the shape check.
  for (const bad of [
    { ...wellFormed('order.created'), occurredAt: '2026-13-45T00:00:00Z' },
    { ...wellFormed('no.such-type') },
    { ...wellFormed('order.created'), requestId: undefined },
  ]) {
    await addEvents(client, [good, bad] as never);
    await moveWaitingEvents(client);
    expect(await archived(client, [good.id, bad.id])).toBe(0);
    expect(await takeQueued(database().db, 'publish-event')).toEqual([
      [good, JSON.parse(JSON.stringify(bad))],
    ]);
  }
});

test('an event Postgres cannot decode, or jsonb cannot hold, goes to the job: the move never fails on it', async () => {
  const client = await connect();
  const wh = crypto.randomUUID();
  const good = wellFormed('order.created', wh);
  // Raw json text: JSON.stringify makes no number past numeric's range, and no such event
  // comes from core (Postgres refuses a NUL in text), but none may stop the outbox.
  const texts = [
    JSON.stringify({ ...wellFormed('order.created', wh), data: { n: 0 } }).replace('"n":0', '"n":1e999999'),
    JSON.stringify({ ...wellFormed('order.created', wh), data: { note: 'a\u0000b' } }),
    JSON.stringify({ ...wellFormed('order.created', wh), requestId: 'r\u0000' }),
    JSON.stringify({ ...wellFormed('order.created', wh), data: { note: '\ud800' } }),
  ];
  for (const text of texts) {
    await client.query('select platform.add_events($1::json)', [`[${JSON.stringify(good)},${text}]`]);
    expect(await moveWaitingEvents(client)).toEqual({ moved: 1, more: false });
    expect(await archived(client, [good.id])).toBe(0);
    const [job] = await takeQueued<{ id: string }[]>(database().db, 'publish-event');
    expect(job?.map((e) => e.id)).toEqual([
      good.id,
      (JSON.parse(text.replace('1e999999', '1')) as { id: string }).id,
    ]);
    // The rooms get what the move can read: the big number, not the escapes it cannot decode.
    const fed = (await readWaitingRoomEvents(client, 100)).filter((f) => f.warehouseId === wh);
    expect(fed.length).toBe(text.includes('\\u') ? 1 : 2);
    await forgetFedRoomEvents(
      client,
      fed.map((f) => f.seq),
    );
  }
});

test('escapes Postgres decodes (a surrogate pair, an escaped backslash before a u) are fed and archived', async () => {
  const client = await connect();
  const wh = crypto.randomUUID();
  const texts = [
    JSON.stringify({ ...wellFormed('order.created', wh), data: { note: 'x' } }).replace(
      '"x"',
      '"\\ud83d\\ude00"',
    ),
    JSON.stringify({ ...wellFormed('order.created', wh), data: { note: 'C:\\udbackup' } }),
  ];
  const ids = texts.map((t) => (JSON.parse(t) as { id: string }).id);
  await client.query('select platform.add_events($1::json)', [`[${texts.join(',')}]`]);
  expect(await moveWaitingEvents(client)).toEqual({ moved: 1, more: false });
  expect(await archived(client, ids)).toBe(2);
  const fed = (await readWaitingRoomEvents(client, 100)).filter((f) => f.warehouseId === wh);
  expect(fed.map((f) => f.event.data)).toEqual([{ note: '😀' }, { note: 'C:\\udbackup' }]);
  await forgetFedRoomEvents(
    client,
    fed.map((f) => f.seq),
  );
});

test('moves at once never take a row twice; a move rolled back leaves its rows', async () => {
  const [a, b, c] = [await connect(), await connect(), await connect()];
  const added = Array.from({ length: 30 }, (_, i) => events(i, 1));
  for (const row of added) await addEvents(c, row);
  // One move holds some rows in an open transaction; the others skip them.
  await a.query('begin');
  expect((await moveWaitingEvents(a, 10)).moved).toBe(10);
  const [fromB, fromC] = await Promise.all([moveWaitingEvents(b, 15), moveWaitingEvents(c, 15)]);
  expect(fromB.moved + fromC.moved).toBe(20);
  expect(await outboxRows(c)).toBe(10); // a's ten, deleted but not committed
  await a.query('rollback');
  expect(await outboxRows(c)).toBe(10);
  expect(await moveWaitingEvents(a, 50)).toEqual({ moved: 10, more: false });
  const moved = (await takeQueued<Event[]>(database().db, 'publish-event')).flat();
  expect(moved.map((e) => e.id).sort()).toEqual(
    added
      .flat()
      .map((e) => e.id)
      .sort(),
  );
});

test('the mover, woken by the notification, moves what each statement adds', async () => {
  const client = await connect();
  const log = captureLogger({ service: 'jobs' }).log;
  // Waiting before it starts: its first move, at once, takes it. Then a spacing longer than
  // the test's adds: the second and third wait for one move together.
  const first = events(0, 1);
  await addEvents(client, first);
  mover = startEventMover({ databaseUrl: database().url, log, spacingMs: 5_000 });
  await eventually(async () => ((await outboxRows(client)) === 0 ? true : undefined));
  const [second, third] = [events(1, 1), events(2, 2)];
  await addEvents(client, second);
  await addEvents(client, third);
  await eventually(async () => ((await outboxRows(client)) === 0 ? true : undefined), 10_000);
  const jobs = await queuedPayloads<Event[]>(database().db, 'publish-event');
  expect(jobs).toEqual([first, [...second, ...third]]);
  await mover.stop();
  mover = undefined;
});
