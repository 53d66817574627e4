/**
 * Recovery, end to end on a stack of its own: the jobs runner (a real `bun jobs/main.ts`
 * process, which runs the rooms' feed) killed with SIGKILL in the middle of a burst loses no
 * update once a runner is back; of two runners only one feeds, and the other takes over when it
 * is killed; a tick the edge refuses stays in the feed; and after the edge process is
 * restarted, the rooms rebuild from Postgres before they answer.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { moveStock } from '../core/inventory/movements.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import type { RoomSnapshot } from './room-types.ts';

let stack: EdgeStack;
let w: StockWorld;
let wh: string;
const runners: Subprocess[] = [];

beforeAll(async () => {
  stack = await startEdgeStack({ name: 'recovery', jobs: false });
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 1, skus: 4 });
  wh = w.warehouses[0]!.id;
}, 120_000);

afterAll(async () => {
  for (const r of runners) r.kill('SIGKILL');
  await stack?.stop();
});

/** The jobs runner as production runs it, a process of its own that a test can kill. */
function startRunner(logLevel = 'warn'): Subprocess {
  const runner = Bun.spawn(['bun', join(import.meta.dir, '..', 'jobs', 'main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: stack.database.url,
      EDGE_URL: stack.url,
      EDGE_INTERNAL_SECRET: stack.internalSecret,
      JOBS_CONCURRENCY: '4',
      // Seen dead after 2 s of silence, so the test need not wait the default minute.
      JOBS_DEAD_WORKER_SECONDS: '2',
      LOG_LEVEL: logLevel,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  runners.push(runner);
  const own: string[] = [];
  logOf.set(runner, own);
  // Its log, shown if the test fails.
  for (const stream of [runner.stdout, runner.stderr])
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        runnerLog.push(decoder.decode(chunk));
        own.push(decoder.decode(chunk));
      }
    })();
  return runner;
}

const runnerLog: string[] = [];
const logOf = new Map<Subprocess, string[]>();
const feeds = (runner: Subprocess) => logOf.get(runner)!.join('').includes('feeding the warehouse rooms');
/** eventually(), with the runners' log in the error when the condition never holds. */
async function until<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  try {
    return await eventually(fn, timeoutMs);
  } catch (err) {
    const { rows } = await stack.database.db.$client.query(
      `select id, task_identifier, attempts, max_attempts, last_error, run_at, locked_by
       from graphile_worker.jobs order by id limit 20`,
    );
    throw new Error(
      `${(err as Error).message}; jobs left: ${JSON.stringify(rows)}; runner log:\n${runnerLog.join('').slice(-3000)}`,
    );
  }
}

const postgresLevels = async () => {
  const { rows } = await stack.database.db.$client.query(
    'select sku, on_hand, reserved, version from inventory.stock_levels where warehouse_id = $1 order by sku',
    [wh],
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    available: Number(r.on_hand) - Number(r.reserved),
    version: Number(r.version),
  }));
};

/** What the room holds, straight from its storage (no rebuild). */
const roomLevels = async () => {
  const res = await fetch(`${stack.url}/internal/warehouses/${wh}/snapshot`, {
    headers: { authorization: `Bearer ${stack.internalSecret}` },
  });
  return ((await res.json()) as RoomSnapshot).levels;
};

const waitingInFeed = async () => {
  const { rows } = await stack.database.db.$client.query(
    'select count(*)::int as n from inventory.level_feed',
  );
  return rows[0]!.n as number;
};

/** The backend pid of the feeder connection holding the lease in this test's database (other files' stacks share the cluster). */
const feederPid = async () => {
  const { rows } = await stack.database.db.$client.query(
    `select a.pid from pg_stat_activity a join pg_locks l on l.pid = a.pid
     where a.application_name = 'varastokkr-room-feed' and a.datname = current_database()
       and l.locktype = 'advisory' and l.granted`,
  );
  return rows.map((r) => Number(r.pid));
};

const converged = async () => {
  const [room, truth] = [await roomLevels(), await postgresLevels()];
  return JSON.stringify(room) === JSON.stringify(truth) ? truth : undefined;
};

test('a runner killed with SIGKILL mid-burst loses no update once a runner is back', async () => {
  const first = startRunner();
  for (const sku of w.skus) await receive(w, wh, sku, 100);
  await until(converged, 20_000);

  // 120 changes from 8 clients; the runner is killed part way through, while changes wait in
  // its feed (sent or not: either way they are still there) and events wait in its queue.
  let left = 120;
  let killed = false;
  const burst = Promise.all(
    Array.from({ length: 8 }, async (_, client) => {
      while (left > 0) {
        left--;
        const sku = w.skus[(left + client) % w.skus.length]!;
        await receive(w, wh, sku, 1);
      }
    }),
  );
  while (!killed && left > 0) {
    if (left < 90 && (await waitingInFeed()) > 0) {
      first.kill('SIGKILL');
      killed = true;
    } else await Bun.sleep(2);
  }
  await burst;
  await first.exited;
  expect(killed, 'the runner was killed mid-burst, with changes in its feed').toBe(true);
  expect(await waitingInFeed()).toBeGreaterThan(0);

  startRunner();
  // The new runner sees the killed one silent, unlocks its jobs and runs them with the rest,
  // and feeds the rooms what the killed one had not.
  await until(async () => {
    const { rows } = await stack.database.db.$client.query(
      `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'publish-event'`,
    );
    return rows[0]!.n === 0 && (await waitingInFeed()) === 0 ? true : undefined;
  }, 30_000);
  const truth = await until(converged, 10_000);
  expect(truth.reduce((n, l) => n + l.onHand, 0)).toBe(4 * 100 + 120);
}, 90_000);

test('after the edge restarts, a room rebuilds from Postgres before it answers', async () => {
  const availability = async (sku: string) =>
    (await (
      await fetch(`${stack.url}/api/products/${sku}/availability`, { headers: w.admin.headers })
    ).json()) as { warehouses: { warehouseId: string; onHand: number; reserved: number; version: number }[] };
  await until(converged, 20_000);
  // No runner while the edge is away, so no push can bring the room up to date: only a rebuild.
  for (const r of runners) r.kill('SIGKILL');
  await stack.stopEdge();
  const [sku] = w.skus as [string];
  const moved = await moveStock(stack.database.db, {
    mode: 'delta',
    lines: [{ warehouseId: wh, sku, qty: 7 }],
    type: 'receipt',
    reason: 'received',
    actorId: null,
    requestId: null,
  });
  expect(moved.ok).toBe(true);
  await stack.startEdge();

  const truth = (await postgresLevels()).find((l) => l.sku === sku)!;
  const read = (await availability(sku)).warehouses.find((x) => x.warehouseId === wh);
  expect(read).toMatchObject({ onHand: truth.onHand, reserved: truth.reserved, version: truth.version });
  expect(await roomLevels()).toEqual(await postgresLevels());

  // The change left in the feed meanwhile arrives late once a runner is back, and changes nothing.
  expect(await waitingInFeed()).toBeGreaterThan(0);
  startRunner();
  await until(async () => ((await waitingInFeed()) === 0 ? true : undefined), 30_000);
  expect(await roomLevels()).toEqual(await postgresLevels());
}, 90_000);

test('of two runners one feeds the rooms; killed, the other takes over and nothing is lost', async () => {
  for (const r of runners) r.kill('SIGKILL');
  await Promise.all(runners.map((r) => r.exited));
  const first = startRunner('info');
  await until(async () => (feeds(first) ? true : undefined), 20_000);
  const second = startRunner('info');
  // Both feeders are connected; one holds the lease, the other waits for it.
  await until(async () => {
    const { rows } = await stack.database.db.$client.query(
      `select count(*)::int as n from pg_stat_activity
       where application_name = 'varastokkr-room-feed' and datname = current_database()`,
    );
    return rows[0]!.n === 2 ? true : undefined;
  }, 20_000);
  expect(await feederPid()).toHaveLength(1);
  for (const sku of w.skus) await receive(w, wh, sku, 2);
  await until(converged, 20_000);
  expect(feeds(second)).toBe(false);

  first.kill('SIGKILL');
  await first.exited;
  for (const sku of w.skus) await receive(w, wh, sku, 3);
  await until(async () => (feeds(second) ? true : undefined), 20_000);
  const truth = await until(converged, 20_000);
  expect(await waitingInFeed()).toBe(0);
  expect(truth.reduce((n, l) => n + l.onHand, 0)).toBe(4 * 100 + 120 + 7 + 4 * 5);
}, 90_000);

test('a tick the edge refuses stays in the feed, and goes once it is taken', async () => {
  for (const r of runners) r.kill('SIGKILL');
  await Promise.all(runners.map((r) => r.exited));
  await until(async () => ((await feederPid()).length === 0 ? true : undefined), 10_000);
  const { startRoomFeed } = await import('../jobs/room-feed.ts');
  const { edgeClient } = await import('../jobs/edge-client.ts');
  const { log, lines } = captureLogger({ service: 'jobs' });
  const refused = startRoomFeed({
    databaseUrl: stack.database.url,
    edge: edgeClient({ url: stack.url, secret: 'not-the-internal-secret-not-the-internal-secret' }),
    log,
  });
  try {
    await until(async () => (refused.leading() ? true : undefined), 10_000);
    const [sku] = w.skus as [string];
    await receive(w, wh, sku, 1);
    await until(
      async () =>
        lines.some((l) => String(l.msg).includes('the edge did not take a tick')) ? true : undefined,
      10_000,
    );
    expect(await waitingInFeed()).toBe(1);
  } finally {
    await refused.stop();
  }
  expect(refused.leading()).toBe(false);
  startRunner();
  await until(async () => ((await waitingInFeed()) === 0 ? true : undefined), 20_000);
  await until(converged, 10_000);
}, 60_000);
