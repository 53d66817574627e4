/**
 * The audit log through the real edge: writes are recorded with who, from where, under which
 * request and what changed; secrets never enter it; managers read only their warehouses' entries.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem, requestsAs } from '../../test/harness/http.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import type { AuditEntryView } from './schemas.ts';

let edge: TestEdge;
let w: StockWorld;
let wh: string;
let otherWh: string;
let admin: Actor;
const api = requestsAs(() => edge.url);

beforeAll(async () => {
  edge = await testEdge();
  w = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 2, skus: 2 });
  wh = w.warehouses[0]!.id;
  otherWh = w.warehouses[1]!.id;
  admin = w.admin;
}, 120_000);

async function trail(who: { headers: Record<string, string> }, query: string): Promise<AuditEntryView[]> {
  const res = await api.send(who, `/api/audit?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { items: AuditEntryView[] }).items;
}

/** Every audit entry as stored, as text: what a secret must never appear in. */
async function storedText(): Promise<string> {
  const { rows } = await edge.database.pool.query('select actor::text, changes::text from audit.entries');
  return JSON.stringify(rows);
}

describe('writes through the edge', () => {
  test('a product change: who, from where, the request id, the changed fields before and after', async () => {
    const sku = `AUD-${crypto.randomUUID().slice(0, 8)}`;
    const created = await api.json(
      admin,
      'POST',
      '/api/products',
      { sku, name: 'Audited', price: { amount: 100, currency: 'EUR' } },
      { 'user-agent': 'audit-test/1' },
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const productId = ((await created.json()) as { id: string }).id;
    const patched = await api.json(
      admin,
      'PATCH',
      `/api/products/${sku}`,
      { name: 'Audited again' },
      { 'user-agent': 'audit-test/2', 'if-match': created.headers.get('etag') ?? '' },
    );
    expect(patched.status, await patched.clone().text()).toBe(200);

    const items = await trail(admin, `entityType=product&entityId=${productId}`);
    expect(items.map((i) => i.action)).toEqual(['update', 'create']);
    const [update, create] = items as [AuditEntryView, AuditEntryView];
    expect(update.changes).toEqual({ name: { before: 'Audited', after: 'Audited again' } });
    expect(create.changes.sku).toEqual({ before: null, after: sku });
    expect(update.actor).toMatchObject({
      kind: 'user',
      id: admin.user.id,
      roles: ['admin'],
      userAgent: 'audit-test/2',
    });
    expect(update.actor.ip).toBeString();
    expect(update.requestId).toBe(patched.headers.get('x-request-id'));
    expect(create.requestId).toBe(created.headers.get('x-request-id'));
    // And by actor.
    const mine = await trail(admin, `actorId=${admin.user.id}&entityType=product&limit=200`);
    expect(mine.some((i) => i.entityId === productId)).toBe(true);
  });

  test('orders placed at once by two partners each name their own placer (the batch writer)', async () => {
    await receive(w, wh, w.skus[0]!, 50);
    const partners = await Promise.all(
      [0, 1].map(() =>
        signedIn({ url: edge.url, db: edge.database.db }, { roles: ['partner'], warehouseIds: [wh] }),
      ),
    );
    const placed = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const who = partners[i % 2]!;
        return api
          .json(who, 'POST', '/api/orders', { warehouseId: wh, lines: [{ sku: w.skus[0]!, qty: 1 }] })
          .then(async (res) => {
            expect(res.status, await res.clone().text()).toBe(201);
            return {
              who,
              id: ((await res.json()) as { id: string }).id,
              requestId: res.headers.get('x-request-id'),
            };
          });
      }),
    );
    for (const o of placed) {
      const items = await trail(admin, `entityType=order&entityId=${o.id}`);
      const create = items.find((i) => i.action === 'create');
      expect(create?.actor.id).toBe(o.who.user.id);
      expect(create?.requestId).toBe(o.requestId);
    }
  });

  test('a stock adjustment is one entry about its warehouse', async () => {
    const res = await api.json(admin, 'POST', '/api/inventory/adjustments', {
      warehouseId: otherWh,
      sku: w.skus[1]!,
      delta: 3,
      reason: 'received',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const items = await trail(admin, `entityType=stock&entityId=${w.skus[1]!}`);
    expect(items[0]).toMatchObject({ action: 'receipt', changes: { onHand: { before: 0, after: 3 } } });
    expect(items[0]?.requestId).toBe(res.headers.get('x-request-id'));
  });
});

describe('secrets never enter the log', () => {
  test('user, API key, webhook subscription and shop connection creation', async () => {
    const password = `pw-${crypto.randomUUID()}`;
    const user = await api.json(admin, 'POST', '/api/users', {
      email: `audit-${crypto.randomUUID().slice(0, 8)}@example.test`,
      password,
      name: 'Audited user',
      roles: ['clerk'],
      warehouseIds: [wh],
    });
    expect(user.status, await user.clone().text()).toBe(201);
    const userId = ((await user.json()) as { id: string }).id;
    const key = await api.json(admin, 'POST', '/api/api-keys', {
      name: 'Audited key',
      roles: ['partner'],
      warehouseIds: [wh],
    });
    expect(key.status, await key.clone().text()).toBe(201);
    const keyView = (await key.json()) as { id: string; key: string };
    const hook = await api.json(admin, 'POST', '/api/webhooks', {
      url: 'https://hooks.example.com/audit',
      events: ['order.created'],
    });
    expect(hook.status, await hook.clone().text()).toBe(201);
    const hookView = (await hook.json()) as { id: string; secret: string };
    const shopSecret = `shpss_${crypto.randomUUID().replaceAll('-', '')}`;
    const shop = await api.json(admin, 'POST', '/api/integrations/connections', {
      kind: 'shopify',
      shopDomain: `audit-${crypto.randomUUID().slice(0, 8)}.myshopify.com`,
      secret: shopSecret,
      warehouseId: wh,
      channel: `audit-${crypto.randomUUID().slice(0, 8)}`,
    });
    expect(shop.status, await shop.clone().text()).toBe(201);
    const shopId = ((await shop.json()) as { id: string }).id;

    const stored = await storedText();
    for (const secret of [password, keyView.key, keyView.key.slice(-16), hookView.secret, shopSecret])
      expect(stored).not.toContain(secret);
    const { rows } = await edge.database.pool.query(
      `select entity_type, changes from audit.entries where entity_id = any($1) and action = 'create'`,
      [[userId, keyView.id, hookView.id, shopId]],
    );
    const byType = Object.fromEntries(rows.map((r) => [r.entity_type, r.changes]));
    expect(byType.user?.password_hash).toEqual({ before: null, after: '[redacted]' });
    expect(byType.user?.email?.after).toBeString();
    expect(byType.api_key?.key_hash).toEqual({ before: null, after: '[redacted]' });
    expect(byType.webhook_subscription?.secret_sealed).toEqual({ before: null, after: '[redacted]' });
    expect(byType.shop_connection?.secret_sealed).toEqual({ before: null, after: '[redacted]' });
    // A password change is recorded as a change, without the password.
    const newPassword = `pw-${crypto.randomUUID()}`;
    const changed = await api.json(admin, 'PATCH', `/api/users/${userId}`, { password: newPassword });
    expect(changed.status, await changed.clone().text()).toBe(200);
    const items = await trail(admin, `entityType=user&entityId=${userId}`);
    expect(items[0]?.changes.passwordHash).toEqual({ before: '[redacted]', after: '[redacted]' });
    expect(await storedText()).not.toContain(newPassword);
  });
});

describe('who reads it', () => {
  test('managers read their warehouses and the catalog, not the rest; clerks nothing', async () => {
    const manager = await signedIn(
      { url: edge.url, db: edge.database.db },
      { roles: ['manager'], warehouseIds: [wh] },
    );
    const clerk = await signedIn(
      { url: edge.url, db: edge.database.db },
      { roles: ['clerk'], warehouseIds: [wh] },
    );
    const res = await api.json(admin, 'POST', '/api/inventory/adjustments', {
      warehouseId: otherWh,
      sku: w.skus[0]!,
      delta: 2,
      reason: 'received',
    });
    expect(res.status).toBe(201);
    await api.json(admin, 'POST', '/api/inventory/adjustments', {
      warehouseId: wh,
      sku: w.skus[0]!,
      delta: 2,
      reason: 'received',
    });
    const seen = await trail(manager, `entityType=stock&entityId=${w.skus[0]!}&limit=200`);
    expect(seen.length).toBeGreaterThan(0);
    const all = await trail(admin, `entityType=stock&entityId=${w.skus[0]!}&limit=200`);
    expect(all.length).toBeGreaterThan(seen.length);
    expect(await trail(manager, 'entityType=user')).toEqual([]);
    expect((await trail(manager, 'entityType=product&limit=5')).length).toBeGreaterThan(0);
    expect((await api.send(clerk, '/api/audit')).status).toBe(403);
  });

  test('pages follow nextCursor without repeats', async () => {
    const first = await api.send(admin, '/api/audit?limit=2');
    const page = (await first.json()) as { items: AuditEntryView[]; nextCursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeString();
    const second = (await (await api.send(admin, `/api/audit?limit=2&cursor=${page.nextCursor}`)).json()) as {
      items: AuditEntryView[];
    };
    expect(second.items).toHaveLength(2);
    const key = (i: AuditEntryView) => `${i.at}|${i.entityType}|${i.entityId}|${i.action}|${i.requestId}`;
    const firstKeys = new Set(page.items.map(key));
    expect(second.items.filter((i) => firstKeys.has(key(i)))).toEqual([]);
    expect((second.items[0] as AuditEntryView).at <= (page.items[1] as AuditEntryView).at).toBe(true);
  });

  test('bad parameters are a 422 naming the field', async () => {
    for (const [query, field] of [
      ['entityType=spaceship', 'entityType'],
      ['from=yesterday', 'from'],
      ['limit=0', 'limit'],
      ['cursor=nope', 'cursor'],
      ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ] as const) {
      const problem = await expectProblem(await api.send(admin, `/api/audit?${query}`), 422);
      expect(
        problem.errors?.map((e) => e.path),
        query,
      ).toContain(field);
    }
  });
});
