/**
 * The orders screens end to end, in Chromium against the whole stack: the list and its filters,
 * shipping part of an order and then the rest, delivering, cancelling, confirming a pending
 * order, a refusal shown in words, the pick list printing alone, and a partner offered only
 * what a partner may do. Orders are placed through the API first.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createClient, type VarastokkrClient } from '@varastokkr/client';
import type { Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { builtDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { alertText, checkScreen, stockLevel, workTabs } from './work-screens.ts';

let edge: TestEdge;
let world: StockWorld;
let clerk: Actor;
let partner: Actor;
let partnerClient: VarastokkrClient;
let home: string;
let away: string;
let sku0: string;
let sku1: string;
const tabs = workTabs(() => edge.url);
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function placeOrder(
  client: VarastokkrClient,
  lines: { sku: string; qty: number }[],
  extra: { warehouseId?: string; reservationExpiresAt?: string; externalRef?: string } = {},
) {
  const { data } = await client.POST('/api/orders', { body: { lines, warehouseId: home, ...extra } });
  return data;
}

const orderIds = async (page: Page) =>
  Promise.all((await page.locator('tr[data-order]').all()).map((row) => row.getAttribute('data-order')));

const orderStatus = (page: Page, status: string) =>
  page.locator('#order-status', { hasText: new RegExp(`^${status}$`) }).waitFor();

beforeAll(async () => {
  await builtDashboard();
  edge = await testEdge();
  world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 2, skus: 2 });
  [home, away] = world.warehouses.map((w) => w.id) as [string, string];
  [sku0, sku1] = world.skus as [string, string];
  const target = { url: edge.url, db: edge.database.db };
  [clerk, partner] = await Promise.all([
    signedIn(target, { roles: ['clerk'], warehouseIds: [home, away] }),
    signedIn(target, { roles: ['partner'], warehouseIds: [home] }),
  ]);
  partnerClient = createClient({
    baseUrl: edge.url,
    credentials: { email: partner.user.email, password: partner.password },
  });
  await receive(world, home, sku0, 40);
  await receive(world, home, sku1, 20);
  await receive(world, away, sku0, 10);
}, 240_000); // the dashboard's build, Postgres and workerd may all start first

afterAll(async () => {
  await tabs.closeAll();
});

describe('the order list', () => {
  test('filters by status and warehouse from the API, kept in the address', async () => {
    const shipped = await placeOrder(world.client, [{ sku: sku0, qty: 1 }], { externalRef: 'LIST-A' });
    const pending = await placeOrder(world.client, [{ sku: sku1, qty: 1 }], {
      reservationExpiresAt: inAnHour(),
      externalRef: 'LIST-P',
    });
    const elsewhere = await placeOrder(world.client, [{ sku: sku0, qty: 1 }], { warehouseId: away });
    const page = await tabs.open(clerk, '/orders');
    const row = (id: string) => page.locator(`tr[data-order="${id}"]`);
    await row(shipped.id).waitFor();
    await row(pending.id).waitFor();
    await checkScreen(page, 'orders-list');

    const filters = page.getByRole('search', { name: 'Filter orders' });
    await filters.getByLabel('Status').selectOption('pending');
    await page.waitForURL(/status=pending/);
    await row(shipped.id).waitFor({ state: 'detached' });
    await row(pending.id).waitFor();
    expect(await row(pending.id).textContent()).toContain('Pending');

    await filters.getByLabel('Status').selectOption('');
    await page.waitForURL((url) => !url.search.includes('status='));
    await filters.getByLabel('Warehouse').selectOption(away);
    await page.waitForURL(new RegExp(`warehouseId=${away}`));
    await row(elsewhere.id).waitFor();
    await row(shipped.id).waitFor({ state: 'detached' });

    // The filtered list is an address: opened anew, it shows the same.
    await page.goto(`${edge.url}/orders?status=pending&warehouseId=${home}`);
    await row(pending.id).waitFor();
    expect(await page.locator('tr[data-order]').count()).toBe(1);
    await row(pending.id).getByRole('link').click();
    await page.waitForURL(`${edge.url}/orders/${pending.id}`);
    await orderStatus(page, 'Pending');
  });

  test('a page at a time: the next page holds the rest, and the first comes back', async () => {
    await receive(world, away, sku0, 30);
    await Promise.all(
      Array.from({ length: 26 }, () =>
        placeOrder(world.client, [{ sku: sku0, qty: 1 }], { warehouseId: away }),
      ),
    );
    const page = await tabs.open(clerk, `/orders?warehouseId=${away}`);
    const rows = page.locator('tr[data-order]');
    await page.getByRole('link', { name: 'Next page' }).waitFor();
    expect(await rows.count()).toBe(25);
    const first = await orderIds(page);
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByRole('link', { name: 'First page' }).waitFor();
    await page.locator(`tr[data-order="${first[0]}"]`).waitFor({ state: 'detached' });
    const second = await orderIds(page);
    const all = await world.client.GET('/api/orders', {
      params: { query: { warehouseId: away, limit: 200 } },
    });
    expect(second.length).toBe(all.data.items.length - 25);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.getByRole('link', { name: 'First page' }).click();
    await page.waitForURL((url) => !url.search.includes('cursor='));
    await page.getByRole('link', { name: 'Next page' }).waitFor();
    expect(await rows.count()).toBe(25);
  });

  test('at 390 px the list fits the screen', async () => {
    const page = await tabs.open(clerk, '/orders', 390);
    await page.locator('tr[data-order]').first().waitFor();
    await checkScreen(page, 'orders-list');
  });
});

describe('an order', () => {
  test('ships in part, then the rest, then is delivered; on hand follows', async () => {
    const order = await placeOrder(world.client, [
      { sku: sku0, qty: 5 },
      { sku: sku1, qty: 3 },
    ]);
    const before = (await stockLevel(world, home, sku0)).onHand;
    const page = await tabs.open(clerk, `/orders/${order.id}`);
    await orderStatus(page, 'Confirmed');
    await checkScreen(page, 'orders-detail');

    // More than is allocated is named beside its line before anything is sent.
    await page.getByLabel(`Ship ${sku0} (up to 5)`).fill('6');
    await page.getByRole('button', { name: 'Ship these quantities' }).click();
    await page.getByText('Only 5 allocated and not shipped.').waitFor();
    expect(await page.getByLabel(`Ship ${sku0} (up to 5)`).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel(`Ship ${sku0} (up to 5)`).fill('2');
    await page.getByRole('button', { name: 'Ship these quantities' }).click();
    await orderStatus(page, 'Partially shipped');
    await page.getByRole('status').filter({ hasText: 'Shipped 2 units.' }).waitFor();
    expect(await page.locator(`tr[data-sku="${sku0}"] td`).nth(4).textContent()).toBe('2');
    expect((await stockLevel(world, home, sku0)).onHand).toBe(before - 2);
    // Partly shipped, it can no longer be cancelled.
    expect(await page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Ship everything allocated' }).click();
    await orderStatus(page, 'Shipped');
    expect((await stockLevel(world, home, sku0)).onHand).toBe(before - 5);
    await page.getByRole('button', { name: 'Mark delivered' }).click();
    await orderStatus(page, 'Delivered');
    expect(
      (await world.client.GET('/api/orders/{id}', { params: { path: { id: order.id } } })).data.status,
    ).toBe('delivered');
    expect(
      await page
        .getByRole('button')
        .filter({ hasText: /Ship|Cancel|Confirm|Deliver/ })
        .count(),
    ).toBe(0);
  });

  test('a pending order is confirmed, another cancelled; a step already taken elsewhere is a readable 409', async () => {
    const pending = await placeOrder(world.client, [{ sku: sku1, qty: 2 }], {
      reservationExpiresAt: inAnHour(),
    });
    const page = await tabs.open(clerk, `/orders/${pending.id}`);
    await orderStatus(page, 'Pending');
    await page.getByRole('button', { name: 'Confirm order' }).click();
    await orderStatus(page, 'Confirmed');

    const toCancel = await placeOrder(world.client, [{ sku: sku1, qty: 1 }]);
    await page.goto(`${edge.url}/orders/${toCancel.id}`);
    await orderStatus(page, 'Confirmed');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await orderStatus(page, 'Cancelled');
    await page.getByText('Cancelled because').waitFor();

    // Cancelled through the API while the page still offers it: the API's 409 in words.
    const raced = await placeOrder(world.client, [{ sku: sku1, qty: 1 }]);
    await page.goto(`${edge.url}/orders/${raced.id}`);
    await orderStatus(page, 'Confirmed');
    await world.client.POST('/api/orders/{id}/cancel', { params: { path: { id: raced.id } } });
    await page.getByRole('button', { name: 'Cancel order' }).click();
    const message = await alertText(page, /cancelled/i);
    expect(message).toContain('An order that is cancelled cannot become cancelled.');
    await orderStatus(page, 'Cancelled'); // and the page shows the order as it is now
  });

  test('the pick list prints alone: no navigation, no buttons, the lines per warehouse', async () => {
    const order = await placeOrder(world.client, [{ sku: sku0, qty: 12 }]);
    const page = await tabs.open(clerk, `/orders/${order.id}`);
    await page.getByRole('link', { name: 'Pick list' }).click();
    await page.waitForURL(`${edge.url}/orders/${order.id}/pick`);
    const line = page.locator(`tr[data-sku="${sku0}"]`);
    await line.waitFor();
    expect(await line.locator('td').nth(1).textContent()).toBe('12');
    expect(await page.locator('section.pick-group h2').allTextContents()).toEqual([
      `${world.warehouses[0]?.code} · Stock test 0`,
    ]);
    await checkScreen(page, 'orders-pick-list');

    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
    expect(await page.locator(`tr[data-sku="${sku0}"]`).first().isVisible()).toBe(true);
    await page.screenshot({
      path: `${import.meta.dir}/../../test-artifacts/dashboard/orders-pick-list-print.png`,
    });
    await page.emulateMedia({ media: 'screen' });
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
  });

  test('at 390 px the detail fits the screen, ship quantities included', async () => {
    const order = await placeOrder(world.client, [
      { sku: sku0, qty: 1 },
      { sku: sku1, qty: 1 },
    ]);
    const page = await tabs.open(clerk, `/orders/${order.id}`, 390);
    await orderStatus(page, 'Confirmed');
    await page.getByLabel(`Ship ${sku0} (up to 1)`).waitFor();
    await checkScreen(page, 'orders-detail');
  });
});

describe('a partner', () => {
  test('sees its own order with cancel but no shipping, and no transfers or stock moves', async () => {
    const own = await placeOrder(partnerClient, [{ sku: sku1, qty: 1 }], {
      reservationExpiresAt: inAnHour(),
    });
    const page = await tabs.open(partner, `/orders/${own.id}`);
    await orderStatus(page, 'Pending');
    await page.getByRole('button', { name: 'Confirm order' }).waitFor();
    await page.getByRole('button', { name: 'Cancel order' }).waitFor();
    expect(await page.getByRole('button', { name: /Ship|Mark delivered/ }).count()).toBe(0);
    expect(await page.getByLabel(/^Ship /).count()).toBe(0);
    await checkScreen(page, 'orders-detail-partner');

    for (const path of ['/transfers', `/warehouses/${home}/adjust`, `/warehouses/${home}/counts`]) {
      await page.goto(`${edge.url}${path}`);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    }
  });
});
