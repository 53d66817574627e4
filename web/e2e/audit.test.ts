/**
 * The audit trail on the product and order pages, in Chromium against the whole stack: an admin
 * sees who created a product and who renamed it, field by field; on an order placed by a partner
 * the partner is named, and cancelling it on the page adds the status change to the history at
 * once. A clerk, who may not read the audit log, sees no history. Each screen passes axe and
 * fits 390 px.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createClient } from '@varastokkr/client';
import type { Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { builtDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { checkScreen, workTabs } from './work-screens.ts';

let edge: TestEdge;
let world: StockWorld;
let clerk: Actor;
let partner: Actor;
let home: string;
const tabs = workTabs(() => edge.url);

beforeAll(async () => {
  await builtDashboard();
  edge = await testEdge();
  world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 1 });
  home = world.warehouses[0]!.id;
  const target = { url: edge.url, db: edge.database.db };
  [clerk, partner] = await Promise.all([
    signedIn(target, { roles: ['clerk'], warehouseIds: [home] }),
    signedIn(target, { roles: ['partner'], warehouseIds: [home], name: 'Pia Partner' }),
  ]);
  await receive(world, home, world.skus[0]!, 20);
}, 240_000); // the dashboard's build, Postgres and workerd may all start first

afterAll(async () => {
  await tabs.closeAll();
});

const history = (page: Page) => page.getByRole('list', { name: 'History, newest first' });
const entry = (page: Page, text: RegExp) => history(page).locator('li.audit-entry', { hasText: text });

describe('the audit trail', () => {
  test("a product's page shows who created and renamed it, field by field", async () => {
    const sku = `AUDW-${crypto.randomUUID().slice(0, 6)}`;
    const created = await world.client.POST('/api/products', { body: { sku, name: 'Plain name' } });
    await world.client.PATCH('/api/products/{sku}', {
      params: { path: { sku }, header: { 'if-match': created.response.headers.get('etag') ?? '' } },
      body: { name: 'Better name' },
    });
    const page = await tabs.open(world.admin, `/products/${sku}`);
    await entry(page, /name: Plain name → Better name/).waitFor();
    const rows = history(page).locator('li.audit-entry');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).textContent()).toContain('update');
    expect(await rows.nth(1).textContent()).toContain('create');
    expect(await rows.nth(1).textContent()).toContain(`sku: — → ${sku}`);
    expect(await rows.nth(0).textContent()).toContain(world.admin.user.name);
    await checkScreen(page, 'audit-product');
  });

  test("an order's page names the partner who placed it; a cancel on the page shows at once", async () => {
    const partnerClient = createClient({
      baseUrl: edge.url,
      credentials: { email: partner.user.email, password: partner.password },
    });
    const { data: order } = await partnerClient.POST('/api/orders', {
      body: {
        warehouseId: home,
        lines: [{ sku: world.skus[0]!, qty: 2 }],
        reservationExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const page = await tabs.open(world.admin, `/orders/${order.id}`, 390);
    await entry(page, /Pia Partner \(User\)/).waitFor();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await entry(page, /status: pending → cancelled/).waitFor();
    expect(await entry(page, /status: pending → cancelled/).textContent()).toContain(world.admin.user.name);
    await checkScreen(page, 'audit-order');
  });

  test('a clerk, who may not read the audit log, sees no history', async () => {
    const page = await tabs.open(clerk, `/products/${world.skus[0]!}`);
    await page.getByRole('heading', { name: 'Movements' }).waitFor();
    expect(await page.getByRole('heading', { name: 'History' }).count()).toBe(0);
  });
});
