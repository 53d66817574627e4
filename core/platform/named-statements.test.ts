/**
 * queryNamed against the real Postgres, each pool of one connection so the test sees that
 * connection's prepared statements: a statement is prepared once and kept; one the server lost
 * (as a transaction-mode pooler loses them) or another's of the same name is answered unnamed,
 * with one warning, and the pool then runs unnamed statements; so is a plan a migration made
 * stale; any other error is the caller's.
 */
import { afterAll, expect, test } from 'bun:test';
import { testPostgres } from '../../test/harness/postgres.ts';
import {
  connectDatabase,
  type DatabaseHandle,
  type NamedStatement,
  pgErrorCode,
  queryNamed,
} from './database.ts';
import { createLogger } from './logger.ts';

const handles: DatabaseHandle[] = [];
afterAll(() => Promise.all(handles.map((h) => h.close())));

/** A pool of one connection whose warnings land in `lines`. */
function onePool() {
  const lines: string[] = [];
  const log = createLogger({ service: 'test' }, 'info', (line) => lines.push(line));
  const handle = connectDatabase(testPostgres().url('postgres'), { max: 1, log });
  handles.push(handle);
  return { ...handle, lines };
}

const DOUBLED: NamedStatement = { name: 'test.doubled', text: 'select $1::int * 2 as doubled' };

const preparedNames = async (h: DatabaseHandle) =>
  (await h.pool.query<{ name: string }>('select name from pg_prepared_statements order by name')).rows.map(
    (r) => r.name,
  );

test('a statement is prepared once on its connection, and later calls run the prepared one', async () => {
  const h = onePool();
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [2])).rows).toEqual([{ doubled: 4 }]);
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [5])).rows).toEqual([{ doubled: 10 }]);
  expect(await preparedNames(h)).toEqual([DOUBLED.name]);
  const runs = await h.pool.query<{ runs: string }>(
    'select generic_plans + custom_plans as runs from pg_prepared_statements where name = $1',
    [DOUBLED.name],
  );
  expect(runs.rows).toEqual([{ runs: '2' }]);
  expect(h.lines).toEqual([]);
});

test('a statement the server lost is answered unnamed, with one warning, and the pool stays unnamed', async () => {
  const h = onePool();
  await queryNamed(h.db, DOUBLED, [1]);
  // What a pooler in transaction mode does: the next call lands where the statement is not.
  await h.pool.query('deallocate all');
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [3])).rows).toEqual([{ doubled: 6 }]);
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [4])).rows).toEqual([{ doubled: 8 }]);
  expect(await preparedNames(h)).toEqual([]);
  expect(h.lines).toHaveLength(1);
  expect(JSON.parse(h.lines[0]!)).toMatchObject({ level: 'warn', statement: DOUBLED.name, code: '26000' });
});

test("another client's statement of the same name where the call lands: answered unnamed", async () => {
  const h = onePool();
  await h.pool.query(`prepare "${DOUBLED.name}" as select 'theirs' as doubled`);
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [7])).rows).toEqual([{ doubled: 14 }]);
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [8])).rows).toEqual([{ doubled: 16 }]);
  expect(await preparedNames(h)).toEqual([]);
  expect(h.lines).toHaveLength(1);
  expect(JSON.parse(h.lines[0]!)).toMatchObject({ level: 'warn', code: '42P05' });
});

test('a plan a migration made stale is answered unnamed, with one warning, and the pool stays unnamed', async () => {
  const h = onePool();
  const table = `named_statements_${crypto.randomUUID().replaceAll('-', '')}`;
  await h.pool.query(`create table ${table} (n int); insert into ${table} values (21)`);
  const READ: NamedStatement = { name: 'test.stale', text: `select n from ${table} where n::text > $1` };
  expect((await queryNamed<{ n: number }>(h.db, READ, ['0'])).rows).toEqual([{ n: 21 }]);
  await h.pool.query(`alter table ${table} alter column n type text`);
  expect((await queryNamed<{ n: string }>(h.db, READ, ['0'])).rows).toEqual([{ n: '21' }]);
  expect((await queryNamed<{ n: string }>(h.db, READ, ['0'])).rows).toEqual([{ n: '21' }]);
  expect(await preparedNames(h)).toEqual([]);
  expect(h.lines).toHaveLength(1);
  expect(JSON.parse(h.lines[0]!)).toMatchObject({ level: 'warn', statement: READ.name, code: '0A000' });
  await h.pool.query(`drop table ${table}`);
});

test("any other error is the caller's, and named statements stay on", async () => {
  const h = onePool();
  const failed = await queryNamed(h.db, DOUBLED, ['not a number']).catch((err: unknown) => err);
  expect(pgErrorCode(failed)).toBe('22P02');
  expect((await queryNamed<{ doubled: number }>(h.db, DOUBLED, [6])).rows).toEqual([{ doubled: 12 }]);
  expect(await preparedNames(h)).toEqual([DOUBLED.name]);
  expect(h.lines).toEqual([]);
});
