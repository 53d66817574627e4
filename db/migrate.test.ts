/**
 * `bun run db:migrate` says what it did: on a new database, graphile-worker's schema and each of
 * our migrations by name; run again, that the database was already up to date.
 */
import { afterAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../test/harness/command.ts';
import { adminQuery, testPostgres } from '../test/harness/postgres.ts';

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
