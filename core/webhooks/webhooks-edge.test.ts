/**
 * Outbound webhooks on a whole stack of their own (Postgres, core, the jobs runner with short
 * retry delays, the edge in workerd), every call through the edge, every delivery to a real
 * local receiver and verified with the `standardwebhooks` reference library.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { type EdgeStack, startEdgeStack } from '../../test/harness/edge.ts';
import { eventually, expectProblem, requestsAs } from '../../test/harness/http.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import {
  type ReceivedWebhook,
  type WebhookReceiver,
  webhookReceiver,
} from '../../test/harness/webhook-receiver.ts';
import { createApiKey } from '../identity/api-keys.ts';
import { enqueueEvent } from '../platform/outbox.ts';
import type { DeliveryView, SubscriptionView } from './schemas.ts';

let stack: EdgeStack;
let w: StockWorld;
let own: string;
let other: string;
const receivers: WebhookReceiver[] = [];
const api = requestsAs(() => stack.url);
type Caller = { headers: Record<string, string> };
let admin: Caller;

beforeAll(async () => {
  stack = await startEdgeStack({
    name: 'webhooks',
    jobs: true,
    webhooks: { retryBaseMs: 30, retryMaxDelayMs: 300, timeoutMs: 500 },
  });
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 2, skus: 2 });
  [own, other] = w.warehouses.map((x) => x.id) as [string, string];
  admin = w.admin;
}, 180_000);

afterAll(async () => {
  for (const r of receivers) r.stop();
  await stack?.stop();
});

async function receiver(mode: Parameters<typeof webhookReceiver>[0] = { answer: 200 }, up = true) {
  const r = await webhookReceiver(mode);
  receivers.push(r);
  if (up) r.up();
  return r;
}

async function subscribe(who: Caller, url: string, events: string[]) {
  const res = await api.json(who, 'POST', '/api/webhooks', { url, events });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as SubscriptionView & { secret: string };
}

async function partnerKey(warehouseIds: string[]): Promise<Caller> {
  const key = await createApiKey(
    stack.database.db,
    { name: 'partner', roles: ['partner'], warehouseIds },
    null,
  );
  return { headers: { 'x-api-key': key.key } };
}

async function deliveriesOf(who: Caller, id: string, query = ''): Promise<DeliveryView[]> {
  const res = await api.send(who, `/api/webhooks/${id}/deliveries?limit=200${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: DeliveryView[] }).items;
}

const verified = (secret: string, r: ReceivedWebhook) =>
  new Webhook(secret).verify(r.body, r.headers) as { type: string; data: Record<string, unknown> };

async function newProduct(): Promise<string> {
  const sku = `WH-${crypto.randomUUID().slice(0, 8)}`;
  const res = await api.json(admin, 'POST', '/api/products', { sku, name: 'Webhook product' });
  expect(res.status).toBe(201);
  return sku;
}

describe('subscriptions through the edge', () => {
  test('bad input is a 422 naming the fields; the secret is whsec_ and shown once', async () => {
    const bad = await api.json(admin, 'POST', '/api/webhooks', {
      url: 'not a url',
      events: ['stock.changed', 'nope'],
    });
    const problem = await expectProblem(bad, 422);
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['url', 'events.1']));
    const r = await receiver();
    const created = await subscribe(admin, r.url, ['stock.changed']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(created.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const read = await api.send(admin, `/api/webhooks/${created.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).not.toHaveProperty('secret');
    const stored = await stack.database.db.execute<{ secret_sealed: string }>(
      sql`select secret_sealed from webhooks.subscriptions where id = ${created.id}`,
    );
    expect(stored.rows[0]?.secret_sealed).toStartWith('v1.');
    expect(stored.rows[0]?.secret_sealed).not.toContain(created.secret.slice(6));
  });

  test('list, read, change, delete; a partner manages only its own', async () => {
    const r = await receiver();
    const mine = await subscribe(admin, r.url, ['order.created']);
    const partner = await partnerKey([own]);
    const theirs = await subscribe(partner, r.url, ['stock.changed']);
    expect(theirs.ownerKind).toBe('api_key');

    const partnerList = (await (await api.send(partner, '/api/webhooks')).json()) as {
      items: SubscriptionView[];
    };
    expect(partnerList.items.map((s) => s.id)).toEqual([theirs.id]);
    const adminList = (await (await api.send(admin, '/api/webhooks?limit=200')).json()) as {
      items: SubscriptionView[];
    };
    expect(adminList.items.map((s) => s.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    expect(adminList.items.some((s) => 'secret' in s)).toBe(false);

    expect((await api.send(partner, `/api/webhooks/${mine.id}`)).status).toBe(404);
    expect((await api.json(partner, 'PATCH', `/api/webhooks/${mine.id}`, { enabled: false })).status).toBe(
      404,
    );
    expect((await api.send(partner, `/api/webhooks/${mine.id}`, { method: 'DELETE' })).status).toBe(404);

    const changed = await api.json(partner, 'PATCH', `/api/webhooks/${theirs.id}`, {
      events: ['*'],
      description: 'all of it',
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ events: ['*'], description: 'all of it' });
    await expectProblem(await api.json(partner, 'PATCH', `/api/webhooks/${theirs.id}`, {}), 422);
    expect((await api.send(partner, `/api/webhooks/${theirs.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api.send(admin, `/api/webhooks/${theirs.id}`)).status).toBe(404);
    expect((await api.send(admin, `/api/webhooks/${mine.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('delivery', () => {
  test('a receiver down, then failing, then hanging, then back gets every event, signed, with one webhook-id per event', async () => {
    const r = await receiver({ answer: 500 }, false);
    const sub = await subscribe(admin, r.url, ['stock.changed']);
    const sku = w.skus[0]!;
    for (const qty of [1, 2, 3]) await receive(w, own, sku, qty);

    // Down: every delivery has failed at least once, unable to connect.
    await eventually(async () => {
      const ds = await deliveriesOf(admin, sub.id);
      return ds.length === 3 && ds.every((d) => d.attempts.some((a) => a.error?.includes('could not reach')))
        ? true
        : undefined;
    }, 30_000);
    r.up();
    await r.waitFor((x) => x.answered === 500);
    r.mode = 'hang';
    await r.waitFor((x) => x.answered === undefined);
    r.mode = { answer: 200 };
    const done = await eventually(async () => {
      const ds = await deliveriesOf(admin, sub.id, '&status=succeeded');
      return ds.length === 3 ? ds : undefined;
    }, 30_000);

    const versions = new Set<unknown>();
    for (const d of done) {
      const requests = r.received.filter((x) => x.headers['webhook-id'] === d.webhookId);
      expect(requests.some((x) => x.answered === 200)).toBe(true);
      expect(new Set(requests.map((x) => x.body)).size).toBe(1);
      const payload = verified(sub.secret, requests[0]!);
      expect(payload.type).toBe('stock.changed');
      expect(payload.data).toMatchObject({ sku, warehouseId: own });
      versions.add(payload.data.version);
      for (const x of requests) expect(() => verified(sub.secret, x)).not.toThrow();
    }
    expect(versions.size).toBe(3);
    const attempts = done.flatMap((d) => d.attempts);
    expect(attempts.some((a) => a.statusCode === 500 && (a.responseBody?.length ?? 0) === 1024)).toBe(true);
    expect(attempts.some((a) => a.error === 'no answer within 500 ms')).toBe(true);
    expect(done.some((d) => d.attemptCount > 1)).toBe(true);
    const after = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
    expect(after).toMatchObject({ enabled: true, failingSince: null });
  });

  test('an event whose transaction rolled back is never delivered; the committed one is', async () => {
    const r = await receiver();
    const sub = await subscribe(admin, r.url, ['product.created']);
    const rolledBack = `ROLLED-${crypto.randomUUID().slice(0, 8)}`;
    let eventId = '';
    await stack.database.db
      .transaction(async (tx) => {
        eventId = (await enqueueEvent(tx, { type: 'product.created', data: { sku: rolledBack, version: 1 } }))
          .id;
        throw new Error('roll back');
      })
      .catch(() => {});
    const sku = await newProduct();
    const arrived = await r.waitFor((x) => x.json.data.sku === sku);
    expect(verified(sub.secret, arrived).data).toMatchObject({ sku, version: 1 });
    expect(r.received.filter((x) => x.json.data.sku === rolledBack)).toEqual([]);
    const rows = await stack.database.db.execute(
      sql`select 1 from webhooks.deliveries where event_id = ${eventId}`,
    );
    expect(rows.rows).toEqual([]);
  });

  test('410 disables the subscription, and so do five days of failures; an event says so', async () => {
    const watcher = await receiver();
    const watch = await subscribe(admin, watcher.url, ['webhook.disabled']);
    const gone = await subscribe(admin, (await receiver({ answer: 410 })).url, ['product.created']);
    const failing = await subscribe(admin, (await receiver({ answer: 503 })).url, ['product.created']);
    await stack.database.db.execute(
      sql`update webhooks.subscriptions set failing_since = now() - interval '6 days' where id = ${failing.id}`,
    );
    await newProduct();
    for (const [sub, reason] of [
      [gone, /410/],
      [failing, /failed for 144 hours/],
    ] as const) {
      const said = await watcher.waitFor((x) => x.json.data.subscriptionId === sub.id);
      expect(verified(watch.secret, said)).toMatchObject({ type: 'webhook.disabled' });
      const read = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
      expect(read.enabled).toBe(false);
      expect(read.disabledReason).toMatch(reason);
    }
    const retry = await api.json(admin, 'POST', `/api/webhooks/${gone.id}/replay`, {
      from: new Date(Date.now() - 60_000).toISOString(),
      to: new Date().toISOString(),
    });
    await expectProblem(retry, 409, 'webhook-disabled');
  });

  test('one call retries a delivery, a replay sends a time range again, a rotated secret signs twice', async () => {
    const r = await receiver();
    const sub = await subscribe(admin, r.url, ['product.created']);
    const from = new Date(Date.now() - 1000).toISOString();
    const sku = await newProduct();
    const first = await r.waitFor((x) => x.json.data.sku === sku);
    const id = first.headers['webhook-id']!;
    const [delivery] = await eventually(async () => {
      const ds = await deliveriesOf(admin, sub.id, '&status=succeeded');
      return ds.length === 1 ? ds : undefined;
    });
    expect(delivery?.webhookId).toBe(id);

    const retried = await api.json(
      admin,
      'POST',
      `/api/webhooks/${sub.id}/deliveries/${delivery!.id}/retry`,
      {},
    );
    expect(retried.status).toBe(200);
    await eventually(async () =>
      r.received.filter((x) => x.headers['webhook-id'] === id).length >= 2 ? true : undefined,
    );

    const replay = await api.json(admin, 'POST', `/api/webhooks/${sub.id}/replay`, {
      from,
      to: new Date(Date.now() + 1000).toISOString(),
    });
    expect(replay.status).toBe(202);
    expect(((await replay.json()) as { queued: number }).queued).toBeGreaterThanOrEqual(1);
    await eventually(async () =>
      r.received.filter((x) => x.headers['webhook-id'] === id).length >= 3 ? true : undefined,
    );
    await expectProblem(
      await api.json(admin, 'POST', `/api/webhooks/${sub.id}/replay`, {
        from: '2026-01-02T00:00:00Z',
        to: '2026-01-01T00:00:00Z',
      }),
      422,
    );

    const rotated = await api.json(admin, 'POST', `/api/webhooks/${sub.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).not.toBe(sub.secret);
    const next = await newProduct();
    const signedTwice = await r.waitFor((x) => x.json.data.sku === next);
    expect(
      signedTwice.headers['webhook-signature']?.split(' ').filter((s) => s.startsWith('v1,')),
    ).toHaveLength(2);
    expect(verified(sub.secret, signedTwice).data.sku).toBe(next);
    expect(verified(secret, signedTwice).data.sku).toBe(next);
  });

  test('a partner key receives only events about what it may read: its own orders, stock in its scope', async () => {
    const [sku0, sku1] = w.skus as [string, string];
    await receive(w, own, sku0, 50);
    await receive(w, other, sku1, 50);
    const partner = await partnerKey([own]);
    const partnerReceiver = await receiver();
    const everything = await receiver();
    const theirs = await subscribe(partner, partnerReceiver.url, ['*']);
    await subscribe(admin, everything.url, ['*']);

    const placed = await api.json(partner, 'POST', '/api/orders', {
      lines: [{ sku: sku0, qty: 1 }],
      warehouseId: own,
    });
    expect(placed.status, await placed.clone().text()).toBe(201);
    const partnerOrder = ((await placed.json()) as { id: string }).id;
    const staffOrderRes = await api.json(admin, 'POST', '/api/orders', {
      lines: [{ sku: sku0, qty: 1 }],
      warehouseId: own,
    });
    const staffOrder = ((await staffOrderRes.json()) as { id: string }).id;
    await receive(w, other, sku1, 1);

    // The admin's subscription hears all of it; once it has, the partner's deliveries are decided.
    const otherStock = await everything.waitFor(
      (x) => x.json.type === 'stock.changed' && x.json.data.warehouseId === other,
    );
    await everything.waitFor((x) => x.json.type === 'order.created' && x.json.data.id === staffOrder);
    const ownOrder = await partnerReceiver.waitFor(
      (x) => x.json.type === 'order.created' && x.json.data.id === partnerOrder,
    );
    expect(verified(theirs.secret, ownOrder).data).toMatchObject({
      id: partnerOrder,
      version: expect.any(Number),
    });
    await partnerReceiver.waitFor((x) => x.json.type === 'stock.changed' && x.json.data.warehouseId === own);

    const seen = await deliveriesOf(partner, theirs.id);
    expect(seen.map((d) => d.eventType)).toContain('order.created');
    // What was decided for the partner (not only what has arrived yet): its deliveries' bodies.
    const decided = await stack.database.db.execute<{ payload: ReceivedWebhook['json'] }>(
      sql`select payload from webhooks.deliveries where subscription_id = ${theirs.id}`,
    );
    const payloads = decided.rows.map((r) => r.payload);
    expect(payloads.some((p) => p.data.id === partnerOrder)).toBe(true);
    expect(payloads.some((p) => p.data.id === staffOrder)).toBe(false);
    expect(payloads.some((p) => p.type.startsWith('stock.') && p.data.warehouseId !== own)).toBe(false);
    expect(otherStock.json.data.warehouseId).toBe(other);
    // Its own subscriptions only: the admin's are not the partner's to read.
    const listed = (await (await api.send(partner, '/api/webhooks')).json()) as { items: SubscriptionView[] };
    expect(listed.items.map((x) => x.id)).toEqual([theirs.id]);
  });
});

test("without QSTASH_TOKEN, QStash's callback route is 404", async () => {
  const res = await fetch(
    `${stack.url}/api/webhooks/qstash/callback?delivery=${crypto.randomUUID()}&outcome=attempt`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":200}' },
  );
  await expectProblem(res, 404);
});
