/**
 * `bun run db:migrate` says what it did: on a new database, graphile-worker's schema and each of
 * our migrations by name; run again, that the database was already up to date. A migration that
 * fails says which file and what Postgres said, and leaves none of the pending ones applied.
 */
import { afterAll, expect, test } from 'bun:test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCommand } from '../test/harness/command.ts';
import { adminQuery, testPostgres } from '../test/harness/postgres.ts';
import { migrateDatabase } from './migrate.ts';

const root = join(import.meta.dir, '..');
const name = `migrate_cli_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
afterAll(() => adminQuery(`drop database if exists "${name}" with (force)`));

async function migrateCli(): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await runCommand(['bun', 'run', 'db:migrate'], {
    env: { DATABASE_URL: testPostgres().url(name) },
  });
  return { code, output: stdout + stderr };
}

test('db:migrate names the migrations it applied, then says the database is up to date', async () => {
  await adminQuery(`create database "${name}"`);
  const tags = (
    JSON.parse(readFileSync(join(root, 'db/migrations/meta/_journal.json'), 'utf8')) as {
      entries: { tag: string }[];
    }
  ).entries.map((e) => e.tag);

  const first = await migrateCli();
  expect(first.code).toBe(0);
  expect(first.output).toContain('graphile-worker schema installed at ');
  expect(first.output).toContain(`applied ${tags.length}: ${tags.join(', ')}`);
  expect(first.output).not.toContain('already up to date');

  const second = await migrateCli();
  expect(second.code).toBe(0);
  expect(second.output).toContain('the database was already up to date');
  expect(second.output).not.toContain('applied');
}, 120_000);

test('a failing migration names its file and what Postgres said, and none of the pending ones is applied', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'varastokkr-migrations-'));
  const broken = `broken_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  try {
    cpSync(join(root, 'db', 'migrations'), folder, { recursive: true });
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
      entries: { idx: number; when: number }[];
    };
    const last = journal.entries.at(-1)!;
    for (const [i, tag, text] of [
      [1, '9998_fine', 'CREATE TABLE public.made_before_the_failure (id int);'],
      [2, '9999_broken', 'SELECT no_such_function_here();'],
    ] as const) {
      writeFileSync(join(folder, `${tag}.sql`), text);
      journal.entries.push({
        ...last,
        idx: last.idx + i,
        when: last.when + i,
        tag,
      } as (typeof journal.entries)[0]);
    }
    writeFileSync(journalFile, JSON.stringify(journal));
    await adminQuery(`create database "${broken}"`);
    const url = testPostgres().url(broken);
    const failed = await migrateDatabase(url, folder).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failed?.message).toStartWith(
      'a migration failed in db/migrations/9999_broken.sql: function no_such_function_here() does not exist.',
    );
    expect(failed?.message).toContain('None of the pending migrations was applied');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const made = await client.query(`select to_regclass('public.made_before_the_failure') as t`);
      expect(made.rows[0].t).toBeNull();
    } finally {
      await client.end();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await adminQuery(`drop database if exists "${broken}" with (force)`);
  }
}, 60_000);

test('0021: pushes still queued from before the feed become rows of the feed, and leave the queue', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'varastokkr-migrations-'));
  const upgraded = `upgrade_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await adminQuery(`create database "${upgraded}"`);
  const url = testPostgres().url(upgraded);
  const client = new pg.Client({ connectionString: url });
  try {
    // The database as it was before 0021.
    cpSync(join(root, 'db', 'migrations'), folder, { recursive: true });
    const journalFile = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag === '0021_level_feed');
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
    await migrateDatabase(url, folder);
    await client.connect();
    const room = crypto.randomUUID();
    for (const version of [2, 3])
      await client.query(`select graphile_worker.add_job('push-warehouse-levels', $1::json)`, [
        JSON.stringify({
          warehouseId: room,
          levels: [{ sku: 'OLD-1', onHand: version, reserved: 0, version, fromVersion: version - 1 }],
        }),
      ]);

    // 0021 and whatever came after it, in order.
    const rest = journal.entries.slice(at).map((e) => e.tag);
    expect(rest[0]).toBe('0021_level_feed');
    expect((await migrateDatabase(url)).applied).toEqual(rest);
    const { rows } = await client.query(
      'select warehouse_id, sku, on_hand, version, from_version from inventory.level_feed order by seq',
    );
    expect(
      rows.map((r) => [r.warehouse_id, r.sku, r.on_hand, Number(r.version), Number(r.from_version)]),
    ).toEqual([
      [room, 'OLD-1', 2, 2, 1],
      [room, 'OLD-1', 3, 3, 2],
    ]);
    const { rows: left } = await client.query(
      `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'push-warehouse-levels'`,
    );
    expect(left[0].n).toBe(0);
  } finally {
    await client.end().catch(() => {});
    rmSync(folder, { recursive: true, force: true });
    await adminQuery(`drop database if exists "${upgraded}" with (force)`);
  }
}, 60_000);
