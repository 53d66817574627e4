/**
 * What the capture trigger records for a row (db/migrations/0027_audit_capture_cost.sql): the
 * changed fields with before and after, bookkeeping fields left out, secret-like fields redacted
 * at any depth, and values that only look alarming (the word "key" in a name) kept as they are.
 */
import { beforeAll, expect, test } from 'bun:test';
import { useTestDatabase } from '../../test/harness/database.ts';

const database = useTestDatabase('audit_capture');

beforeAll(async () => {
  const { pool } = database();
  await pool.query(`create table public.captured (
    id text primary key, name text, settings jsonb, signing_key text, note text, updated_at timestamptz default now())`);
  await pool.query(
    "create trigger captured_audit after insert or update or delete on public.captured for each row execute function audit.capture('captured', '')",
  );
});

async function changes(id: string): Promise<Record<string, { before: unknown; after: unknown }>[]> {
  const { rows } = await database().pool.query(
    `select changes from audit.entries where entity_type = 'captured' and entity_id = $1 order by id`,
    [id],
  );
  return rows.map((r) => r.changes);
}

test('an insert records every field set; an update only what changed; a delete what was there', async () => {
  const { pool } = database();
  await pool.query(
    `insert into public.captured (id, name, note) values ('plain', 'Monkey wrench', 'keys: none')`,
  );
  await pool.query(
    `update public.captured set note = 'still none', updated_at = now() + interval '1 s' where id = 'plain'`,
  );
  await pool.query(`update public.captured set updated_at = now() + interval '2 s' where id = 'plain'`);
  await pool.query(`delete from public.captured where id = 'plain'`);
  expect(await changes('plain')).toEqual([
    {
      id: { before: null, after: 'plain' },
      name: { before: null, after: 'Monkey wrench' },
      note: { before: null, after: 'keys: none' },
    },
    { note: { before: 'keys: none', after: 'still none' } },
    {
      id: { before: 'plain', after: null },
      name: { before: 'Monkey wrench', after: null },
      note: { before: 'still none', after: null },
    },
  ]);
});

test('secret-like fields are redacted at the top and at any depth, and their change still shows', async () => {
  const { pool } = database();
  const settings = { mode: 'live', auth: { token: 'tok_1', extra: [{ password: 'hunter2', user: 'jo' }] } };
  await pool.query(`insert into public.captured (id, signing_key, settings) values ('secret', 'sk_1', $1)`, [
    settings,
  ]);
  await pool.query(`update public.captured set signing_key = 'sk_2' where id = 'secret'`);
  const [created, rotated] = await changes('secret');
  expect(created).toEqual({
    id: { before: null, after: 'secret' },
    signing_key: { before: null, after: '[redacted]' },
    settings: {
      before: null,
      after: { mode: 'live', auth: { token: '[redacted]', extra: [{ password: '[redacted]', user: 'jo' }] } },
    },
  });
  expect(rotated).toEqual({ signing_key: { before: '[redacted]', after: '[redacted]' } });
  const { rows } = await pool.query(
    `select changes::text as t from audit.entries where entity_type = 'captured'`,
  );
  expect(JSON.stringify(rows)).not.toMatch(/tok_1|hunter2|sk_1|sk_2/);
});
