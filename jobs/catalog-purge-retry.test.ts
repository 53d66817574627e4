/**
 * A catalog purge is not lost when a new change took the running purge job's key and the edge
 * then refused it: graphile-worker's add_jobs spends a replaced job's attempts, so the task
 * queues what failed again as a job of its own (jobs/task.ts defineBatchTask), as publish-event
 * does (jobs/event-retry.test.ts). The edge is a stand-in that holds and refuses on cue.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { enqueueJob } from '../core/platform/outbox.ts';
import type { CatalogChange } from '../core/platform/room-contract.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { runnerBehind, type StandInEdge, standInEdge } from '../test/harness/stand-in-edge.ts';
import type { JobsHandle } from './worker.ts';

let edge: StandInEdge;
let jobs: JobsHandle;

// Before the database's own afterAll: the runner stops before its database goes.
afterAll(async () => {
  edge?.release();
  await jobs?.stop();
  edge?.stop();
});
const database = useTestDatabase('catalog_purge_retry');

beforeAll(async () => {
  edge = standInEdge();
  jobs = await runnerBehind(edge, database().url);
});

const edited = (sku: string): CatalogChange => ({
  scope: 'products',
  skus: [sku],
  barcodes: [],
  barcodeMoved: false,
});
// As core enqueues it (core/catalog/products.ts).
const purge = (change: object) =>
  enqueueJob(database().db, 'purge-edge-catalog', [change as CatalogChange], {
    jobKey: 'purge-edge-catalog',
    maxAttempts: 10,
  });
const purgeJobs = async () => {
  const { rows } = await database().db.execute<{
    key: string | null;
    attempts: number;
    max_attempts: number;
  }>(
    sql`select key, attempts, max_attempts from graphile_worker.jobs
        where task_identifier = 'purge-edge-catalog' order by id`,
  );
  return rows;
};

test('a purge unkeyed by a new change while it ran, then refused, joins the waiting one and is purged with it', async () => {
  await purge(edited('PURGE-A'));
  // The worker holds the purge: its call waits on the edge.
  await eventually(async () => (edge.calls.some((c) => c.ids.includes('PURGE-A')) ? true : undefined));
  await purge(edited('PURGE-B'));
  // The add took the running job's key and spent its attempts: failing in place would end it.
  expect((await purgeJobs())[0]).toEqual({ key: null, attempts: 10, max_attempts: 10 });

  edge.mode = 'accept';
  edge.release();
  await eventually(async () => {
    const purged = edge.answered(200);
    return purged.includes('PURGE-A') && purged.includes('PURGE-B') ? true : undefined;
  }, 30_000);
  expect(edge.calls.filter((c) => c.answered === 503).map((c) => c.ids)).toEqual([['PURGE-A']]);
  // The refused change joined the waiting one under the key: one purge for both.
  expect(edge.calls.filter((c) => c.answered === 200).map((c) => c.ids.sort())).toEqual([
    ['PURGE-A', 'PURGE-B'],
  ]);
  await eventually(async () => ((await purgeJobs()).length === 0 ? true : undefined), 30_000);
}, 60_000);

test('changes waiting for the runner are one purge; a job from before per-product purges (`{}`) purges everything', async () => {
  await jobs.stop();
  const before = edge.calls.length;
  await purge(edited('PURGE-C'));
  await purge(edited('PURGE-D'));
  expect(await purgeJobs()).toHaveLength(1);
  jobs = await runnerBehind(edge, database().url);
  await eventually(async () => (edge.calls.length > before ? true : undefined));
  expect(edge.calls.slice(before).map((c) => c.ids.sort())).toEqual([['PURGE-C', 'PURGE-D']]);

  await database().db.execute(sql`select graphile_worker.add_job('purge-edge-catalog', '{}'::json)`);
  await eventually(async () => (edge.calls.length > before + 1 ? true : undefined));
  expect(edge.calls.at(-1)).toEqual({ ids: ['*'], answered: 200, took: ['*'] });
}, 60_000);
