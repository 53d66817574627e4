/**
 * The scanner end to end, in Chromium with a fake camera playing a label the API rendered,
 * against the whole stack: the camera finds the product (its decoder's wasm from our own
 * assets, nothing from another host), a count made offline is kept through a reload (the
 * service worker serves the shell, IndexedDB the count) and recorded once when the connection
 * returns, and receiving against a purchase order raises on hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { launchChromium, type OfflinePage, offlinePage } from '../../test/harness/browser.ts';
import { axeViolations, builtDashboard, signInToDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { testEan13, writeLabelVideo } from './fake-camera.ts';

declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): { value?: string } | null;
};
declare const navigator: { serviceWorker: { controller: unknown } };

const artifacts = join(import.meta.dir, '..', '..', 'test-artifacts', 'dashboard');
const scratch = mkdtempSync(join(tmpdir(), 'scanner-e2e-'));

let edge: TestEdge;
let world: StockWorld;
let clerk: Actor;
let home: string;
let browser: Browser;
let tab: OfflinePage;
const product = { sku: `SCAN-${crypto.randomUUID().slice(0, 6).toUpperCase()}`, barcode: testEan13() };

async function onHand(sku: string): Promise<number | undefined> {
  const { data } = await world.client.GET('/api/warehouses/{id}/stock', {
    params: { path: { id: home }, query: { limit: 200 } },
  });
  return data.items.find((l) => l.sku === sku)?.onHand;
}

async function movements(sku: string): Promise<{ type: string; qty: number }[]> {
  const { data } = await world.client.GET('/api/inventory/movements', {
    params: { query: { warehouseId: home, sku } },
  });
  return data.items;
}

/** Types a code and presses Enter, as a keyboard-wedge scanner does. */
async function wedgeScan(page: Page, code: string): Promise<void> {
  await page.getByLabel('Barcode or SKU').fill(code);
  await page.getByLabel('Barcode or SKU').press('Enter');
}

/** Waits until the input labelled `label` holds `value` (scans resolve through the API first). */
async function valueBecomes(page: Page, label: string, value: string): Promise<void> {
  await page.waitForFunction(([l, v]) => document.querySelector(`input[aria-label="${l}"]`)?.value === v, [
    label,
    value,
  ] as const);
}

async function screenshots(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(artifacts, `scanner-${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(artifacts, `scanner-${name}-1280.png`), fullPage: true });
}

beforeAll(async () => {
  await builtDashboard();
  edge = await testEdge();
  world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 1 });
  home = world.warehouses[0]?.id as string;
  clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'], warehouseIds: [home] });
  await world.client.POST('/api/products', {
    body: { sku: product.sku, name: 'Scanner test hammer', barcode: product.barcode },
  });
  await receive(world, home, product.sku, 5);
  // The label as the API renders it, played by Chromium's fake camera.
  const label = await world.client.fetch(`/api/products/${product.sku}/label?format=svg&symbology=ean13`);
  expect(label.status).toBe(200);
  const video = join(scratch, 'label.y4m');
  writeLabelVideo(await label.text(), video);
  browser = await launchChromium([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ]);
  tab = await offlinePage(browser, { width: 1280, height: 800 });
  await tab.context.grantPermissions(['camera'], { origin: edge.url });
  mkdirSync(artifacts, { recursive: true });
}, 240_000); // the dashboard's build, Postgres and workerd may all start first

afterAll(async () => {
  await tab?.close();
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the scanner', () => {
  test('is installable: a manifest with icons, and a service worker for /scan served as JavaScript', async () => {
    const html = await (
      await fetch(`${edge.url}/scan`, { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } })
    ).text();
    expect(html).toContain('rel="manifest" href="/scanner.webmanifest"');
    const manifest = await fetch(`${edge.url}/scanner.webmanifest`);
    expect(manifest.headers.get('content-type')).toContain('application/manifest+json');
    const body = (await manifest.json()) as { start_url: string; display: string; icons: { src: string }[] };
    expect(body).toMatchObject({ start_url: '/scan', display: 'standalone' });
    for (const icon of body.icons) expect((await fetch(`${edge.url}${icon.src}`)).status).toBe(200);
    const worker = await fetch(`${edge.url}/scan-sw.js`);
    expect(worker.headers.get('content-type')).toContain('javascript');
    expect(await worker.text()).toContain('/vendor/zxing/zxing_reader.wasm');
    const wasm = await fetch(`${edge.url}/vendor/zxing/zxing_reader.wasm`);
    expect(wasm.headers.get('content-type')).toContain('application/wasm');
  });

  test('the camera reads the EAN-13 of a printed label and looks the product up', async () => {
    const { page } = tab;
    await signInToDashboard(page, edge.url, { email: clerk.user.email, password: clerk.password }, '/scan');
    await page.getByRole('heading', { name: 'Scanner' }).waitFor();
    await page.getByRole('button', { name: 'Scan with camera' }).click();
    const result = page.getByTestId('lookup-result');
    await result.getByText('Scanner test hammer').waitFor({ timeout: 30_000 });
    await result.getByTestId('on-hand').filter({ hasText: /^5$/ }).waitFor();
    expect(await result.textContent()).toContain(product.barcode);
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'lookup-camera');
    await page.getByRole('button', { name: 'Stop camera' }).click();
    expect(tab.foreignRequests).toEqual([]);
  });

  test('the product looked up stays live: a receipt elsewhere shows without scanning again', async () => {
    const { page } = tab;
    const result = page.getByTestId('lookup-result');
    await result.getByTestId('on-hand').filter({ hasText: /^5$/ }).waitFor();
    await receive(world, home, product.sku, 2); // through the API, as another device would
    await result.getByTestId('on-hand').filter({ hasText: /^7$/ }).waitFor();
    const { response } = await world.client.POST('/api/inventory/adjustments', {
      body: { warehouseId: home, sku: product.sku, delta: -2, reason: 'damaged' },
    });
    expect(response.status).toBe(201);
    // Back to what the later tests start from.
    await result.getByTestId('on-hand').filter({ hasText: /^5$/ }).waitFor();
  });

  test('a count made offline survives a reload and is recorded once when the connection returns', async () => {
    const { page, context } = tab;
    // The scanner's service worker controls the page (it claims it once installed).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.getByLabel('Count').check();
    await wedgeScan(page, product.barcode);
    await wedgeScan(page, product.barcode);
    await valueBecomes(page, `Counted ${product.sku}`, '2');
    const counted = page.getByLabel(`Counted ${product.sku}`);
    await counted.fill('7');
    await counted.press('Tab');

    const recorded = (await movements(product.sku)).length;
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Submit count' }).click();
    await page.getByText('1 waiting to send.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'count-offline');

    // Still offline: the service worker serves the app, IndexedDB still holds the count.
    await page.reload();
    await page.getByRole('heading', { name: 'Scanner' }).waitFor();
    await page.getByText('1 waiting to send.').waitFor();
    expect(await movements(product.sku)).toHaveLength(recorded); // nothing was sent

    await context.setOffline(false);
    await page.getByText('Nothing waiting to send.').waitFor({ timeout: 30_000 });
    await page.getByText(/Count of 1 product in .*: saved\./).waitFor();
    const counts = (await movements(product.sku)).filter((m) => m.type === 'count');
    expect(counts.map((m) => m.qty)).toEqual([2]);
    expect(await onHand(product.sku)).toBe(7);
    expect(tab.foreignRequests).toEqual([]);
  });

  test('receiving against a purchase order raises on hand by what was scanned', async () => {
    const { page } = tab;
    const { data: vendor } = await world.client.POST('/api/vendors', {
      body: { name: 'Scanner test vendor' },
    });
    const { data: po } = await world.client.POST('/api/purchase-orders', {
      body: { vendorId: vendor.id, warehouseId: home, lines: [{ sku: product.sku, qty: 10 }] },
    });
    await world.client.POST('/api/purchase-orders/{id}/submit', { params: { path: { id: po.id } } });

    await page.reload();
    await page.getByLabel('Receive').check();
    const orders = page.getByLabel('Purchase order');
    await orders.locator(`option[value="${po.id}"]`).waitFor({ state: 'attached' });
    await orders.selectOption(po.id);
    for (let i = 0; i < 3; i++) await wedgeScan(page, product.barcode);
    await valueBecomes(page, `Receiving now ${product.sku}`, '3');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'receive');
    await page.getByRole('button', { name: 'Receive 3' }).click();
    await page.getByText(/Receipt of 3 on PO .*: saved\./).waitFor({ timeout: 20_000 });

    expect(await onHand(product.sku)).toBe(10);
    const { data: after } = await world.client.GET('/api/purchase-orders/{id}', {
      params: { path: { id: po.id } },
    });
    expect(after.status).toBe('partially_received');
    expect(after.lines[0]?.received).toBe(3);
    expect(tab.foreignRequests).toEqual([]);
  });

  test('picking ships what was scanned of an order; a code that is no product says so', async () => {
    const { page } = tab;
    const { data: order } = await world.client.POST('/api/orders', {
      body: { warehouseId: home, lines: [{ sku: product.sku, qty: 3 }] },
    });
    await page.reload();
    await page.getByLabel('Pick').check();
    const orders = page.getByLabel('Order');
    await orders.locator(`option[value="${order.id}"]`).waitFor({ state: 'attached' });
    await orders.selectOption(order.id);
    await wedgeScan(page, 'NO-SUCH-CODE');
    await page.getByRole('alert').filter({ hasText: 'No product has the code NO-SUCH-CODE.' }).waitFor();
    await wedgeScan(page, product.barcode);
    await wedgeScan(page, product.barcode);
    const ship = page.getByRole('button', { name: 'Ship scanned (2)' });
    await ship.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'pick');
    await ship.click();
    await page.getByText(/^Shipped 2 items; the order is partially shipped\.$/).waitFor();

    const { data: after } = await world.client.GET('/api/orders/{id}', {
      params: { path: { id: order.id } },
    });
    expect(after.status).toBe('partially_shipped');
    expect(after.lines[0]?.shipped).toBe(2);
    expect(await onHand(product.sku)).toBe(8);
  });

  test('with no purchase order, receiving adjusts stock in', async () => {
    const { page } = tab;
    await page.getByLabel('Receive').check();
    await page.getByLabel('Purchase order').selectOption('adjust-in');
    await wedgeScan(page, product.sku); // a Code 128 label carries the sku
    await valueBecomes(page, `Receiving ${product.sku}`, '1');
    await page.getByRole('button', { name: 'Receive 1' }).click();
    await page.getByText(/1 × .* received in .*: saved\./).waitFor();
    expect(await onHand(product.sku)).toBe(9);
    const received = (await movements(product.sku)).filter((m) => m.type !== 'count');
    expect(received.map((m) => m.qty)).toContain(1);
    expect(tab.foreignRequests).toEqual([]);
  });
});
