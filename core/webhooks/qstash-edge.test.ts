/**
 * Webhooks through QStash, on a stack of their own (Postgres, core, the jobs runner, the edge in
 * workerd) configured with QSTASH_* settings that point @upstash/qstash's Client at a local fake
 * QStash (test/harness/fake-qstash.ts: the publish API as the SDK calls it, real delivery to a real
 * receiver, callbacks signed as QStash signs under keys made here). The callbacks come in through
 * the edge and are verified by the SDK's real Receiver. No real QStash is contacted.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { signedIn } from '../../test/harness/auth.ts';
import { type EdgeStack, startEdgeStack } from '../../test/harness/edge.ts';
import { type FakeQStash, fakeQStash, qstashSignature } from '../../test/harness/fake-qstash.ts';
import { eventually, expectProblem, requestsAs } from '../../test/harness/http.ts';
import { type WebhookReceiver, webhookReceiver } from '../../test/harness/webhook-receiver.ts';
import { QSTASH_CALLBACK_PATH } from './qstash-publisher.ts';
import type { DeliveryView, SubscriptionView } from './schemas.ts';

let stack: EdgeStack;
let qstash: FakeQStash;
const receivers: WebhookReceiver[] = [];
const api = requestsAs(() => stack.url);
type Caller = { headers: Record<string, string> };
let admin: Caller;

beforeAll(async () => {
  qstash = await fakeQStash();
  stack = await startEdgeStack({
    name: 'qstash',
    jobs: true,
    webhooks: (edgeUrl) => ({
      qstash: {
        token: qstash.token,
        url: qstash.url,
        currentSigningKey: qstash.currentSigningKey,
        nextSigningKey: qstash.nextSigningKey,
        retries: 2,
        callbackBaseUrl: edgeUrl,
      },
    }),
  });
  admin = await signedIn({ url: stack.url, db: stack.database.db }, { roles: ['admin'] });
}, 180_000);

afterAll(async () => {
  for (const r of receivers) r.stop();
  qstash?.stop();
  await stack?.stop();
});

async function receiver(mode: Parameters<typeof webhookReceiver>[0]) {
  const r = await webhookReceiver(mode);
  receivers.push(r);
  r.up();
  return r;
}

async function subscribe(url: string, events = ['product.created']) {
  const res = await api.json(admin, 'POST', '/api/webhooks', { url, events });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as SubscriptionView & { secret: string };
}

async function deliveriesOf(id: string): Promise<DeliveryView[]> {
  const res = await api.send(admin, `/api/webhooks/${id}/deliveries?limit=50`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: DeliveryView[] }).items;
}

/** A new product: its product.created event goes to every subscription. */
async function newProduct(): Promise<string> {
  const sku = `QS-${crypto.randomUUID().slice(0, 8)}`;
  const res = await api.json(admin, 'POST', '/api/products', { sku, name: 'QStash product' });
  expect(res.status).toBe(201);
  return sku;
}

/** The (only) delivery of the subscription once it is settled as `status`. */
const settled = (subId: string, status: DeliveryView['status']) =>
  eventually(async () => {
    const [d] = await deliveriesOf(subId);
    return d?.status === status ? d : undefined;
  }, 30_000);

/** POSTs a callback to the edge as QStash would, signed under `key`. */
function postCallback(deliveryId: string, outcome: 'attempt' | 'failure', payload: object, key?: string) {
  const url = `${stack.url}${QSTASH_CALLBACK_PATH}?delivery=${deliveryId}&outcome=${outcome}`;
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { 'upstash-signature': qstashSignature(key, url, body) } : {}),
    },
    body,
  });
}

describe('deliveries published through QStash', () => {
  test('the signed Standard Webhooks request goes through QStash to the receiver; the callback marks it succeeded', async () => {
    const r = await receiver({ answer: 200 });
    const sub = await subscribe(r.url);
    const sku = await newProduct();

    const arrived = await r.waitFor((x) => x.json.data.sku === sku);
    // The receiver verifies it with the reference library: QStash forwarded our signed headers and body.
    const payload = new Webhook(sub.secret).verify(arrived.body, arrived.headers) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(payload).toMatchObject({ type: 'product.created', data: { sku } });
    expect(arrived.headers['user-agent']).toBe('Upstash-QStash');

    // The publish request, as the SDK sent it.
    const published = qstash.published.find((m) => m.body === arrived.body);
    expect(published).toBeDefined();
    expect(published!.destination).toBe(r.url);
    expect(published!.headers.authorization).toBe(`Bearer ${qstash.token}`);
    expect(published!.headers['upstash-retries']).toBe('2');
    expect(published!.headers['upstash-forward-webhook-id']).toBe(arrived.headers['webhook-id']);
    expect(published!.headers['upstash-callback']).toStartWith(
      `${stack.url}${QSTASH_CALLBACK_PATH}?delivery=`,
    );
    expect(published!.headers['upstash-failure-callback']).toEndWith('&outcome=failure');

    const done = await settled(sub.id, 'succeeded');
    expect(done.webhookId).toBe(arrived.headers['webhook-id']!);
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({ statusCode: 200, error: null, url: r.url });
    expect(done.attempts[0]!.responseBody).toStartWith('answer xxx');
    expect(done.attempts[0]!.responseBody).toHaveLength(1024);
    const callback = await qstash.waitForCallback((c) => c.url.includes(done.id));
    expect(callback.answered).toBe(200);
  });

  test("each failed attempt is logged from QStash's callbacks; after its failure callback the delivery is published again, signed afresh", async () => {
    const r = await receiver({ answer: 503 });
    const sub = await subscribe(r.url);
    await newProduct();
    // Three attempts (retries: 2), each from a callback, then QStash's failure callback: the
    // delivery waits for our own retry instead of failing.
    const gaveUp = await eventually(async () => {
      const [d] = await deliveriesOf(sub.id);
      return d && d.attempts.length >= 4 ? d : undefined;
    }, 30_000);
    r.mode = { answer: 204 };
    expect(gaveUp.attempts.slice(0, 4).map((a) => a.statusCode)).toEqual([503, 503, 503, 503]);
    expect(gaveUp.attempts.slice(0, 3).every((a) => a.error === 'the receiver answered 503')).toBe(true);
    expect(gaveUp.attempts[3]!.error).toContain('QStash gave up after 2 retries');
    const after = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
    expect(after.enabled).toBe(true);
    expect(after.failingSince).not.toBeNull();

    // Published again after our backoff: a new deduplication id and a new signature (QStash would
    // re-send the first one as it was, its timestamp ageing past receivers' tolerance).
    const done = await settled(sub.id, 'succeeded');
    expect(done.attempts.at(-1)).toMatchObject({ statusCode: 204, error: null });
    const publishes = qstash.published.filter(
      (m) => m.headers['upstash-forward-webhook-id'] === done.webhookId,
    );
    expect(publishes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(publishes.map((m) => m.headers['upstash-deduplication-id'])).size).toBe(publishes.length);
    expect(new Set(publishes.map((m) => m.headers['upstash-forward-webhook-signature'])).size).toBe(
      publishes.length,
    );
    expect(
      publishes.every((m) => m.headers['upstash-retry-delay'] === 'min(60000, pow(2, retried) * 5000)'),
    ).toBe(true);
    const accepted = r.received.find((x) => x.answered === 204)!;
    expect(() => new Webhook(sub.secret).verify(accepted.body, accepted.headers)).not.toThrow();
    const healthy = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
    expect(healthy.failingSince).toBeNull();

    // One call retries a delivery whatever became of it: published once more, with a new id.
    const retried = await api.send(admin, `/api/webhooks/${sub.id}/deliveries/${done.id}/retry`, {
      method: 'POST',
    });
    expect(retried.status).toBe(200);
    await eventually(async () => {
      const n = qstash.published.filter(
        (m) => m.headers['upstash-forward-webhook-id'] === done.webhookId,
      ).length;
      return n > publishes.length ? true : undefined;
    });
  });

  test("a receiver answering 410 through QStash disables its subscription and stops QStash's retries", async () => {
    const r = await receiver({ answer: 410 });
    const sub = await subscribe(r.url);
    await newProduct();
    const failed = await settled(sub.id, 'failed');
    const after = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
    expect(after).toMatchObject({ enabled: false, disabledReason: 'the receiver answered 410 Gone' });
    // The message was cancelled while its callback was answered: QStash sent it once.
    const message = qstash.published.find(
      (m) => m.headers['upstash-forward-webhook-id'] === failed.webhookId,
    );
    await eventually(async () => (qstash.cancelled.includes(message!.messageId) ? true : undefined));
    expect(r.received).toHaveLength(1);
    expect(failed.attempts).toHaveLength(1);
  });
});

describe('the five-day rule', () => {
  test("a subscription failing for five days is disabled by QStash's next failed attempt, and an event says so", async () => {
    const watcher = await receiver({ answer: 200 });
    const watch = await subscribe(watcher.url, ['webhook.disabled']);
    const sub = await subscribe((await receiver({ answer: 500 })).url);
    await stack.database.db.execute(
      sql`update webhooks.subscriptions set failing_since = now() - interval '6 days' where id = ${sub.id}`,
    );
    await newProduct();
    const failed = await settled(sub.id, 'failed');
    // Failed at its first attempt's callback, which cancelled QStash's retries.
    expect(failed.attempts).toHaveLength(1);
    expect(failed.attempts[0]).toMatchObject({ statusCode: 500, error: 'the receiver answered 500' });
    const message = qstash.published.find(
      (m) => m.headers['upstash-forward-webhook-id'] === failed.webhookId,
    );
    await eventually(async () => (qstash.cancelled.includes(message!.messageId) ? true : undefined));
    const after = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
    expect(after.enabled).toBe(false);
    expect(after.disabledReason).toBe('deliveries failed for 144 hours');
    // The webhook.disabled event, itself delivered through QStash.
    const said = await watcher.waitFor((x) => x.json.data.subscriptionId === sub.id);
    expect(new Webhook(watch.secret).verify(said.body, said.headers)).toMatchObject({
      type: 'webhook.disabled',
    });
  });
});

describe('callback signatures', () => {
  test('a callback signed with another key, for another URL, or unsigned is 401 and changes nothing', async () => {
    const r = await receiver({ answer: 200 });
    const sub = await subscribe(r.url);
    await newProduct();
    const before = await settled(sub.id, 'succeeded');
    const forged = { status: 410, body: '', retried: 0, maxRetries: 2, sourceMessageId: 'msg_forged' };

    const wrongKey = await postCallback(before.id, 'failure', forged, `sig_${crypto.randomUUID()}`);
    const problem = await expectProblem(wrongKey, 401);
    expect(problem.detail).toContain('not signed by QStash');
    await expectProblem(await postCallback(before.id, 'failure', forged), 401);
    // Signed by QStash's key, but for another URL (the attempt callback) than it is posted to.
    const url = `${stack.url}${QSTASH_CALLBACK_PATH}?delivery=${before.id}&outcome=attempt`;
    const body = JSON.stringify(forged);
    const elsewhere = await fetch(url.replace('outcome=attempt', 'outcome=failure'), {
      method: 'POST',
      headers: { 'upstash-signature': qstashSignature(qstash.currentSigningKey, url, body) },
      body,
    });
    await expectProblem(elsewhere, 401);

    const [after] = await deliveriesOf(sub.id);
    expect(after).toEqual(before);
    const subAfter = (await (await api.send(admin, `/api/webhooks/${sub.id}`)).json()) as SubscriptionView;
    expect(subAfter.enabled).toBe(true);
  });

  test('callbacks signed with the next signing key (after QStash rotates) are accepted', async () => {
    qstash.signingWith = 'next';
    try {
      const r = await receiver({ answer: 200 });
      const sub = await subscribe(r.url);
      await newProduct();
      const done = await settled(sub.id, 'succeeded');
      const callback = await qstash.waitForCallback((c) => c.url.includes(done.id));
      expect(callback.answered).toBe(200);
    } finally {
      qstash.signingWith = 'current';
    }
  });

  test('a bad query is a 422 naming the field', async () => {
    const res = await fetch(`${stack.url}${QSTASH_CALLBACK_PATH}?delivery=nope&outcome=attempt`, {
      method: 'POST',
      body: '{}',
    });
    const problem = await expectProblem(res, 422);
    expect(problem.errors?.map((e) => e.path)).toContain('delivery');
  });
});
