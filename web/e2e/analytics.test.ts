/**
 * The analytics screen end to end (Chromium against the whole stack): stock received, orders
 * placed and shipped through the API, the rollup job run by the jobs process, then a manager
 * of the warehouse reads the KPIs, the charts' tables and the ABC classes the numbers make:
 * money per currency, never summed. A clerk has no Analytics link. The screen passes axe and
 * fits 390 px.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { enqueueJob } from '../../core/platform/outbox.ts';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { axeViolations, builtDashboard, signInToDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { eventually } from '../../test/harness/http.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { desktopShot, phoneView } from './screens.ts';

let edge: TestEdge;
let world: StockWorld;
let manager: Actor;
let clerk: Actor;
let tab: OfflinePage;
let home: string;
const run = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
const [A, B] = [`AN-${run}-A`, `AN-${run}-B`];
const today = new Date().toISOString().slice(0, 10);

async function ship(sku: string, qty: number) {
  const { data, response } = await world.client.POST('/api/orders', {
    body: { lines: [{ sku, qty }], warehouseId: home },
  });
  expect(response.status).toBe(201);
  const shipped = await world.client.POST('/api/orders/{id}/ship', {
    params: { path: { id: data?.id as string } },
    body: {},
  });
  expect(shipped.response.status).toBe(200);
}

beforeAll(async () => {
  await builtDashboard();
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  const target = { url: edge.url, db: edge.database.db };
  world = await stockWorld(target, { warehouses: 1, skus: 1 });
  home = world.warehouses[0]?.id as string;
  [manager, clerk] = await Promise.all([
    signedIn(target, { roles: ['manager'], warehouseIds: [home] }),
    signedIn(target, { roles: ['clerk'], warehouseIds: [home] }),
  ]);
  for (const [sku, price, cost] of [
    [A, { amount: 500, currency: 'EUR' }, { amount: 200, currency: 'EUR' }],
    [B, { amount: 300, currency: 'USD' }, { amount: 100, currency: 'USD' }],
  ] as const) {
    const { response } = await world.client.POST('/api/products', { body: { sku, name: sku, price, cost } });
    expect(response.status).toBe(201);
  }
  await receive(world, home, A, 100);
  await receive(world, home, B, 20);
  for (let i = 0; i < 3; i++) await ship(A, 10);
  await ship(B, 20);
  const { response } = await world.client.PUT('/api/warehouses/{id}/stock/{sku}/reorder', {
    params: { path: { id: home, sku: A } },
    body: { reorderPoint: 80, reorderQty: 50 },
  });
  expect(response.status).toBe(200);
  // The jobs process runs the rollup (every minute by cron in production; here, now).
  await enqueueJob(edge.database.db, 'rollup-analytics', {});
  await eventually(async () => {
    const { data } = await world.client.GET('/api/analytics/summary', {
      params: { query: { warehouseId: home } },
    });
    return data?.unitsSold === 50 ? data : undefined;
  }, 30_000);
  tab = await offlinePage(await testBrowser());
}, 240_000);

afterAll(async () => {
  await tab?.close();
});

const asManager = () => ({ email: manager.user.email, password: manager.password });
const kpi = (name: string) => tab.page.getByTestId(`kpi-${name}`);

describe('the analytics screen', () => {
  test('a manager reads the KPIs the shipments made, money per currency', async () => {
    const { page } = tab;
    await signInToDashboard(page, edge.url, asManager(), '/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await kpi('units-sold').filter({ hasText: /^50$/ }).waitFor();
    const shown = async (name: string) => (await kpi(name).textContent())?.trim();
    // 30 of A at 5.00 EUR, 20 of B at 3.00 USD; at cost 2.00 EUR and 1.00 USD.
    expect(await shown('revenue')).toBe('150.00 EUR · 60.00 USD');
    expect(await shown('cogs')).toBe('60.00 EUR · 20.00 USD');
    // 70 of A left at 2.00 EUR; none of B.
    expect(await shown('inventory-value')).toBe('140.00 EUR · 0.00 USD');
    // 50 / ((0 + 70) / 2); 70 / (50 / 30 days); 50 / (0 + 120 received).
    expect(await shown('turnover')).toBe('1.43');
    expect(await shown('days-of-cover')).toBe('42');
    expect(await shown('sell-through')).toBe('41.7 %');
    expect(await shown('stockouts')).toMatch(/^1 \(.* min, 1 now\)$/);
    expect(await shown('low-stock')).toBe('1');
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'analytics');
  });

  test("the charts' numbers: today's sales, ABC per currency, the shortest cover first", async () => {
    const { page } = tab;
    await page.getByText('The numbers').click();
    const todayRow = page.getByRole('table', { name: 'Sales series' }).locator(`tr[data-start="${today}"]`);
    expect((await todayRow.locator('td').allTextContents()).slice(2)).toEqual([
      '50',
      '150.00 EUR · 60.00 USD',
    ]);
    const abc = page.getByRole('table', { name: 'ABC classes' });
    expect(await abc.locator('tr[data-class="EUR-A"] td').allTextContents()).toEqual([
      'EUR',
      'A',
      '1',
      '60.00 EUR',
      '100 %',
    ]);
    expect(await abc.locator('tr[data-class="USD-A"] td').allTextContents()).toEqual([
      'USD',
      'A',
      '1',
      '20.00 USD',
      '100 %',
    ]);
    const cover = page.getByRole('table', { name: 'Days of cover' });
    expect(
      await cover.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sku'))),
    ).toEqual([B, A]);
    // A: 70 on hand / (30 sold / 30 days); all sold in one of five 7-day periods: CV 2, Z.
    expect(await cover.locator(`tr[data-sku="${A}"] td`).allTextContents()).toEqual([
      A,
      '70',
      '30',
      '70',
      'A / Z',
    ]);
    await expect(page.getByRole('img', { name: /Units sold per day/ }).count()).resolves.toBe(1);
  });

  test('a clerk is offered no analytics; the screen fits a phone', async () => {
    const page = (await offlinePage(await testBrowser())).page;
    try {
      await signInToDashboard(page, edge.url, { email: clerk.user.email, password: clerk.password }, '/');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).waitFor();
      expect(
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics' }).count(),
      ).toBe(0);
    } finally {
      await page.close();
    }
    const phone = await phoneView(edge.url, asManager(), '/analytics', 'analytics', (p) =>
      p.getByTestId('kpi-units-sold').filter({ hasText: /^50$/ }).waitFor(),
    );
    expect(phone.violations).toEqual([]);
    expect(phone.width).toBeLessThanOrEqual(390);
    expect(phone.foreignRequests).toEqual([]);
  });
});
