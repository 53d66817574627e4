/**
 * Recovery, end to end on a stack of its own: the jobs runner (a real `bun jobs/main.ts`
 * process) killed with SIGKILL in the middle of a burst loses no update once a runner is back,
 * and after the edge process is restarted, the rooms rebuild from Postgres before they answer.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { moveStock } from '../core/inventory/movements.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import { runTask } from '../test/harness/task.ts';
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
function startRunner(): Subprocess {
  const runner = Bun.spawn(['bun', join(import.meta.dir, '..', 'jobs', 'main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: stack.database.url,
      EDGE_URL: stack.url,
      EDGE_INTERNAL_SECRET: stack.internalSecret,
      JOBS_CONCURRENCY: '4',
      // Seen dead after 2 s of silence, so the test need not wait the default minute.
      JOBS_DEAD_WORKER_SECONDS: '2',
      LOG_LEVEL: 'warn',
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  runners.push(runner);
  // Its log, shown if the test fails.
  for (const stream of [runner.stdout, runner.stderr])
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) runnerLog.push(decoder.decode(chunk));
    })();
  return runner;
}

const runnerLog: string[] = [];
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

const converged = async () => {
  const [room, truth] = [await roomLevels(), await postgresLevels()];
  return JSON.stringify(room) === JSON.stringify(truth) ? truth : undefined;
};

test('a runner killed with SIGKILL mid-burst loses no update once a runner is back', async () => {
  const first = startRunner();
  for (const sku of w.skus) await receive(w, wh, sku, 100);
  await until(converged, 20_000);

  // 120 changes from 8 clients; the runner is killed while it holds jobs, part way through.
  let left = 120;
  let killedWith: string[] = [];
  const burst = Promise.all(
    Array.from({ length: 8 }, async (_, client) => {
      while (left > 0) {
        left--;
        const sku = w.skus[(left + client) % w.skus.length]!;
        await receive(w, wh, sku, 1);
      }
    }),
  );
  while (killedWith.length === 0 && left > 0) {
    const { rows } = await stack.database.db.$client.query(
      'select distinct locked_by from graphile_worker.jobs where locked_by is not null',
    );
    if (left < 90 && rows.length > 0) {
      first.kill('SIGKILL');
      killedWith = rows.map((r) => String(r.locked_by));
    } else await Bun.sleep(2);
  }
  await burst;
  await first.exited;
  expect(killedWith.length, 'the runner held jobs when it was killed').toBeGreaterThan(0);
  const { rows: stuck } = await stack.database.db.$client.query(
    'select count(*)::int as n from graphile_worker.jobs where locked_by = any($1)',
    [killedWith],
  );
  expect(stuck[0]!.n, 'jobs locked by the killed worker').toBeGreaterThan(0);

  startRunner();
  // The new runner sees the killed one silent, unlocks its jobs and runs them with the rest.
  await until(async () => {
    const { rows } = await stack.database.db.$client.query(
      `select count(*)::int as n from graphile_worker.jobs
       where task_identifier in ('push-warehouse-levels', 'publish-event')`,
    );
    return rows[0]!.n === 0 ? true : undefined;
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

  // The pushes queued meanwhile arrive late once a runner is back, and change nothing.
  startRunner();
  await until(async () => {
    const { rows } = await stack.database.db.$client.query(
      `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'push-warehouse-levels'`,
    );
    return rows[0]!.n === 0 ? true : undefined;
  }, 30_000);
  expect(await roomLevels()).toEqual(await postgresLevels());
}, 90_000);

test('a push takes the queued pushes of its warehouse along; if its call fails, they stay queued', async () => {
  for (const r of runners) r.kill('SIGKILL');
  await Promise.all(runners.map((r) => r.exited));
  const { pushWarehouseLevels } = await import('../jobs/tasks/push-warehouse-levels.ts');
  const room = crypto.randomUUID();
  const push = (version: number) => ({
    warehouseId: room,
    levels: [{ sku: 'ALONG-1', onHand: version, reserved: 0, version, fromVersion: version - 1 }],
  });
  const queued = async () => {
    const { rows } = await stack.database.db.$client.query(
      // As inventory.publish_stock_changes enqueues them: flagged with their warehouse.
      `select count(*)::int as n from graphile_worker.jobs where flags ? $1`,
      [`warehouse:${room}`],
    );
    return rows[0]!.n as number;
  };
  for (const v of [3, 4])
    await stack.database.db.$client.query(
      `select graphile_worker.add_job('push-warehouse-levels', $1::json, flags := array[$2])`,
      [JSON.stringify(push(v)), `warehouse:${room}`],
    );
  const run = (secret: string) =>
    runTask(pushWarehouseLevels, { db: stack.database.db, edge: { url: stack.url, secret } }, push(2));
  await expect(run('wrong-secret-wrong-secret-wrong-secret')).rejects.toThrow('401');
  expect(await queued()).toBe(2);
  await run(stack.internalSecret);
  expect(await queued()).toBe(0);
  const res = await fetch(`${stack.url}/internal/warehouses/${room}/snapshot`, {
    headers: { authorization: `Bearer ${stack.internalSecret}` },
  });
  expect(((await res.json()) as RoomSnapshot).levels).toEqual([
    { sku: 'ALONG-1', onHand: 4, reserved: 0, available: 4, version: 4 },
  ]);
});
