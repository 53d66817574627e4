/**
 * A batch whose room push fails is not lost: the task queues what failed again as a job of its
 * own (not failed in place: under a job key, a new add while it ran would have taken the key and
 * spent its attempts), and what is recorded meanwhile goes in a job of its own. Events come as
 * users' statements record them: into the outbox, moved into jobs by the runner's event mover.
 *
 * The edge here is a stand-in HTTP server (test/harness/stand-in-edge.ts: it must hold a request
 * open, then refuse it, on cue; or be an edge from before the batch endpoint).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { eventArchive } from '../core/integrations/tables.ts';
import type { DomainEvent } from '../core/platform/events.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { runnerBehind, type StandInEdge, standInEdge } from '../test/harness/stand-in-edge.ts';
import { edgeClient } from './edge-client.ts';
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
const orderEvent = (): DomainEvent => ({
  id: crypto.randomUUID(),
  type: 'order.created',
  occurredAt: new Date().toISOString(),
  warehouseId,
  data: { id: crypto.randomUUID() },
  requestId: null,
});
const addEvents = (events: DomainEvent[]) =>
  client.query('select platform.add_events($1::json)', [JSON.stringify(events)]);

test('a batch whose push fails is queued again and reaches the room; what came meanwhile, once', async () => {
  const db = database().db;
  const first = orderEvent();
  await addEvents([first]);
  // The worker holds the batch: its push waits on the edge.
  await eventually(async () => (edge.calls.some((c) => c.ids.includes(first.id)) ? true : undefined));
  const second = orderEvent();
  await addEvents([second]);
  // Moved into a job of its own, which waits for the one worker: the held batch is unchanged.
  await eventually(async () => {
    const { rows } = await db.execute<{ locked: boolean }>(
      sql`select locked_by is not null as locked from graphile_worker.jobs
          where task_identifier = 'publish-event' order by id`,
    );
    return rows.length === 2 && rows[0]!.locked && !rows[1]!.locked ? true : undefined;
  });

  // The edge refuses the held push, then accepts every later one.
  edge.mode = 'accept';
  edge.release();
  await eventually(async () => {
    const accepted = edge.answered(200);
    return accepted.includes(first.id) && accepted.includes(second.id) ? true : undefined;
  }, 30_000);
  expect(edge.calls.filter((c) => c.answered === 503).map((c) => c.ids)).toEqual([[first.id]]);
  // Each accepted once: the retry carried only what had failed.
  expect(edge.answered(200).sort()).toEqual([first.id, second.id].sort());
  const archived = await db
    .select({ id: eventArchive.id })
    .from(eventArchive)
    .where(inArray(eventArchive.id, [first.id, second.id]));
  expect(archived).toHaveLength(2);
  await eventually(async () => {
    const { rows } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'publish-event'`,
    );
    return rows[0]!.n === 0 ? true : undefined;
  }, 30_000);
}, 60_000);

test('an edge from before the batch endpoint (404) is sent the events one by one, in order', async () => {
  const received: { room: string; id: string }[] = [];
  const old = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const room = /^\/internal\/warehouses\/([^/]+)\/events$/.exec(new URL(req.url).pathname)?.[1];
      if (!room) return new Response(null, { status: 404 });
      const { event } = (await req.json()) as { event: { id: string } };
      received.push({ room, id: event.id });
      return Response.json({ sockets: 0 });
    },
  });
  try {
    const client = edgeClient({ url: `http://127.0.0.1:${old.port}`, secret: 'test-internal-secret' });
    const [a, b] = [orderEvent(), orderEvent()];
    const push = ({ id, type, occurredAt, data }: DomainEvent) => ({ id, type, occurredAt, data });
    const other = crypto.randomUUID();
    expect(
      await client.pushEvents([
        { warehouseId, events: [push(a), push(b)] },
        { warehouseId: other, events: [push(a)] },
      ]),
    ).toEqual([]);
    expect(received).toEqual([
      { room: warehouseId, id: a.id },
      { room: warehouseId, id: b.id },
      { room: other, id: a.id },
    ]);
  } finally {
    old.stop(true);
  }
});
