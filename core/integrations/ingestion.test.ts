/**
 * Orders in from Shopify and WooCommerce through the real edge (workerd), core and the jobs
 * runner: deliveries signed as the platforms sign them, over the exact bytes sent, and the
 * ingest-order job placing, changing and cancelling orders once per shop order.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { apiClient, eventually, expectProblem } from '../../test/harness/http.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { enqueueJob } from '../platform/outbox.ts';
import shopifyFixture from './fixtures/shopify-order.json';
import wooFixture from './fixtures/woocommerce-order.json';

let edge: TestEdge;
let w: StockWorld;
let wh: string;
/** A second warehouse, which no connection serves. */
let wh2: string;
const SECRET = `shpss_${crypto.randomUUID().replaceAll('-', '')}`;
let shopDomain: string;
let siteUrl: string;

beforeAll(async () => {
  edge = await testEdge();
  w = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 2, skus: 4 });
  wh = w.warehouses[0]!.id;
  wh2 = w.warehouses[1]!.id;
  for (const sku of w.skus.slice(0, 3)) await receive(w, wh, sku, 10);
  await receive(w, wh2, w.skus[3]!, 10);
  shopDomain = `shop-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;
  siteUrl = `https://woo-${crypto.randomUUID().slice(0, 8)}.example.com/`;
  for (const body of [
    { kind: 'shopify', shopDomain, secret: SECRET, warehouseId: wh, channel: 'shopify-test' },
    { kind: 'woocommerce', siteUrl, secret: SECRET, warehouseId: wh, channel: 'woo-test' },
  ]) {
    const res = await w.api.post('/api/integrations/connections', body);
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 120_000);

const sign = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');
const newOrderId = () => Math.floor(Math.random() * 9e12) + 1e12;

type Lines = { sku: string; quantity: number; price?: string | number }[];

/** A Shopify order payload from the fixture, with this id and these lines (pretty-printed, with ä). */
function shopifyOrder(id: number, lines: Lines, extra: Record<string, unknown> = {}) {
  const base = structuredClone(shopifyFixture);
  return JSON.stringify(
    {
      ...base,
      id,
      name: `#${id % 10000}`,
      line_items: lines.map((l) => ({ ...base.line_items[0], ...l })),
      ...extra,
    },
    null,
    2,
  );
}

function deliverShopify(
  body: string,
  opts: { topic?: string; webhookId?: string; hmac?: string; shop?: string } = {},
) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-shopify-topic': opts.topic ?? 'orders/create',
    'x-shopify-shop-domain': opts.shop ?? shopDomain,
    'x-shopify-webhook-id': opts.webhookId ?? crypto.randomUUID(),
    'x-shopify-api-version': '2025-10',
  };
  if (opts.hmac !== '') headers['x-shopify-hmac-sha256'] = opts.hmac ?? sign(body);
  return fetch(`${edge.url}/api/integrations/shopify/orders`, { method: 'POST', headers, body });
}

function deliverWoo(body: string, opts: { topic?: string; deliveryId?: string; site?: string } = {}) {
  return fetch(`${edge.url}/api/integrations/woocommerce/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-source': opts.site ?? siteUrl,
      'x-wc-webhook-topic': opts.topic ?? 'order.created',
      'x-wc-webhook-resource': 'order',
      'x-wc-webhook-event': (opts.topic ?? 'order.created').split('.')[1]!,
      'x-wc-webhook-id': '42',
      'x-wc-webhook-delivery-id': opts.deliveryId ?? crypto.randomUUID(),
      'x-wc-webhook-signature': sign(body),
    },
    body,
  });
}

interface IngestionRow extends Record<string, unknown> {
  id: string;
  status: string;
  reason: string | null;
  order_id: string | null;
}

/** The ingestion of this platform order once every delivery of it has been processed. */
function processed(externalId: number | string, deliveries: number) {
  return eventually(async () => {
    const { rows } = await edge.database.db.execute<IngestionRow & { done: number }>(sql`
      select i.id, i.status, i.reason, i.order_id::text,
        (select count(*) from integrations.deliveries d where d.ingestion_id = i.id and d.processed_at is not null)::int as done
      from integrations.ingestions i where i.external_order_id = ${String(externalId)}`);
    const row = rows[0];
    return row && row.done >= deliveries ? row : undefined;
  }, 30_000);
}

async function order(id: string) {
  const res = await w.api.get(`/api/orders/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    status: string;
    externalRef: string;
    channel: string;
    lines: { sku: string; qty: number }[];
  };
}

async function level(sku: string) {
  const { rows } = await edge.database.db.execute<{ on_hand: number; reserved: number }>(sql`
    select on_hand, reserved from inventory.stock_levels where warehouse_id = ${wh} and sku = ${sku}`);
  return rows[0] ?? { on_hand: 0, reserved: 0 };
}

async function storedFor(externalId: number) {
  const { rows } = await edge.database.db.execute<{ n: number }>(sql`
    select ((select count(*) from integrations.ingestions where external_order_id = ${String(externalId)})
      + (select count(*) from integrations.deliveries where payload->>'id' = ${String(externalId)}))::int as n`);
  return rows[0]!.n;
}

describe('connections', () => {
  test('the secret is never answered nor stored in the clear; fields are checked; one connection per shop', async () => {
    const domain = `c-${crypto.randomUUID().slice(0, 8)}.myshopify.com`;
    const secret = `secret-${crypto.randomUUID()}`;
    const made = await w.api.post('/api/integrations/connections', {
      kind: 'shopify',
      shopDomain: domain,
      secret,
      warehouseId: wh,
      channel: 'c',
    });
    expect(made.status).toBe(201);
    const text = await made.text();
    expect(text).not.toContain(secret);
    const conn = JSON.parse(text) as { id: string; source: string; receiverPath: string };
    expect(conn).toMatchObject({ source: domain, receiverPath: '/api/integrations/shopify/orders' });
    const { rows } = await edge.database.db.execute<{ secret_sealed: string }>(
      sql`select secret_sealed from integrations.connections where id = ${conn.id}`,
    );
    expect(rows[0]!.secret_sealed).toStartWith('v1.');
    expect(rows[0]!.secret_sealed).not.toContain(secret);
    const listed = await (await w.api.get('/api/integrations/connections')).text();
    expect(listed).toContain(conn.id);
    expect(listed).not.toContain(secret);

    const again = await w.api.post('/api/integrations/connections', {
      kind: 'shopify',
      shopDomain: domain.toUpperCase(),
      secret,
      warehouseId: wh,
      channel: `c-${crypto.randomUUID()}`,
    });
    await expectProblem(again, 409, 'duplicate-connection');
    const noSite = await expectProblem(
      await w.api.post('/api/integrations/connections', {
        kind: 'woocommerce',
        secret,
        warehouseId: wh,
        channel: 'c',
      }),
      422,
    );
    expect(noSite.errors?.map((e) => e.path)).toContain('siteUrl');
    const badDomain = await expectProblem(
      await w.api.post('/api/integrations/connections', {
        kind: 'shopify',
        shopDomain: 'not a domain',
        secret,
        warehouseId: wh,
        channel: 'c',
      }),
      422,
    );
    expect(badDomain.errors?.map((e) => e.path)).toContain('shopDomain');
    const noWarehouse = await expectProblem(
      await w.api.post('/api/integrations/connections', {
        kind: 'shopify',
        shopDomain: `x-${domain}`,
        secret,
        warehouseId: crypto.randomUUID(),
        channel: 'c',
      }),
      422,
    );
    expect(noWarehouse.errors?.map((e) => e.path)).toEqual(['warehouseId']);

    expect((await w.api.send(`/api/integrations/connections/${conn.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    await expectProblem(
      await w.api.send(`/api/integrations/connections/${conn.id}`, { method: 'DELETE' }),
      404,
    );
    // Gone: its deliveries are refused.
    const body = shopifyOrder(newOrderId(), [{ sku: w.skus[0]!, quantity: 1 }]);
    await expectProblem(await deliverShopify(body, { shop: domain, hmac: sign(body, secret) }), 401);
  });
});

describe('receivers', () => {
  test('a bad, missing or foreign signature, or an unknown shop, is 401 and nothing is stored', async () => {
    const id = newOrderId();
    const body = shopifyOrder(id, [{ sku: w.skus[0]!, quantity: 1 }]);
    await expectProblem(await deliverShopify(body, { hmac: sign(body, 'another-secret') }), 401);
    await expectProblem(await deliverShopify(body, { hmac: '' }), 401);
    await expectProblem(await deliverShopify(body, { hmac: sign(`${body} `) }), 401);
    await expectProblem(await deliverShopify(body, { shop: 'unknown.myshopify.com' }), 401);
    expect(await storedFor(id)).toBe(0);
    // The same bytes, signed right, are taken: the edge forwarded them unchanged.
    const taken = await deliverShopify(body);
    expect(taken.status).toBe(202);
    await processed(id, 1);
    expect(await storedFor(id)).toBe(2);
  });

  test("WooCommerce's ping when a webhook is saved is answered 200 and stores nothing", async () => {
    const res = await fetch(`${edge.url}/api/integrations/woocommerce/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-wc-webhook-source': siteUrl },
      body: 'webhook_id=42',
    });
    expect(res.status).toBe(200);
  });
});

describe('processing', () => {
  test('the same order delivered three times at once (and once again later) becomes one order', async () => {
    const id = newOrderId();
    const sku = w.skus[0]!;
    const before = await level(sku);
    const body = shopifyOrder(id, [{ sku, quantity: 2, price: '12.99' }]);
    const repeatedId = crypto.randomUUID();
    const answers = await Promise.all([
      deliverShopify(body, { webhookId: repeatedId }),
      deliverShopify(body, { webhookId: repeatedId }),
      deliverShopify(body),
      deliverShopify(body, { topic: 'orders/updated' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    const duplicates = await Promise.all(
      answers.map(async (a) => ((await a.json()) as { duplicate: boolean }).duplicate),
    );
    expect(duplicates.filter(Boolean)).toHaveLength(1);
    const row = await processed(id, 3);
    expect(row).toMatchObject({ status: 'done', reason: null });
    const { rows } = await edge.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from orders.orders where external_ref = ${String(id)}`,
    );
    expect(rows[0]!.n).toBe(1);
    const placed = await order(row.order_id!);
    expect(placed).toMatchObject({ status: 'confirmed', externalRef: String(id), channel: 'shopify-test' });
    expect(placed.lines).toMatchObject([{ sku, qty: 2, unitPrice: { amount: 1299, currency: 'EUR' } }]);
    expect((await level(sku)).reserved).toBe(before.reserved + 2);
    await checkInvariants(edge.database.db, [wh]);
  });

  test('an unknown sku needs attention, holds no stock and is listed with its reason', async () => {
    const id = newOrderId();
    const known = w.skus[1]!;
    const before = await level(known);
    await deliverShopify(
      shopifyOrder(id, [
        { sku: known, quantity: 1 },
        { sku: 'NO-SUCH-SKU', quantity: 1 },
      ]),
    );
    const row = await processed(id, 1);
    expect(row.status).toBe('needs_attention');
    expect(row.order_id).toBeNull();
    expect(row.reason).toContain('NO-SUCH-SKU');
    expect(await level(known)).toEqual(before);
    const { rows } = await edge.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from orders.orders where external_ref = ${String(id)}`,
    );
    expect(rows[0]!.n).toBe(0);
    const listed = (await (
      await w.api.get('/api/integrations/ingestions?status=needs_attention')
    ).json()) as {
      items: { id: string; reason: string; externalNumber: string }[];
    };
    expect(listed.items.find((i) => i.id === row.id)).toMatchObject({ reason: row.reason! });
    const done = (await (await w.api.get('/api/integrations/ingestions?status=done&limit=200')).json()) as {
      items: { id: string }[];
    };
    expect(done.items.map((i) => i.id)).not.toContain(row.id);
    await expectProblem(await w.api.get('/api/integrations/ingestions?status=weird'), 422);
  });

  test('out of stock needs attention and holds nothing; an update the stock can serve then places it', async () => {
    const id = newOrderId();
    const sku = w.skus[2]!;
    const before = await level(sku);
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: before.on_hand - before.reserved + 1 }]));
    const short = await processed(id, 1);
    expect(short).toMatchObject({ status: 'needs_attention', order_id: null });
    expect(short.reason).toContain('stock');
    expect(await level(sku)).toEqual(before);
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 1 }]), { topic: 'orders/updated' });
    const placed = await processed(id, 2);
    expect(placed).toMatchObject({ status: 'done', reason: null });
    expect((await level(sku)).reserved).toBe(before.reserved + 1);
    await checkInvariants(edge.database.db, [wh]);
  });

  test('an update changes the lines; a cancellation cancels the order and releases its stock', async () => {
    const id = newOrderId();
    const [a, b] = [w.skus[0]!, w.skus[1]!];
    const start = { a: await level(a), b: await level(b) };
    await deliverShopify(shopifyOrder(id, [{ sku: a, quantity: 1 }]));
    const first = await processed(id, 1);
    expect(first.status).toBe('done');
    await deliverShopify(
      shopifyOrder(id, [
        { sku: a, quantity: 3 },
        { sku: b, quantity: 1 },
      ]),
      { topic: 'orders/updated' },
    );
    await processed(id, 2);
    expect((await order(first.order_id!)).lines.map((l) => [l.sku, l.qty])).toEqual([
      [a, 3],
      [b, 1],
    ]);
    expect((await level(a)).reserved).toBe(start.a.reserved + 3);
    expect((await level(b)).reserved).toBe(start.b.reserved + 1);
    await deliverShopify(
      shopifyOrder(
        id,
        [
          { sku: a, quantity: 3 },
          { sku: b, quantity: 1 },
        ],
        {
          cancelled_at: '2026-01-15T12:00:00+02:00',
          cancel_reason: 'customer',
        },
      ),
      { topic: 'orders/cancelled' },
    );
    expect(await processed(id, 3)).toMatchObject({ status: 'done', order_id: first.order_id });
    expect((await order(first.order_id!)).status).toBe('cancelled');
    expect((await level(a)).reserved).toBe(start.a.reserved);
    expect((await level(b)).reserved).toBe(start.b.reserved);
    await checkInvariants(edge.database.db, [wh]);
  });

  test('a shipped order is not changed nor cancelled by the shop: that needs attention, the order stays', async () => {
    const id = newOrderId();
    const sku = w.skus[0]!;
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 1 }]));
    const placed = await processed(id, 1);
    expect((await w.api.post(`/api/orders/${placed.order_id}/ship`, {})).status).toBe(200);
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 2 }]), { topic: 'orders/updated' });
    const changed = await processed(id, 2);
    expect(changed).toMatchObject({ status: 'needs_attention', order_id: placed.order_id });
    expect(changed.reason).toContain('not applied');
    expect((await order(placed.order_id!)).lines.map((l) => l.qty)).toEqual([1]);
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 1 }], { cancelled_at: '2026-01-15T12:00:00Z' }), {
      topic: 'orders/cancelled',
    });
    expect(await processed(id, 3)).toMatchObject({ status: 'needs_attention' });
    expect((await order(placed.order_id!)).status).toBe('shipped');
    await checkInvariants(edge.database.db, [wh]);
  });

  test('a job that placed the order but died before recording it finds the order by its unique key', async () => {
    const id = newOrderId();
    const sku = w.skus[1]!;
    const before = await level(sku);
    const webhookId = crypto.randomUUID();
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 1 }]), { webhookId });
    const first = await processed(id, 1);
    // As if the process died after orders committed and before the ingestion was updated.
    await edge.database.db.execute(sql`
      update integrations.ingestions set order_id = null, status = 'received' where id = ${first.id}`);
    await edge.database.db.execute(sql`
      update integrations.deliveries set processed_at = null where delivery_id = ${webhookId}`);
    const { rows: conn } = await edge.database.db.execute<{ id: string }>(
      sql`select id from integrations.connections where source = ${shopDomain}`,
    );
    await enqueueJob(edge.database.db, 'ingest-order', { connectionId: conn[0]!.id, deliveryId: webhookId });
    const again = await processed(id, 1);
    expect(again).toMatchObject({ status: 'done', order_id: first.order_id });
    const { rows } = await edge.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from orders.orders where external_ref = ${String(id)}`,
    );
    expect(rows[0]!.n).toBe(1);
    expect((await level(sku)).reserved).toBe(before.reserved + 1);
    await checkInvariants(edge.database.db, [wh]);
  });

  test('WooCommerce: order.created places the order, order.deleted cancels it', async () => {
    const id = newOrderId();
    const sku = w.skus[0]!;
    const before = await level(sku);
    const base = structuredClone(wooFixture);
    const body = JSON.stringify({
      ...base,
      id,
      number: String(id),
      line_items: [{ ...base.line_items[0], sku, quantity: 2 }],
    });
    expect((await deliverWoo(body)).status).toBe(202);
    const row = await processed(id, 1);
    expect(row.status).toBe('done');
    expect(await order(row.order_id!)).toMatchObject({
      status: 'confirmed',
      channel: 'woo-test',
      externalRef: String(id),
    });
    expect((await level(sku)).reserved).toBe(before.reserved + 2);
    expect((await deliverWoo(JSON.stringify({ id }), { topic: 'order.deleted' })).status).toBe(202);
    await processed(id, 2);
    expect((await order(row.order_id!)).status).toBe('cancelled');
    expect((await level(sku)).reserved).toBe(before.reserved);
    await checkInvariants(edge.database.db, [wh]);
  });
});

/** A WooCommerce order payload from the fixture, with this id and these lines. */
function wooOrder(id: number, lines: Lines, extra: Record<string, unknown> = {}) {
  const base = structuredClone(wooFixture);
  return JSON.stringify({
    ...base,
    id,
    number: String(id),
    line_items: lines.map((l) => ({ ...base.line_items[0], ...l })),
    ...extra,
  });
}

async function ordersWithRef(externalId: number) {
  const { rows } = await edge.database.db.execute<{ n: number }>(
    sql`select count(*)::int as n from orders.orders where external_ref = ${String(externalId)}`,
  );
  return rows[0]!.n;
}

/** Why deliveries of this order changed nothing, as the ingestion list shows them (newest first). */
async function skippedReasons(externalId: number) {
  const listed = (await (await w.api.get('/api/integrations/ingestions?limit=20')).json()) as {
    items: {
      externalOrderId: string;
      deliveries: { processedAt: string | null; skippedReason: string | null }[];
    }[];
  };
  const ingestion = listed.items.find((i) => i.externalOrderId === String(externalId));
  expect(ingestion?.deliveries.every((d) => d.processedAt !== null)).toBe(true);
  return (ingestion?.deliveries ?? []).flatMap((d) => (d.skippedReason ? [d.skippedReason] : []));
}

describe('two shops, one admin', () => {
  test("a second shop cannot take a channel in use: WooCommerce's order ids (1, 2, 3...) would meet", async () => {
    const channel = `woo-${crypto.randomUUID().slice(0, 8)}`;
    const shop = (n: number) => ({
      kind: 'woocommerce',
      siteUrl: `https://shop${n}-${channel}.example.com`,
      secret: SECRET,
      warehouseId: wh,
      channel,
    });
    expect((await w.api.post('/api/integrations/connections', shop(1))).status).toBe(201);
    const second = await expectProblem(
      await w.api.post('/api/integrations/connections', shop(2)),
      409,
      'duplicate-channel',
    );
    expect(second.errors?.map((e) => e.path)).toEqual(['channel']);
    const listed = await (await w.api.get('/api/integrations/connections')).text();
    expect(listed).not.toContain(`shop2-${channel}`);
  });

  test("an order under the shop's key that is not the shop's (another warehouse) is not linked: it needs attention", async () => {
    const id = newOrderId();
    const sku = w.skus[3]!;
    // Placed by hand by the same admin, same channel and shop order id, from the other warehouse.
    const manual = await w.api.post('/api/orders', {
      lines: [{ sku, qty: 1 }],
      warehouseId: wh2,
      externalRef: String(id),
      channel: 'shopify-test',
    });
    expect(manual.status, await manual.clone().text()).toBe(201);
    const manualId = ((await manual.json()) as { id: string }).id;
    const before = await order(manualId);
    await deliverShopify(shopifyOrder(id, [{ sku: w.skus[0]!, quantity: 2 }]));
    const row = await processed(id, 1);
    expect(row).toMatchObject({ status: 'needs_attention', order_id: null });
    expect(row.reason).toContain('not linked');
    await deliverShopify(
      shopifyOrder(id, [{ sku: w.skus[0]!, quantity: 1 }], { cancelled_at: '2026-01-15T12:00:00Z' }),
      {
        topic: 'orders/cancelled',
      },
    );
    await processed(id, 2);
    expect(await order(manualId)).toEqual(before);
    await checkInvariants(edge.database.db, [wh, wh2]);
  });
});

describe('deliveries out of order', () => {
  test('Shopify: a create arriving after the cancellation places nothing (the late delivery is skipped and noted)', async () => {
    const id = newOrderId();
    const sku = w.skus[0]!;
    const before = await level(sku);
    await deliverShopify(
      shopifyOrder(id, [{ sku, quantity: 1 }], {
        updated_at: '2026-01-15T12:00:00+02:00',
        cancelled_at: '2026-01-15T12:00:00+02:00',
      }),
      { topic: 'orders/cancelled' },
    );
    expect(await processed(id, 1)).toMatchObject({ status: 'done', order_id: null });
    await deliverShopify(
      shopifyOrder(id, [{ sku, quantity: 1 }], {
        updated_at: '2026-01-15T11:30:00+02:00',
        cancelled_at: null,
      }),
    );
    expect(await processed(id, 2)).toMatchObject({ status: 'done', order_id: null });
    expect(await ordersWithRef(id)).toBe(0);
    expect(await level(sku)).toEqual(before);
    expect(await skippedReasons(id)).toHaveLength(1);
  });

  test('WooCommerce: once deleted (no timestamp), a later order.created does not place it again', async () => {
    const id = newOrderId();
    const sku = w.skus[1]!;
    const before = await level(sku);
    expect((await deliverWoo(JSON.stringify({ id }), { topic: 'order.deleted' })).status).toBe(202);
    await processed(id, 1);
    await deliverWoo(wooOrder(id, [{ sku, quantity: 1 }], { date_modified_gmt: '2026-02-01T10:00:00' }));
    expect(await processed(id, 2)).toMatchObject({ order_id: null });
    expect(await ordersWithRef(id)).toBe(0);
    expect(await level(sku)).toEqual(before);
    expect((await skippedReasons(id))[0]).toContain('cancelled');
  });

  test('a stale orders/updated does not overwrite newer lines', async () => {
    const id = newOrderId();
    const sku = w.skus[0]!;
    const at = (hh: string) => ({ updated_at: `2026-01-15T${hh}:00:00Z` });
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 1 }], at('10')));
    const first = await processed(id, 1);
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 3 }], at('12')), { topic: 'orders/updated' });
    await processed(id, 2);
    // Sent at 11:00, delivered late (a retry): older than what is applied.
    await deliverShopify(shopifyOrder(id, [{ sku, quantity: 2 }], at('11')), { topic: 'orders/updated' });
    expect(await processed(id, 3)).toMatchObject({ status: 'done', order_id: first.order_id });
    expect((await order(first.order_id!)).lines.map((l) => l.qty)).toEqual([3]);
    expect((await skippedReasons(id))[0]).toContain('Older');
    await checkInvariants(edge.database.db, [wh]);
  });
});

describe('the connecting admin', () => {
  test('disabled: their shop places no order in their name; the ingestion needs attention', async () => {
    const other = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['admin'] });
    const api = apiClient(
      () => edge.url,
      () => other.headers,
    );
    const site = `https://gone-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const made = await api.post('/api/integrations/connections', {
      kind: 'woocommerce',
      siteUrl: site,
      secret: SECRET,
      warehouseId: wh,
      channel: `gone-${crypto.randomUUID().slice(0, 8)}`,
    });
    expect(made.status).toBe(201);
    const disabled = await w.api.send(`/api/users/${other.user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect(disabled.status, await disabled.clone().text()).toBe(200);
    const id = newOrderId();
    const sku = w.skus[1]!;
    const before = await level(sku);
    expect((await deliverWoo(wooOrder(id, [{ sku, quantity: 1 }]), { site })).status).toBe(202);
    const row = await processed(id, 1);
    expect(row).toMatchObject({ status: 'needs_attention', order_id: null });
    expect(row.reason).toContain('reconnect');
    expect(await ordersWithRef(id)).toBe(0);
    expect(await level(sku)).toEqual(before);
  });
});

describe('payloads', () => {
  test('a signed payload with a \\u0000 escape is refused with 422 naming the field, and nothing is stored', async () => {
    const id = newOrderId();
    const body = shopifyOrder(id, [{ sku: w.skus[0]!, quantity: 1 }], { note: 'gift\u0000wrap' });
    expect(body).toContain('\\u0000');
    const problem = await expectProblem(await deliverShopify(body), 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(['note']);
    expect(await storedFor(id)).toBe(0);
  });
});

describe('failures no refusal explains', () => {
  test('a delivery whose job fails its last attempt needs attention, with the error, and holds no stock', async () => {
    const id = newOrderId();
    const sku = w.skus[2]!;
    const before = await level(sku);
    // A real database error when this order is written (not a refusal of orders').
    await edge.database.db.execute(
      sql.raw(`
      create function orders.refuse_${id}() returns trigger language plpgsql as $$
      begin raise exception 'order store unavailable'; end $$;
      create trigger refuse_${id} before insert on orders.orders for each row
        when (new.external_ref = '${id}') execute function orders.refuse_${id}();`),
    );
    try {
      const webhookId = crypto.randomUUID();
      expect((await deliverShopify(shopifyOrder(id, [{ sku, quantity: 1 }]), { webhookId })).status).toBe(
        202,
      );
      const { rows: conn } = await edge.database.db.execute<{ id: string; ingestion: string }>(
        sql`select c.id, i.id as ingestion from integrations.connections c
            join integrations.ingestions i on i.connection_id = c.id and i.external_order_id = ${String(id)}
            where c.source = ${shopDomain}`,
      );
      // The receiver's job retries for hours; this one is its last attempt. In the same queue, so
      // the two never run at once (an attempt holds stock until its insert fails); once this one
      // has settled the delivery, the receiver's retries find it processed and do nothing.
      await enqueueJob(
        edge.database.db,
        'ingest-order',
        { connectionId: conn[0]!.id, deliveryId: webhookId },
        { maxAttempts: 1, queueName: `ingest:${conn[0]!.ingestion}` },
      );
      const row = await processed(id, 1);
      expect(row).toMatchObject({ status: 'needs_attention', order_id: null });
      expect(row.reason).toContain('order store unavailable');
      expect(await ordersWithRef(id)).toBe(0);
      expect(await level(sku)).toEqual(before);
    } finally {
      await edge.database.db.execute(sql.raw(`drop trigger refuse_${id} on orders.orders`));
    }
    await checkInvariants(edge.database.db, [wh]);
  });
});
