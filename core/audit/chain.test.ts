/**
 * The hash chain over a database of its own (these tests break it on purpose): chained in a
 * commit-safe order, checked by `bun run audit:verify`, edits and deletions found, and the
 * tables refusing to be rewritten.
 */
import { describe, expect, test } from 'bun:test';
import type pg from 'pg';
import { chainAudit } from '../../jobs/tasks/chain-audit.ts';
import { runCommand } from '../../test/harness/command.ts';
import { useTestDatabase } from '../../test/harness/database.ts';
import { runTask } from '../../test/harness/task.ts';
import { chainAuditEntries } from './chain.ts';
import { checkAuditChain } from './chain-check.ts';

const database = useTestDatabase('audit');

/** A vendor written outside any request: one audit entry by "system". */
async function writeVendor(
  q: pg.Pool | pg.PoolClient,
  name = `Vendor ${crypto.randomUUID()}`,
): Promise<string> {
  const { rows } = await q.query('insert into purchasing.vendors (name) values ($1) returning id', [name]);
  return String(rows[0]?.id);
}

async function chain(): Promise<number> {
  const client = await database().pool.connect();
  try {
    return await chainAuditEntries(client, 7);
  } finally {
    client.release();
  }
}

async function count(sql: string): Promise<number> {
  const { rows } = await database().pool.query(sql);
  return Number(rows[0]?.n);
}

const verify = () => runCommand(['bun', 'run', 'audit:verify'], { env: { DATABASE_URL: database().url } });

/** Runs SQL as the superuser with every trigger off (what an intruder with the keys could do). */
async function tamper(sql: string, values: unknown[] = [], on = database()): Promise<void> {
  const client = await on.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    await client.query(sql, values);
    await client.query('commit');
  } finally {
    client.release();
  }
}

describe('the chain', () => {
  test('concurrent writes are all recorded, and chained completely while they run', async () => {
    const writes = Array.from({ length: 60 }, () => writeVendor(database().pool));
    const chaining = (async () => {
      let chained = 0;
      for (let i = 0; i < 5; i++) chained += await chain();
      return chained;
    })();
    await Promise.all(writes);
    await chaining;
    await chain();
    expect(await count('select count(*) as n from audit.entries')).toBeGreaterThanOrEqual(60);
    expect(await count('select count(*) as n from audit.chain')).toBe(
      await count('select count(*) as n from audit.entries'),
    );
    const report = await checkAuditChain(database().pool, { pageSize: 16 });
    expect(report.breaks).toEqual([]);
    expect(report.unchained).toBe(0);
  });

  test('an entry that commits after a newer one is chained after it, not skipped', async () => {
    const slow = await database().pool.connect();
    try {
      await slow.query('begin');
      const slowVendor = await writeVendor(slow);
      const fastVendor = await writeVendor(database().pool);
      // The fast entry has the higher id and is committed, but an older transaction still runs.
      await chain();
      const chainedIds = async () =>
        (
          await database().pool.query(
            `select e.entity_id from audit.chain c join audit.entries e on e.id = c.entry_id
             where e.entity_id = any($1) order by c.position`,
            [[slowVendor, fastVendor]],
          )
        ).rows.map((r) => r.entity_id);
      expect(await chainedIds()).toEqual([]);
      await slow.query('commit');
      await chain();
      expect(await chainedIds()).toEqual([slowVendor, fastVendor]);
    } finally {
      slow.release();
    }
    const report = await checkAuditChain(database().pool);
    expect(report.breaks).toEqual([]);
  });

  test('the chain-audit job chains what waits', async () => {
    await writeVendor(database().pool);
    expect((await checkAuditChain(database().pool)).unchained).toBe(1);
    await runTask(chainAudit, { db: database().db });
    expect((await checkAuditChain(database().pool)).unchained).toBe(0);
  });

  test('audit:verify passes on the whole chain, printing progress and the head hash', async () => {
    await chain();
    const result = await verify();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('entries checked');
    expect(result.stdout).toMatch(/Head hash: [0-9a-f]{64}/);
    expect(result.stdout).toContain('intact');
  });
});

describe('the log cannot be rewritten', () => {
  test('UPDATE, DELETE and TRUNCATE are refused on entries and chain alike', async () => {
    await writeVendor(database().pool);
    await chain();
    for (const sql of [
      `update audit.entries set action = 'nothing'`,
      'delete from audit.entries',
      'truncate audit.entries cascade',
      `update audit.chain set hash = 'x'`,
      'delete from audit.chain',
      'truncate audit.chain',
    ])
      await expect(database().pool.query(sql), sql).rejects.toThrow(/append-only/);
  });

  test('an entry edited in SQL with its triggers off is found by audit:verify', async () => {
    const vendor = await writeVendor(database().pool, 'Honest vendor');
    await chain();
    await tamper(
      `update audit.entries set changes = jsonb_set(changes, '{name,after}', '"Shady vendor"') where entity_id = $1`,
      [vendor],
    );
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at position \d+ \(entry \d+\): hash-mismatch/);
    expect(result.stdout).toContain('The audit chain is BROKEN');
  });
});

describe('deletions', () => {
  const fresh = useTestDatabase('audit_delete');

  const verifyFresh = () =>
    runCommand(['bun', 'run', 'audit:verify'], { env: { DATABASE_URL: fresh().url } });

  async function chainFresh() {
    const client = await fresh().pool.connect();
    try {
      await chainAuditEntries(client);
    } finally {
      client.release();
    }
  }

  test('a deleted entry, and then a deleted chain row, are found', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await writeVendor(fresh().pool));
    await chainFresh();
    expect((await verifyFresh()).code).toBe(0);

    await tamper('delete from audit.entries where entity_id = $1', [ids[1]], fresh());
    let result = await verifyFresh();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/entry-missing: entry \d+ was deleted/);

    await tamper(
      'delete from audit.chain where entry_id = (select id from audit.entries where entity_id = $1)',
      [ids[3]],
      fresh(),
    );
    result = await verifyFresh();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/position-missing/);
    expect(result.stdout).toMatch(/link-mismatch/);
  });
});
