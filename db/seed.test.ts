import { expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../test/harness/database.ts';
import { migrateDatabase } from './migrate.ts';
import { dumpSchema } from './schema-dump.ts';
import { ean13, seedDemoData } from './seed.ts';

const database = useTestDatabase('seed');

async function counts() {
  const result = await database().db.execute<Record<string, number>>(sql`select
    (select count(*)::int from identity.users) as users,
    (select count(*)::int from inventory.warehouses) as warehouses,
    (select count(*)::int from catalog.products) as products,
    (select count(*)::int from purchasing.vendors) as vendors,
    (select count(*)::int from purchasing.supplier_items) as supplier_items,
    (select count(*)::int from purchasing.purchase_orders) as purchase_orders,
    (select count(*)::int from inventory.movements) as movements,
    (select coalesce(sum(on_hand), 0)::int from inventory.stock_levels) as on_hand`);
  return result.rows[0]!;
}

test('seeding is idempotent and gives the documented demo data', async () => {
  const opts = { adminEmail: 'admin@example.com', adminPassword: 'admin-dev-password' };
  await seedDemoData(database().url, opts);
  const first = await counts();
  await seedDemoData(database().url, opts);
  expect(await counts()).toEqual(first);
  expect(first).toMatchObject({ users: 1, warehouses: 3, vendors: 3 });
  // Demo purchase orders in each state, made once; the received ones are in the ledger (checked below).
  const states = await database().db.execute<{ status: string }>(
    sql`select status from purchasing.purchase_orders order by status`,
  );
  expect(states.rows.map((r) => r.status)).toEqual([
    'cancelled',
    'draft',
    'partially_received',
    'received',
    'submitted',
  ]);
  expect(first.supplier_items).toBe(3 * first.products!);
  expect(first.products).toBeGreaterThanOrEqual(24);
  // Opening stock, written to the ledger: on hand is what the receipts add up to.
  expect(first.movements).toBeGreaterThan(first.products!);
  const ledger = await database().db.execute<{ n: number }>(
    sql`select coalesce(sum(qty), 0)::int as n from inventory.movements`,
  );
  expect(first.on_hand).toBe(ledger.rows[0]!.n);

  const codes = await database().db.execute<{ code: string }>(
    sql`select code from inventory.warehouses order by code`,
  );
  expect(codes.rows.map((r) => r.code)).toEqual(['BER', 'HEL', 'NYC']);

  const admin = await database().db.execute<{ password_hash: string; roles: string[] }>(
    sql`select password_hash, roles from identity.users where lower(email) = 'admin@example.com'`,
  );
  const hash = admin.rows[0]!.password_hash;
  expect(hash).toStartWith('$argon2id$');
  expect(await Bun.password.verify('admin-dev-password', hash)).toBe(true);
  expect(admin.rows[0]!.roles).toEqual(['admin']);
});

test('migrating an up-to-date database again changes nothing', async () => {
  const applied = async () =>
    (
      await database().db.execute<{ n: number }>(
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      )
    ).rows[0]!.n;
  await migrateDatabase(database().url);
  const [schema, migrations, data] = [await dumpSchema(database().url), await applied(), await counts()];
  await migrateDatabase(database().url);
  expect(await dumpSchema(database().url)).toBe(schema);
  expect(await applied()).toBe(migrations);
  expect(await counts()).toEqual(data);
});

test('demo barcodes carry valid EAN-13 check digits', () => {
  expect(ean13('400638133393')).toBe('4006381333931');
  expect(ean13('590123412345')).toBe('5901234123457');
});
