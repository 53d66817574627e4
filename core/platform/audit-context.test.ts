/**
 * The audit context reaches the triggers of exactly the writes made under it, on a pool of one
 * connection, so a context that outlived its checkout would show in the next writer's entry.
 * (drizzle's queries run when awaited: each is awaited inside the context it belongs to.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../../test/harness/database.ts';
import { type AuditScope, auditContext, auditSettingSql } from './audit-context.ts';
import { connectDatabase, type DatabaseHandle } from './database.ts';

const database = useTestDatabase('audit_context');
let one: DatabaseHandle;
let statements: string[] = [];

const scope = (name: string): AuditScope => ({
  facts: () => ({
    actor: { kind: 'user', id: name, name, ip: '10.0.0.1', userAgent: null },
    requestId: `req-${name}`,
  }),
});

beforeAll(async () => {
  const { pool } = database();
  await pool.query('create table public.probe (id text primary key, name text not null)');
  await pool.query(
    "create trigger probe_audit after insert or update or delete on public.probe for each row execute function audit.capture('probe', '')",
  );
  one = connectDatabase(database().url, { max: 1 });
  // Every statement the one connection is sent, to count round trips.
  one.pool.on('connect', (client) => {
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      const c = args[0];
      statements.push(typeof c === 'string' ? c : String((c as { text?: string }).text));
      return send(...args);
    };
  });
});
afterAll(() => one?.close());

/** Who the log says wrote the probe row, newest first. */
async function writers(id: string): Promise<{ action: string; actor: string; requestId: string | null }[]> {
  const { rows } = await database().pool.query(
    `select action, coalesce(actor->>'id', actor->>'kind') as actor, request_id as "requestId"
       from audit.entries where entity_type = 'probe' and entity_id = $1 order by id desc`,
    [id],
  );
  return rows;
}

describe('a write under a context', () => {
  test('a transaction carries it in its begin, with no round trip of its own, and not past its commit', async () => {
    statements = [];
    await auditContext.run(scope('alice'), () =>
      one.db.transaction((tx) => tx.execute(sql`insert into public.probe values ('tx', 'a')`)),
    );
    expect(statements.filter((s) => s.includes('varastokkr.audit'))).toHaveLength(1);
    expect(statements.find((s) => s.includes('varastokkr.audit'))).toStartWith('begin; select set_config(');
    await one.db.execute(sql`update public.probe set name = 'b' where id = 'tx'`);
    expect(await writers('tx')).toEqual([
      { action: 'update', actor: 'system', requestId: null },
      { action: 'create', actor: 'alice', requestId: 'req-alice' },
    ]);
  });

  test('a single statement gets it before it, and the connection is cleared before its next user', async () => {
    await auditContext.run(
      scope('bob'),
      async () => await one.db.execute(sql`insert into public.probe values ('single', 'a')`),
    );
    await one.db.execute(sql`update public.probe set name = 'b' where id = 'single'`);
    await auditContext.run(
      scope('carol'),
      async () => await one.db.execute(sql`delete from public.probe where id = 'single'`),
    );
    expect(await writers('single')).toEqual([
      { action: 'delete', actor: 'carol', requestId: 'req-carol' },
      { action: 'update', actor: 'system', requestId: null },
      { action: 'create', actor: 'bob', requestId: 'req-bob' },
    ]);
  });

  test('a failed statement leaves no context behind', async () => {
    const failed = auditContext.run(
      scope('dave'),
      async () => await one.db.execute(sql`insert into public.probe values ('fails', null)`),
    );
    expect(failed).rejects.toThrow();
    await one.db.execute(sql`insert into public.probe values ('after-failure', 'a')`);
    expect(await writers('after-failure')).toEqual([{ action: 'create', actor: 'system', requestId: null }]);
  });

  test('reads and writes outside any context send nothing extra', async () => {
    statements = [];
    await one.db.execute(sql`select 1`);
    await one.db.transaction((tx) => tx.execute(sql`insert into public.probe values ('system', 'a')`));
    expect(statements.filter((s) => s.includes('varastokkr.audit'))).toEqual([]);
    expect(await writers('system')).toEqual([{ action: 'create', actor: 'system', requestId: null }]);
  });

  test('a statement writing for several requests names each row its own (auditSettingSql), outside any context', async () => {
    // Ids that contain one another, one with the setting's own separators in it, and multi-byte
    // characters in an id and an author's name ahead of the others (positions are in bytes).
    const forged = 'multi-2\t"x"\nmulti-1';
    const entities = {
      'multi-ä€': scope('Zoë Ünal').facts()!,
      'multi-1': scope('erin').facts()!,
      'multi-12': scope('frank').facts()!,
      [forged]: scope('hal').facts()!,
    };
    await auditContext.detached(
      async () =>
        await one.db.execute(
          sql`with inserted as (insert into public.probe values ('multi-ä€', 'z'), ('multi-1', 'a'), ('multi-12', 'b'),
              (${forged}, 'c'), ('multi-3', 'd'), ('multi-', 'e'))
            select ${auditSettingSql({ facts: () => undefined, entities: () => entities })}`,
        ),
    );
    expect((await writers('multi-ä€'))[0]?.actor).toBe('Zoë Ünal');
    expect((await writers('multi-1'))[0]?.actor).toBe('erin');
    expect((await writers('multi-12'))[0]?.actor).toBe('frank');
    expect((await writers(forged))[0]?.actor).toBe('hal');
    expect((await writers('multi-3'))[0]?.actor).toBe('system');
    expect((await writers('multi-'))[0]?.actor).toBe('system');
    await one.db.execute(sql`update public.probe set name = 'z' where id = 'multi-1'`);
    expect((await writers('multi-1'))[0]?.actor).toBe('system');
  });

  test("a core released before migration 0031 sends one JSON object with the entities in it: still each row's own", async () => {
    const old = JSON.stringify({ entities: { 'old-1': scope('ivan').facts() } });
    await one.db.execute(
      sql`with inserted as (insert into public.probe values ('old-1', 'a'), ('old-2', 'b'))
        select set_config('varastokkr.audit', ${old}, true)`,
    );
    expect((await writers('old-1'))[0]?.actor).toBe('ivan');
    expect((await writers('old-2'))[0]?.actor).toBe('system');
  });

  test('a client checked out by hand carries it to all its statements, and not past its release', async () => {
    await auditContext.run(scope('gina'), async () => {
      const client = await one.pool.connect();
      try {
        await client.query("insert into public.probe values ('by-hand', 'a')");
        await client.query("update public.probe set name = 'b' where id = 'by-hand'");
      } finally {
        client.release();
      }
    });
    await one.db.execute(sql`delete from public.probe where id = 'by-hand'`);
    expect((await writers('by-hand')).map((w) => `${w.action} ${w.actor}`)).toEqual([
      'delete system',
      'update gina',
      'create gina',
    ]);
  });
});
