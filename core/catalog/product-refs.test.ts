/**
 * The product refs core keeps for orders and adjustments (product-reads.ts), and the listener
 * that decides how long (product-ref-listener.ts, migration 0037's trigger). Real Postgres: each
 * test is a core process of its own (a pool, its listener); a change made with plain SQL on
 * another connection stands for a write by another process, which this one learns of only by
 * its notification.
 */
import { afterEach, expect, test } from 'bun:test';
import { useTestDatabase } from '../../test/harness/database.ts';
import { eventually } from '../../test/harness/http.ts';
import { captureLogger } from '../../test/harness/logs.ts';
import { testPostgres } from '../../test/harness/postgres.ts';
import { connectDatabase, type DatabaseHandle } from '../platform/database.ts';
import { importProductsStream } from './csv.ts';
import { listenForProductRefChanges, type ProductRefListener } from './product-ref-listener.ts';
import { forgetProductRefs, readProductRefs } from './product-ref-reads.ts';
import { archiveProduct, createProduct, updateProduct } from './products.ts';

const database = useTestDatabase('product_refs');
const run = crypto.randomUUID().slice(0, 6).toUpperCase();
const audience = { withCost: false };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A core process: its own pool, whose ref lookups are counted, and, if asked, its listener (or
 * refs trusted with no listener at all, to see what this process does by itself).
 */
function coreProcess(listenUrl?: string | 'trusted without listening') {
  const handle: DatabaseHandle = connectDatabase(database().url, { max: 4 });
  const pool = handle.pool;
  const original = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  const counted = { refReads: 0 };
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args) => {
    if (String(args[0]).includes('from catalog.products')) counted.refReads++;
    return original(...args);
  };
  const { log, lines } = captureLogger();
  let listener: ProductRefListener | undefined;
  if (listenUrl === 'trusted without listening') forgetProductRefs(pool, true);
  else if (listenUrl !== undefined)
    listener = listenForProductRefChanges(pool, listenUrl, log, { probeWaitMs: 500 });
  cleanups.push(async () => {
    await listener?.stop();
    await handle.close();
  });
  const trustedTimes = () => lines.filter((l) => String(l.msg).includes('refs are kept')).length;
  return {
    db: handle.db,
    pool,
    stopListening: async () => {
      await listener?.stop();
      listener = undefined;
    },
    counted,
    lines,
    trustedTimes,
    priceOf: async (sku: string) => (await readProductRefs(pool, [sku])).get(sku)?.price?.amount,
    trusted: () => eventually(async () => (trustedTimes() > 0 ? true : undefined)),
  };
}

async function newProduct(name: string, amount: number) {
  const sku = `REF${run}-${name}`;
  await createProduct(
    database().db,
    { sku, name, unit: 'each', attributes: {}, price: { amount, currency: 'EUR' } },
    audience,
    'test',
  );
  return sku;
}

/** A change "from another process": plain SQL on the test's own pool, not the process's. */
async function bySql(sku: string, set: string, value: unknown) {
  await database().db.$client.query(`update catalog.products set ${set} = $2 where sku = $1`, [sku, value]);
}

test('without a listener every order reads its refs', async () => {
  const core = coreProcess();
  const sku = await newProduct('UNHEARD', 100);
  expect(await core.priceOf(sku)).toBe(100);
  expect(await core.priceOf(sku)).toBe(100);
  expect(core.counted.refReads).toBe(2);
});

test('a listening process reads a ref once, and reads it again once a change by SQL elsewhere commits', async () => {
  const core = coreProcess(database().url);
  await core.trusted();
  const sku = await newProduct('HEARD', 100);
  expect(await core.priceOf(sku)).toBe(100);
  expect(await core.priceOf(sku.toLowerCase())).toBe(100);
  expect(core.counted.refReads).toBe(1);

  await bySql(sku, 'price_amount', 150);
  await eventually(async () => ((await core.priceOf(sku)) === 150 ? true : undefined));
  await bySql(sku, 'archived', true);
  await eventually(async () =>
    (await readProductRefs(core.pool, [sku])).get(sku)?.archived ? true : undefined,
  );
});

test('a catalog write in this process forgets at once, before any notification arrives', async () => {
  const core = coreProcess('trusted without listening');
  const sku = await newProduct('WRITTEN', 200);
  expect(await core.priceOf(sku)).toBe(200);
  await updateProduct(core.db, sku, 'any', { price: { amount: 210, currency: 'EUR' } }, audience, 'test');
  expect(await core.priceOf(sku)).toBe(210);
  const csv = new Blob([`sku,name,price,currency\n${sku},Written,2.30,EUR\n`]).stream();
  expect((await importProductsStream(core.db, csv, { requestId: 'test' })).updated).toBe(1);
  expect(await core.priceOf(sku)).toBe(230);
  await archiveProduct(core.db, sku, 'any', 'test');
  expect((await readProductRefs(core.pool, [sku])).get(sku)?.archived).toBe(true);
});

test('a read under way when refs are forgotten is answered but not kept', async () => {
  const core = coreProcess(database().url);
  await core.trusted();
  const sku = await newProduct('RACED', 400);
  const reading = readProductRefs(core.pool, [sku]);
  forgetProductRefs(core.pool); // a write ended while the read was in flight
  expect((await reading).get(sku)?.price?.amount).toBe(400);
  expect(await core.priceOf(sku)).toBe(400);
  expect(core.counted.refReads).toBe(2);
  expect(await core.priceOf(sku)).toBe(400);
  expect(core.counted.refReads).toBe(2);
});

test('a listener that cannot hear the pool (another database, as behind a transaction-mode pooler) keeps nothing and says what to set', async () => {
  const core = coreProcess(testPostgres().url('postgres'));
  await eventually(async () =>
    core.lines.some((l) => l.level === 'warn' && String(l.error).includes('DATABASE_LISTEN_URL'))
      ? true
      : undefined,
  );
  const sku = await newProduct('DEAF', 500);
  await core.priceOf(sku);
  await core.priceOf(sku);
  expect(core.counted.refReads).toBe(2);
  expect(core.trustedTimes()).toBe(0);
});

test('a lost listening connection distrusts at once; the next one trusts again and hears changes', async () => {
  const core = coreProcess(database().url);
  await core.trusted();
  const sku = await newProduct('LOST', 600);
  expect(await core.priceOf(sku)).toBe(600);
  await database().db.$client.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
     where application_name = 'varastokkr-core-catalog-listener' and datname = current_database()`,
  );
  await eventually(async () => (core.lines.some((l) => l.level === 'warn') ? true : undefined));
  await eventually(async () => (core.trustedTimes() === 2 ? true : undefined));
  const reads = core.counted.refReads;
  expect(await core.priceOf(sku)).toBe(600); // forgotten when the connection was lost
  expect(await core.priceOf(sku)).toBe(600);
  expect(core.counted.refReads).toBe(reads + 1);
  await bySql(sku, 'price_amount', 650);
  await eventually(async () => ((await core.priceOf(sku)) === 650 ? true : undefined));
});

test('a stopped listener keeps nothing: the next read after it is current', async () => {
  const core = coreProcess(database().url);
  await core.trusted();
  const sku = await newProduct('STOPPED', 700);
  expect(await core.priceOf(sku)).toBe(700);
  await core.stopListening();
  await bySql(sku, 'price_amount', 750); // nobody hears this one
  expect(await core.priceOf(sku)).toBe(750);
});

test('an import in another process (its own pool, an upsert) is heard', async () => {
  const core = coreProcess(database().url);
  await core.trusted();
  const sku = await newProduct('IMPORTED', 800);
  expect(await core.priceOf(sku)).toBe(800);
  const csv = new Blob([`sku,name,price,currency\n${sku},Imported,8.50,EUR\n`]).stream();
  expect((await importProductsStream(database().db, csv, { requestId: 'test' })).updated).toBe(1);
  await eventually(async () => ((await core.priceOf(sku)) === 850 ? true : undefined));
});

test('unknown skus are asked for every time; any case finds the catalog spelling', async () => {
  const core = coreProcess(database().url);
  await core.trusted();
  const sku = `REF${run}-LATER`;
  expect((await readProductRefs(core.pool, [sku])).size).toBe(0);
  await database().db.$client.query(
    `insert into catalog.products (sku, name, price_amount, price_currency) values ($1, 'Later', 500, 'EUR')`,
    [sku],
  );
  const lower = sku.toLowerCase();
  const refs = await readProductRefs(core.pool, [lower, sku]);
  expect(refs.get(lower)?.sku).toBe(sku);
  expect(refs.get(sku)?.price?.amount).toBe(500);
});
