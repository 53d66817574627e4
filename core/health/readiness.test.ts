/**
 * GET /readyz against a real core and Postgres: ready on a migrated database; 503 problem+json
 * while the database lacks a migration of this build (what a readiness probe waits on during a
 * release) or does not answer, while /healthz (liveness) stays 200 when only migrations are behind.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { migrationJournal } from '../../db/migration-journal.ts';
import { serveCore } from '../../test/harness/core.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { adminQuery, testPostgres } from '../../test/harness/postgres.ts';
import { connectDatabase } from '../platform/database.ts';

const journal = migrationJournal();
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('readyz');
});
afterAll(async () => {
  await database.drop();
});

/** A core over `db` for one test (each has its own once-a-second readiness check). */
async function withCore<T>(db: TestDatabase['db'], run: (url: string) => Promise<T>): Promise<T> {
  const core = serveCore({ db });
  try {
    return await run(core.url);
  } finally {
    await core.stop();
  }
}

describe('GET /readyz', () => {
  test('200 on a database with every migration of this build, naming the latest', async () => {
    await withCore(database.db, async (url) => {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ready',
        database: { status: 'ok' },
        migrations: { latest: journal.at(-1)!.tag, pending: 0 },
      });
    });
  });

  test('503 naming the pending count while the last migration is missing; /healthz stays 200', async () => {
    const last = journal.at(-1)!;
    await database.pool.query('delete from drizzle.__drizzle_migrations where created_at = $1', [last.when]);
    try {
      await withCore(database.db, async (url) => {
        const body = await expectProblem(await fetch(`${url}/readyz`), 503, 'unavailable');
        expect(body).toMatchObject({ migrations: 'behind', pending: 1 });
        expect(body.detail).toContain('migration');
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      });
    } finally {
      await database.pool.query(
        'insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)',
        ['restored-by-test', last.when],
      );
    }
    await withCore(database.db, async (url) => expect((await fetch(`${url}/readyz`)).status).toBe(200));
  });

  test('503 on a database that was never migrated: every migration pending', async () => {
    const name = `unready_${crypto.randomUUID().slice(0, 8)}`;
    await adminQuery(`create database ${name}`);
    const handle = connectDatabase(testPostgres().url(name), { max: 1 });
    try {
      await withCore(handle.db, async (url) => {
        const body = await expectProblem(await fetch(`${url}/readyz`), 503, 'unavailable');
        expect(body).toMatchObject({ migrations: 'behind', pending: journal.length });
      });
    } finally {
      await handle.close();
      await adminQuery(`drop database ${name} with (force)`);
    }
  });

  test('503 naming no host when the database is gone', async () => {
    const handle = connectDatabase(database.url, { max: 1 });
    await handle.close();
    await withCore(handle.db, async (url) => {
      const body = await expectProblem(await fetch(`${url}/readyz`), 503, 'unavailable');
      expect(body).toMatchObject({ database: 'down' });
      expect(JSON.stringify(body)).not.toContain('127.0.0.1');
    });
  });
});
