/**
 * The product refs core keeps for orders and adjustments (product-reads.ts): read once, kept for
 * PRODUCT_REF_TTL_MS, forgotten by any catalog write in this process. Real Postgres; a change
 * made with plain SQL stands for a write by another process, which this one only learns of
 * when its refs expire.
 */
import { expect, test } from 'bun:test';
import { useTestDatabase } from '../../test/harness/database.ts';
import { eventually } from '../../test/harness/http.ts';
import { forgetProductRefs, readProductRefs } from './product-reads.ts';
import { archiveProduct, createProduct, updateProduct } from './products.ts';

const database = useTestDatabase('product_refs');
const run = crypto.randomUUID().slice(0, 6).toUpperCase();
const audience = { withCost: false };

async function newProduct(name: string, amount: number) {
  const { db } = database();
  const sku = `REF${run}-${name}`;
  await createProduct(
    db,
    { sku, name, unit: 'each', attributes: {}, price: { amount, currency: 'EUR' } },
    audience,
    'test',
  );
  return sku;
}

/** A change of price "from another process": plain SQL, no catalog write in this one. */
async function priceBySql(sku: string, amount: number) {
  await database().db.$client.query('update catalog.products set price_amount = $2 where sku = $1', [
    sku,
    amount,
  ]);
}

const priceOf = async (sku: string) =>
  (await readProductRefs(database().db.$client, [sku])).get(sku)?.price?.amount;

test('a ref read is kept: a change from elsewhere is not seen until it expires, then it is', async () => {
  const sku = await newProduct('KEPT', 100);
  expect(await priceOf(sku)).toBe(100);
  await priceBySql(sku, 150);
  expect(await priceOf(sku)).toBe(100);
  await eventually(async () => ((await priceOf(sku)) === 150 ? true : undefined));
});

test('a catalog write in this process forgets every kept ref, so its own next read is current', async () => {
  const changed = await newProduct('WRITTEN', 200);
  const other = await newProduct('OTHER', 300);
  expect(await priceOf(changed)).toBe(200);
  expect(await priceOf(other)).toBe(300);
  await priceBySql(other, 350); // unseen while kept
  await updateProduct(
    database().db,
    changed,
    'any',
    { price: { amount: 210, currency: 'EUR' } },
    audience,
    'test',
  );
  expect(await priceOf(changed)).toBe(210);
  expect(await priceOf(other)).toBe(350);

  await archiveProduct(database().db, changed, 'any', 'test');
  const refs = await readProductRefs(database().db.$client, [changed]);
  expect(refs.get(changed)?.archived).toBe(true);
});

test('a read that was under way when refs were forgotten is answered but not kept', async () => {
  const sku = await newProduct('RACED', 400);
  const client = database().db.$client;
  const reading = readProductRefs(client, [sku]);
  forgetProductRefs(client); // a write ended while the read was in flight
  expect((await reading).get(sku)?.price?.amount).toBe(400);
  await priceBySql(sku, 450);
  expect(await priceOf(sku)).toBe(450);
});

test('unknown skus are asked for every time; any case finds the catalog spelling', async () => {
  const sku = `REF${run}-LATER`;
  const client = database().db.$client;
  expect((await readProductRefs(client, [sku])).size).toBe(0);
  await client.query(
    `insert into catalog.products (sku, name, price_amount, price_currency) values ($1, 'Later', 500, 'EUR')`,
    [sku],
  );
  const lower = sku.toLowerCase();
  const refs = await readProductRefs(client, [lower, sku]);
  expect(refs.get(lower)?.sku).toBe(sku);
  expect(refs.get(sku)?.price?.amount).toBe(500);
});
