/**
 * The edge's database role (migration 0016): it reads the catalog, the warehouse list and stock
 * levels, and can change nothing nor read any identity secret. The edge suite runs with this
 * role too (test/harness/edge.ts), so a read the edge needs and lacks a grant for fails there.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { pgErrorCode } from '../core/platform/database.ts';
import { createTestDatabase, type TestDatabase } from '../test/harness/database.ts';
import { testPostgres } from '../test/harness/postgres.ts';
import { EDGE_ROLE } from './edge-login.ts';

let database: TestDatabase;
let edge: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase('edgerole');
  await database.db.$client.query(
    `insert into inventory.warehouses (code, name) values ('ROLE', 'Role test')`,
  );
  await database.db.$client.query(
    `insert into catalog.products (sku, name, cost_amount, cost_currency) values ('ROLE-1', 'Role test', 5, 'EUR')`,
  );
  edge = new pg.Client({ connectionString: testPostgres().edgeUrl(database.name) });
  await edge.connect();
});
afterAll(async () => {
  await edge?.end();
  await database?.drop();
});

/** The SQLSTATE a statement fails with as the edge, or 'ok'. */
async function asEdge(sql: string): Promise<string> {
  try {
    await edge.query(sql);
    return 'ok';
  } catch (err) {
    return pgErrorCode(err) ?? String(err);
  }
}

/** The same, in a read-write transaction: the grants alone must refuse (not the read-only default). */
async function asEdgeReadWrite(sql: string): Promise<string> {
  await edge.query('begin transaction read write');
  try {
    return await asEdge(sql);
  } finally {
    await edge.query('rollback');
  }
}

const INSUFFICIENT_PRIVILEGE = '42501';

describe('what the edge reads', () => {
  test('products, warehouse ids and codes, stock levels', async () => {
    expect((await edge.query(`select current_user`)).rows[0].current_user).toBe('edge_reader');
    expect(
      (await edge.query('show default_transaction_read_only')).rows[0].default_transaction_read_only,
    ).toBe('on');
    for (const sql of [
      `select * from catalog.products where sku = 'ROLE-1'`,
      `select id, code from inventory.warehouses order by code`,
      `select sku, on_hand, reserved, version from inventory.stock_levels where warehouse_id = gen_random_uuid()`,
      `select 1 from catalog.products p where 'role' <% lower(p.name)`, // the search's trigram operator
    ])
      expect(await asEdge(sql)).toBe('ok');
  });
});

describe('what the edge cannot do', () => {
  test('read identity secrets: signing keys, refresh tokens, api key hashes, password hashes', async () => {
    for (const sql of [
      'select * from identity.signing_keys',
      'select * from identity.refresh_tokens',
      'select * from identity.api_keys',
      'select password_hash from identity.users',
      'select 1 from identity.users',
    ])
      expect(await asEdge(sql)).toBe(INSUFFICIENT_PRIVILEGE);
  });

  test('read orders, reservations, the ledger, jobs, idempotency records or warehouse names', async () => {
    for (const sql of [
      'select * from orders.orders',
      'select * from inventory.reservations',
      'select * from inventory.movements',
      'select * from graphile_worker.jobs',
      'select * from platform.idempotency_keys',
      'select name from inventory.warehouses',
      'select reorder_point from inventory.stock_levels',
    ])
      expect(await asEdge(sql)).toBe(INSUFFICIENT_PRIVILEGE);
  });

  test('insert, update or delete anything it reads', async () => {
    for (const sql of [
      `insert into catalog.products (sku, name) values ('EDGE-1', 'x')`,
      `update catalog.products set price_amount = 0`,
      `delete from catalog.products`,
      `insert into inventory.warehouses (code, name) values ('EDGE', 'x')`,
      `update inventory.warehouses set code = 'X1'`,
      `update inventory.stock_levels set on_hand = 0`,
      `delete from inventory.stock_levels`,
      `truncate catalog.products`,
      `create table public.edge_was_here (id int)`,
      `create table catalog.edge_was_here (id int)`,
    ]) {
      expect(await asEdgeReadWrite(sql)).toBe(INSUFFICIENT_PRIVILEGE);
      expect(await asEdge(sql)).toBe('25006'); // and its transactions are read-only to begin with
    }
    const { rows } = await database.db.$client.query(
      `select count(*)::int as n from catalog.products where sku = 'ROLE-1'`,
    );
    expect(rows[0].n).toBe(1);
  });

  test('no table anywhere grants it a write; it holds no other role and cannot log in as the role itself', async () => {
    const { rows } = await edge.query(`
      select n.nspname || '.' || c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm')
        and n.nspname not in ('pg_catalog', 'information_schema')
        and (has_table_privilege(c.oid, 'INSERT') or has_table_privilege(c.oid, 'UPDATE')
          or has_table_privilege(c.oid, 'DELETE') or has_table_privilege(c.oid, 'TRUNCATE'))`);
    expect(rows).toEqual([]);
    const role = await database.db.$client.query(
      'select rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = $1',
      [EDGE_ROLE],
    );
    expect(role.rows[0]).toEqual({
      rolcanlogin: false,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
    });
    const memberOf = await edge.query(
      `select b.rolname from pg_auth_members m join pg_roles b on b.oid = m.roleid
       where m.member = (select oid from pg_roles where rolname = current_user)`,
    );
    expect(memberOf.rows.map((r) => r.rolname)).toEqual([EDGE_ROLE]);
  });
});
