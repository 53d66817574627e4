/**
 * When every pooled connection stays busy past the wait, a request answers 503 with Retry-After
 * (it did nothing and may be retried), logged as a warning: not a 500. Against the real Postgres,
 * with a pool of one connection held by the test.
 */
import { afterAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import { testPostgres } from '../../test/harness/postgres.ts';
import { connectDatabase, isPoolTimeout } from './database.ts';
import { handleErrors, type RequestEnv } from './http.ts';
import { createLogger } from './logger.ts';

const lines: string[] = [];
const log = createLogger({ service: 'test' }, 'info', (line) => lines.push(line));
const busy = connectDatabase(testPostgres().url('postgres'), { max: 1, connectionTimeoutMs: 200 });

afterAll(() => busy.close());

function appOver(db: typeof busy.db) {
  const app = new Hono<RequestEnv>();
  app.get('/now', async (c) => c.json((await db.execute(sql`select 1 as one`)).rows[0]));
  handleErrors(app, log);
  return app;
}

test('no connection free in time: 503 problem with Retry-After and a warning; then 200 again', async () => {
  const app = appOver(busy.db);
  const held = await busy.pool.connect();
  let answer: Response;
  try {
    answer = await app.request('/now');
  } finally {
    held.release();
  }
  expect(answer.status).toBe(503);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.headers.get('retry-after')).toBe('1');
  expect(((await answer.json()) as { detail: string }).detail).toContain('busy');
  expect(lines.some((l) => l.includes('no database connection free in time'))).toBe(true);
  expect(lines.some((l) => l.includes('unhandled error'))).toBe(false);

  const again = await app.request('/now');
  expect(again.status).toBe(200);
});

test('isPoolTimeout tells the pool giving up from other failures', () => {
  expect(isPoolTimeout(new Error('timeout exceeded when trying to connect'))).toBe(true);
  expect(
    isPoolTimeout(new Error('query failed', { cause: new Error('timeout exceeded when trying to connect') })),
  ).toBe(true);
  expect(isPoolTimeout(new Error('Connection terminated due to connection timeout'))).toBe(true);
  expect(isPoolTimeout(new Error('relation "x" does not exist'))).toBe(false);
});
