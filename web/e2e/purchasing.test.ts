/**
 * The purchasing screens end to end (Chromium against the whole stack): a manager adds a vendor
 * and what it sells, drafts a purchase order, meets an edit made meanwhile through the API as a
 * conflict (not lost), submits it; a clerk of the warehouse receives part of it (stock on hand
 * rises by exactly that); the manager closes it short. Demand-driven suggestions are applied and
 * replenishment is run from the screen. Each screen passes axe and fits 390 px.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { axeViolations, builtDashboard, signInToDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { desktopShot, phoneView } from './screens.ts';

let edge: TestEdge;
let world: StockWorld;
let manager: Actor;
let clerk: Actor;
let tab: OfflinePage;
let home: string;
let vendorId = '';
let poId = '';
const run = crypto.randomUUID().slice(0, 6);
const sku = (i: number) => world.skus[i] as string;
const asManager = () => ({ email: manager.user.email, password: manager.password });

/** The level of a sku in the home warehouse, through the API (zeros before it has one). */
async function level(of: string) {
  const { data } = await world.client.GET('/api/warehouses/{id}/stock', {
    params: { path: { id: home }, query: { limit: 200 } },
  });
  return (
    data.items.find((l) => l.sku === of) ?? { onHand: 0, onOrder: 0, reorderPoint: null, reorderQty: null }
  );
}

const statusShown = (page: Page, status: string) =>
  page
    .getByTestId('po-status')
    .filter({ hasText: new RegExp(`^${status}$`) })
    .waitFor();

beforeAll(async () => {
  await builtDashboard();
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  const target = { url: edge.url, db: edge.database.db };
  world = await stockWorld(target, { warehouses: 1, skus: 3 });
  home = world.warehouses[0]?.id as string;
  [manager, clerk] = await Promise.all([
    signedIn(target, { roles: ['manager'], warehouseIds: [home] }),
    signedIn(target, { roles: ['clerk'], warehouseIds: [home] }),
  ]);
  // A level to show on order on (a sku new to the warehouse has none until stock arrives).
  await receive(world, home, world.skus[0] as string, 1);
  tab = await offlinePage(await testBrowser());
}, 240_000); // the dashboard may need its build first, on a busy machine

afterAll(async () => {
  await tab?.close();
});

describe('a purchase order from vendor to shelf', () => {
  test('a manager adds a vendor and what it sells', async () => {
    const { page } = tab;
    await signInToDashboard(page, edge.url, asManager(), '/purchasing');
    await page.getByRole('heading', { name: 'Purchasing', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'New vendor' }).click();
    await page.getByLabel('Name').fill(`Vendor ${run}`);
    await page.getByLabel('Lead time (days)').fill('3');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Create vendor' }).click();
    await page.waitForURL(/\/purchasing\/vendors\/[0-9a-f-]{36}$/);
    vendorId = page.url().split('/').pop() as string;

    const item = page.getByRole('form', { name: 'Add a supplier item' });
    await item.getByLabel('Sku', { exact: true }).fill(sku(0));
    await item.getByLabel('Unit cost (EUR)').fill('2.50');
    await item.getByLabel('Pack size').fill('2');
    await item.getByRole('button', { name: 'Save supplier item' }).click();
    const row = page.locator(`tr[data-sku="${sku(0)}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('2.50');
    const { data } = await world.client.GET('/api/vendors/{id}/items', {
      params: { path: { id: vendorId } },
    });
    expect(data.items).toEqual([expect.objectContaining({ sku: sku(0), unitCost: 250, packSize: 2 })]);
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'purchasing-vendor');
  });

  test('the manager drafts a purchase order with a line', async () => {
    const { page } = tab;
    await page.goto(`${edge.url}/purchasing/orders/new`);
    await page.getByLabel('Vendor').selectOption(vendorId);
    await page.getByLabel('Warehouse').selectOption(home);
    await page.getByLabel('Sku').fill(sku(0));
    await page.getByLabel('Quantity').fill('10');
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'purchasing-new-order');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/purchasing\/orders\/[0-9a-f-]{36}$/);
    poId = page.url().split('/').pop() as string;
    await statusShown(page, 'Draft');
    const { data } = await world.client.GET('/api/purchase-orders/{id}', { params: { path: { id: poId } } });
    expect(data).toMatchObject({
      status: 'draft',
      vendorId,
      lines: [{ sku: sku(0), qty: 10, unitCost: 250 }],
    });
  });

  test('an edit made meanwhile by someone else is shown as a conflict, and the change is made again on top', async () => {
    const { page } = tab;
    const { response } = await world.client.GET('/api/purchase-orders/{id}', {
      params: { path: { id: poId } },
    });
    await world.client.PATCH('/api/purchase-orders/{id}', {
      params: { path: { id: poId }, header: { 'if-match': response.headers.get('etag') ?? '' } },
      body: { lines: [{ sku: sku(0), qty: 12 }] },
    });

    await page.getByLabel('Quantity').fill('8');
    await page.getByRole('button', { name: 'Save lines' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Someone else changed this purchase order' });
    await conflict.waitFor();
    expect(await page.getByLabel('Quantity').inputValue()).toBe('8'); // kept, not thrown away
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'purchasing-order-conflict');
    let { data } = await world.client.GET('/api/purchase-orders/{id}', { params: { path: { id: poId } } });
    expect(data.lines[0]?.qty).toBe(12);

    await page.getByRole('button', { name: 'Load the current version' }).click();
    await conflict.waitFor({ state: 'detached' });
    expect(await page.getByLabel('Quantity').inputValue()).toBe('12');
    await page.getByLabel('Quantity').fill('10');
    await page.getByRole('button', { name: 'Save lines' }).click();
    await page.getByRole('status').filter({ hasText: 'Lines saved.' }).waitFor();
    ({ data } = await world.client.GET('/api/purchase-orders/{id}', { params: { path: { id: poId } } }));
    expect(data.lines[0]?.qty).toBe(10);
  });

  test('submitted, it is on order', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: 'Submit to vendor' }).click();
    await statusShown(page, 'Submitted');
    expect(await page.getByRole('button', { name: 'Save lines' }).count()).toBe(0);
    expect((await level(sku(0))).onOrder).toBe(10);
  });

  test('a clerk of the warehouse receives part of it: on hand rises by exactly that', async () => {
    const before = (await level(sku(0))).onHand;
    const floor = await offlinePage(await testBrowser());
    try {
      const { page } = floor;
      const who = { email: clerk.user.email, password: clerk.password };
      await signInToDashboard(page, edge.url, who, `/purchasing/orders/${poId}`);
      await statusShown(page, 'Submitted');
      // A clerk receives; buying (submit, cancel, close, new orders, vendors) is not theirs.
      expect(await page.getByRole('button', { name: /Submit|Cancel order|Close short/ }).count()).toBe(0);
      await page.getByLabel(`Arrived now of ${sku(0)}`).fill('4');
      await page.getByRole('button', { name: 'Receive into stock' }).click();
      await statusShown(page, 'Partially received');
      await page.getByRole('status').filter({ hasText: 'Received 4 units into stock.' }).waitFor();
      expect(await page.locator(`tr[data-sku="${sku(0)}"]`).textContent()).toContain('6'); // outstanding
      expect(await axeViolations(page)).toEqual([]);
      await desktopShot(page, 'purchasing-order-received');
      await page.goto(`${edge.url}/purchasing`);
      await page.getByRole('heading', { name: 'Purchase orders' }).waitFor();
      expect(
        await page.getByRole('link', { name: /New purchase order|New vendor|Replenishment/ }).count(),
      ).toBe(0);
    } finally {
      await floor.close();
    }
    const after = await level(sku(0));
    expect(after.onHand).toBe(before + 4);
    expect(after.onOrder).toBe(6);
  });

  test('the manager closes it short: nothing is left on order', async () => {
    const { page } = tab;
    await page.reload();
    await statusShown(page, 'Partially received');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Close short' }).click();
    await statusShown(page, 'Closed short');
    const after = await level(sku(0));
    expect(after.onOrder).toBe(0);
    expect(after.onHand).toBe(5);
  });

  test('the list finds it by status', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: '← Purchasing' }).click();
    const row = page.locator(`tr[data-po-id="${poId}"]`);
    await page.getByLabel('Status').selectOption('closed');
    await row.waitFor();
    expect(await row.textContent()).toContain('Closed short');
    await page.getByLabel('Status').selectOption('draft');
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('Status').selectOption('');
    await row.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'purchasing');
  });
});

describe('replenishment', () => {
  test('suggestions from past demand show their inputs; the chosen one is applied in one call', async () => {
    const db = edge.database.db;
    const demanded = sku(1);
    await receive(world, home, demanded, 20);
    await world.client.PUT('/api/warehouses/{id}/stock/{sku}/reorder', {
      params: { path: { id: home, sku: demanded } },
      body: { reorderPoint: 1, reorderQty: 1, preferredVendorId: vendorId },
    });
    // Shipments on past days (today's do not count yet), each balanced by a receipt so the
    // ledger still equals on hand, as the suggestions' own tests make demand.
    for (const [ago, qty] of [
      [1, 6],
      [2, 2],
      [3, 4],
    ] as const) {
      const at = new Date(Date.now() - ago * 86_400_000).toISOString();
      await db.execute(sql`
        insert into inventory.movements (warehouse_id, sku, type, reason, qty, on_hand_after, level_version, created_at)
        values (${home}, ${demanded}, 'receipt', 'test', ${qty}, ${qty}, 1, ${at}::timestamptz),
               (${home}, ${demanded}, 'shipment', 'order', ${-qty}, 0, 1, ${at}::timestamptz)`);
    }
    const { data } = await world.client.GET('/api/replenishment/suggestions', {
      params: { query: { warehouseId: home } },
    });
    const expected = data.items.find((s) => s.sku === demanded);
    expect(expected?.suggestedReorderPoint).toBeGreaterThan(1);

    const { page } = tab;
    await page.getByRole('link', { name: 'Replenishment' }).click();
    const row = page.locator(`tr[data-sku="${demanded}"]`);
    await row.waitFor();
    const shown = await row.textContent();
    expect(shown).toContain(String(expected?.avgDailyDemand));
    expect(shown).toContain(String(expected?.demandStdDev));
    expect(shown).toContain('3 days');
    expect(shown).toContain(`${expected?.suggestedReorderPoint} / ${expected?.suggestedReorderQty}`);
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'purchasing-replenishment');

    await page.getByLabel(`Select ${demanded}`).check();
    await page.getByRole('button', { name: 'Apply 1 selected' }).click();
    await page.getByRole('status').filter({ hasText: 'Reorder settings set for 1 sku.' }).waitFor();
    const applied = await level(demanded);
    expect(applied.reorderPoint).toBe(expected?.suggestedReorderPoint as number);
    expect(applied.reorderQty).toBe(expected?.suggestedReorderQty as number);
  });

  test('"run replenishment now" drafts the shortfall, once', async () => {
    const short = sku(2);
    await receive(world, home, short, 2);
    await world.client.PUT('/api/warehouses/{id}/stock/{sku}/reorder', {
      params: { path: { id: home, sku: short } },
      body: { reorderPoint: 10, reorderQty: 20, preferredVendorId: vendorId },
    });
    const { page } = tab;
    await page.getByRole('button', { name: 'Run replenishment now' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Drafted|Nothing to draft/ })
      .waitFor();
    // Whether this click or the stock.low that the new reorder point raised drafted it: one line.
    const { data } = await world.client.GET('/api/purchase-orders', {
      params: { query: { status: 'draft', warehouseId: home, vendorId } },
    });
    const lines = data.items.flatMap((po) => po.lines.filter((l) => l.sku === short));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.qty).toBeGreaterThanOrEqual(8);
  });
});

describe('at 390 px', () => {
  test('every purchasing screen fits the width and passes axe', async () => {
    // Each screen once its data is in (a row, the status), so the picture shows it filled.
    const screens: [string, string, (page: Page) => Promise<unknown>][] = [
      ['/purchasing', 'purchasing', (page) => page.locator(`tr[data-po-id="${poId}"]`).waitFor()],
      [
        `/purchasing/vendors/${vendorId}`,
        'purchasing-vendor',
        (page) => page.locator(`tr[data-sku="${sku(0)}"]`).waitFor(),
      ],
      [
        '/purchasing/orders/new',
        'purchasing-new-order',
        (page) =>
          page.locator(`select[name="vendorId"] option[value="${vendorId}"]`).waitFor({ state: 'attached' }),
      ],
      [`/purchasing/orders/${poId}`, 'purchasing-order', (page) => statusShown(page, 'Closed short')],
      [
        '/purchasing/replenishment',
        'purchasing-replenishment',
        (page) => page.locator(`tr[data-sku="${sku(1)}"]`).waitFor(),
      ],
    ];
    for (const [path, name, ready] of screens) {
      const view = await phoneView(edge.url, asManager(), path, name, ready);
      expect({ name, ...view }).toEqual({ name, width: 390, violations: [], foreignRequests: [] });
    }
  });
});
