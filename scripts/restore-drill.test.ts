/**
 * The restore drill as an operator runs it (`bun run drill:restore --data-dir`), on a cluster of
 * its own with orders in flight: a confirmed order holding stock, one partly shipped, a transfer
 * requested, their events still waiting for a jobs runner. The drill backs it up while it runs,
 * starts the copy, migrates it, starts core and the jobs runner on it and checks the invariants:
 * it passes, having restored every order; and when the source's ledger is wrong, the drill of
 * it fails naming the level. Nobody outside hears from the restored copy: the webhook waiting
 * for the source's events is not sent from it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, type DatabaseHandle } from '../core/platform/database.ts';
import { freePort } from '../core/platform/ports.ts';
import { ensureDatabaseExists } from '../db/local-database.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { type PostgresServer, startPostgres } from '../db/postgres-server.ts';
import { runCommand } from '../test/harness/command.ts';
import { serveCore } from '../test/harness/core.ts';
import { createTestDatabase } from '../test/harness/database.ts';
import { seedCatalog } from '../test/harness/ledger-seed.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import { type WebhookReceiver, webhookReceiver } from '../test/harness/webhook-receiver.ts';

let dataDir: string;
let server: PostgresServer;
let url: string;
let handle: DatabaseHandle;
let core: ReturnType<typeof serveCore>;
let w: StockWorld;
let receiver: WebhookReceiver;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'varastokkr-drill-source-'));
  server = await startPostgres({ dataDir, port: await freePort(), password: crypto.randomUUID() });
  await ensureDatabaseExists(server.url('postgres'), 'shop');
  url = server.url('shop');
  await migrateDatabase(url);
  handle = connectDatabase(url, { max: 4, application: 'varastokkr-test' });
  core = serveCore({ db: handle.db });
  w = await stockWorld({ url: core.url, db: handle.db }, { warehouses: 2, skus: 2 });
  const [a, b] = w.warehouses.map((x) => x.id);
  const [s0, s1] = w.skus;
  for (const sku of w.skus) await receive(w, a ?? '', sku, 20);
  receiver = await webhookReceiver({ answer: 204 });
  receiver.up();
  const sub = await w.api.post('/api/webhooks', { url: receiver.url, events: ['*'] });
  expect(sub.status, await sub.clone().text()).toBe(201);
  const order = async (qty: number) => {
    const res = await w.api.post('/api/orders', { lines: [{ sku: s0, qty }], warehouseId: a });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  await order(3);
  const partly = await order(4);
  const shipped = await w.api.post(`/api/orders/${partly}/ship`, { lines: [{ sku: s0, qty: 1 }] });
  expect(shipped.status, await shipped.clone().text()).toBe(200);
  const transfer = await w.api.post('/api/transfers', {
    fromWarehouseId: a,
    toWarehouseId: b,
    lines: [{ sku: s1, qty: 5 }],
  });
  expect(transfer.status, await transfer.clone().text()).toBe(201);
}, 120_000);

afterAll(async () => {
  receiver?.stop();
  await core?.stop();
  await handle?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const drill = () =>
  runCommand(['bun', 'scripts/restore-drill.ts', '--data-dir', dataDir], {
    env: { DATABASE_URL: url, EDGE_URL: undefined },
  });

test('a base backup taken while the system runs restores, starts and keeps every invariant', async () => {
  const run = await drill();
  expect(run.code, run.stderr + run.stdout).toBe(0);
  expect(run.stderr).toContain('core is ready');
  expect(run.stderr).toContain('the jobs runner is live');
  expect(run.stderr).toContain('"orders":2,"live_orders":2,"requested_transfers":1');
  expect(run.stderr).toContain('PASSED');
  // The restored copy's runner ran the waiting order events, but no partner heard of them.
  expect(receiver.received).toEqual([]);
  expect(run.stderr).toContain('1 webhook subscriptions turned off');
}, 120_000);

test('the drill of a source whose ledger is wrong fails, naming the level', async () => {
  const [wh, sku] = [w.warehouses[0], w.skus[0]];
  await handle.pool.query(
    'update inventory.stock_levels set on_hand = on_hand + 1 where warehouse_id = $1 and sku = $2',
    [wh?.id, sku],
  );
  const run = await drill();
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toContain(`VIOLATED stock level: warehouse ${wh?.code} (${wh?.id}) sku ${sku}:`);
  expect(run.stderr).toContain('FAILED: 1 invariant violation(s)');
}, 120_000);

test('--restored checks a database restored elsewhere (a Neon branch, a pg_restore) as it is', async () => {
  const restored = await createTestDatabase('restored');
  try {
    const sku = `R-${crypto.randomUUID().slice(0, 8)}`;
    const wh = await seedCatalog(restored.db, { code: 'RESTORED', products: [{ sku, cost: null }] });
    // A level with no ledger behind it: what a broken restore could bring back.
    await restored.pool.query(
      'insert into inventory.stock_levels (warehouse_id, sku, on_hand) values ($1, $2, 4)',
      [wh, sku],
    );
    const run = await runCommand(['bun', 'scripts/restore-drill.ts', '--restored', restored.url]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('core is ready');
    expect(run.stdout).toContain(`warehouse RESTORED (${wh}) sku ${sku}: on_hand 4 <> ledger sum 0`);
  } finally {
    await restored.drop();
  }
}, 120_000);
