/**
 * The dashboard end to end: Debian's Chromium against the whole stack (the edge serving the
 * production build in web/dist, core, jobs, Postgres). Sign-in through a deep link, the live
 * stock board changing as stock moves through the API, the warehouse picker, the filters, a
 * session revoked elsewhere, and screenshots at desktop and phone widths (test-artifacts/).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { builtDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { feedRoom } from '../../test/harness/room-feed.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';

/** What the page-side callbacks below use of the DOM (this file compiles without the DOM's types). */
interface PageElement {
  textContent: string | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  documentElement: { scrollWidth: number };
};
declare const sessionStorage: {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
};
type Marked = { beforeAdjustment?: boolean };

const artifacts = join(import.meta.dir, '..', '..', 'test-artifacts', 'dashboard');

let edge: TestEdge;
let world: StockWorld;
let manager: Actor;
let home: string;
let away: string;
let tab: OfflinePage;

/** The text of one cell (by column header) of the row of `sku`, or undefined while it is not shown. */
function cellText(page: Page, sku: string, column: number): Promise<string | undefined> {
  return page.evaluate(
    ([s, c]) =>
      document
        .querySelector(`[role=row][data-sku="${s}"]`)
        ?.querySelectorAll('[role=cell]')
        [c]?.textContent?.trim(),
    [sku, column] as const,
  );
}

/** Waits until the row of `sku` shows `onHand` (column 1). */
async function onHandShown(page: Page, sku: string, onHand: number): Promise<void> {
  await page.waitForFunction(
    ([s, n]) =>
      document
        .querySelector(`[role=row][data-sku="${s}"]`)
        ?.querySelectorAll('[role=cell]')[1]
        ?.textContent?.trim() === String(n),
    [sku, onHand] as const,
    { timeout: 20_000 },
  );
}

/** Levels straight into a warehouse's room (the feed the jobs runner sends), as Postgres never had them. */
function pushLevels(
  warehouseId: string,
  levels: { sku: string; onHand: number; reserved: number; version: number }[],
) {
  return feedRoom(edge, warehouseId, levels);
}

async function signInThrough(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

beforeAll(async () => {
  await builtDashboard();
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 3, skus: 3 });
  [home, away] = world.warehouses.map((w) => w.id) as [string, string];
  manager = await signedIn(
    { url: edge.url, db: edge.database.db },
    { roles: ['manager'], warehouseIds: world.warehouses.map((w) => w.id) },
  );
  await receive(world, home, world.skus[0] as string, 12);
  await receive(world, home, world.skus[1] as string, 3);
  await world.client.PUT('/api/warehouses/{id}/stock/{sku}/reorder', {
    params: { path: { id: home, sku: world.skus[1] as string } },
    body: { reorderPoint: 5, reorderQty: 20, preferredVendorId: null },
  });
  await receive(world, away, world.skus[2] as string, 7);
  tab = await offlinePage(await testBrowser());
  mkdirSync(artifacts, { recursive: true });
}, 240_000); // the dashboard's build, Postgres and workerd may all start first

afterAll(async () => {
  await tab?.close();
});

describe('the edge serves the dashboard', () => {
  test("a client path gets the app, while /api, /openapi.json and /docs stay the worker's", async () => {
    const navigate = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };
    const board = await fetch(`${edge.url}/warehouses/x/stock`, { headers: navigate });
    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toContain('text/html');
    expect(await board.text()).toContain('<app-root');
    const api = await fetch(`${edge.url}/api/whatever`, { headers: navigate });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const doc = await fetch(`${edge.url}/openapi.json`, { headers: navigate });
    expect(doc.headers.get('content-type')).toContain('application/json');
    const docs = await fetch(`${edge.url}/docs`, { headers: navigate });
    expect(await docs.text()).toContain('/vendor/scalar/standalone.js');
  });

  test("the first load's JavaScript stays under 300 kB compressed", async () => {
    const html = await (await fetch(`${edge.url}/`)).text();
    const initial = [
      ...html.matchAll(/<script [^>]*src="([^"]+)"/g),
      ...html.matchAll(/<link [^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
    ].map((m) => m[1] as string);
    expect(initial.length).toBeGreaterThan(0);
    let compressed = 0;
    for (const path of new Set(initial)) {
      const body = await fetch(new URL(path, `${edge.url}/`)).then((r) => r.arrayBuffer());
      compressed += Bun.gzipSync(new Uint8Array(body)).byteLength;
    }
    expect(compressed).toBeLessThan(300_000);
  });
});

describe('the stock board', () => {
  test('a deep link signs in first, says why a password was wrong, then lands on the board', async () => {
    const { page } = tab;
    await page.goto(`${edge.url}/warehouses/${home}/stock`);
    await page.waitForURL(/\/login\?returnTo=/);
    expect(await page.getByLabel('Email').getAttribute('type')).toBe('email');
    expect(await page.getByLabel('Password').getAttribute('type')).toBe('password');

    // No password: the API's validation problem names the field, shown beside it and in words.
    await signInThrough(page, manager.user.email, '');
    await page
      .getByRole('alert')
      .filter({ hasText: /^Password: / })
      .waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(artifacts, 'sign-in-error-1280.png') });

    await signInThrough(page, manager.user.email, 'not-the-password');
    await page
      .getByRole('alert')
      .filter({ hasNotText: /^Password: / })
      .filter({ hasText: /\S/ })
      .waitFor();
    const message = (await page.getByRole('alert').textContent())?.trim() ?? '';
    expect(message.length).toBeGreaterThan(5);
    expect(message).not.toContain('[object');
    expect(page.url()).toContain('/login');

    await signInThrough(page, manager.user.email, manager.password);
    await page.waitForURL(`${edge.url}/warehouses/${home}/stock`);
    await onHandShown(page, world.skus[0] as string, 12);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  });

  test('an adjustment posted through the API changes its row in place, without a reload', async () => {
    const { page } = tab;
    const sku = world.skus[0] as string;
    await page.evaluate(() => {
      (globalThis as Marked).beforeAdjustment = true;
    });
    await receive(world, home, sku, 5);
    await onHandShown(page, sku, 17);
    expect(await cellText(page, sku, 3)).toBe('17'); // available
    // The same document: a reload would have dropped the marker.
    expect(await page.evaluate(() => (globalThis as Marked).beforeAdjustment)).toBe(true);
    await page.screenshot({ path: join(artifacts, 'stock-board-1280.png') });
  });

  test('search and the below-reorder filter narrow the rows; reorder points come from the API', async () => {
    const { page } = tab;
    const [plenty, low] = world.skus as [string, string];
    await page.waitForFunction(
      (s) =>
        document
          .querySelector(`[role=row][data-sku="${s}"]`)
          ?.querySelectorAll('[role=cell]')[5]
          ?.textContent?.trim() === '5',
      low,
    );
    await page.getByLabel('Only at or below reorder point').check();
    await page.locator(`[role=row][data-sku="${plenty}"]`).waitFor({ state: 'detached' });
    expect(await cellText(page, low, 1)).toBe('3');
    await page.getByLabel('Only at or below reorder point').uncheck();
    await page.getByLabel('Search sku').fill(plenty.toLowerCase());
    await page.locator(`[role=row][data-sku="${low}"]`).waitFor({ state: 'detached' });
    expect(await cellText(page, plenty, 0)).toBe(plenty);
    await page.getByLabel('Search sku').fill('');
  });

  test("the warehouse picker opens the other warehouse's board", async () => {
    const { page } = tab;
    await page.getByLabel('Warehouse').selectOption(away);
    await page.waitForURL(`${edge.url}/warehouses/${away}/stock`);
    await onHandShown(page, world.skus[2] as string, 7);
    expect(await page.locator(`[role=row][data-sku="${world.skus[0]}"]`).count()).toBe(0);
    await page.getByLabel('Warehouse').selectOption(home);
    await onHandShown(page, world.skus[0] as string, 17);
  });

  test('at 390 px wide the board fits the screen and every number is there', async () => {
    const phone = await offlinePage(await testBrowser(), { width: 390, height: 844 });
    try {
      const { page } = phone;
      await page.goto(`${edge.url}/login`);
      await signInThrough(page, manager.user.email, manager.password);
      await page.waitForURL(`${edge.url}/warehouses/${home}/stock`); // `/` leads to the first warehouse
      await onHandShown(page, world.skus[0] as string, 17);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(artifacts, 'stock-board-390.png') });
      expect(phone.foreignRequests).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  test('10,000 levels: only the rows on screen are in the page, and a burst of changes lands', async () => {
    const { page } = tab;
    const big = world.warehouses[2]?.id as string;
    const skus = Array.from({ length: 10_000 }, (_, i) => `BIG-${String(i).padStart(5, '0')}`);
    for (let at = 0; at < skus.length; at += 5000) {
      const pushed = await pushLevels(
        big,
        skus.slice(at, at + 5000).map((sku) => ({ sku, onHand: 10, reserved: 0, version: 1 })),
      );
      expect(pushed.status).toBe(200);
    }
    await page.getByLabel('Warehouse').selectOption(big);
    await page.getByText('10000 of 10000 levels').waitFor({ timeout: 30_000 });
    const rendered = await page.locator('[role=row][data-sku]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);

    // A burst: 200 changes at once; the first rows show their new numbers, highlighted.
    const burst = skus.slice(0, 200).map((sku, i) => ({ sku, onHand: 100 + i, reserved: 1, version: 2 }));
    expect((await pushLevels(big, burst)).status).toBe(200);
    await onHandShown(page, 'BIG-00000', 100);
    await onHandShown(page, 'BIG-00003', 103);
    expect(await page.locator('[role=row][data-sku="BIG-00003"]').getAttribute('class')).toContain('changed');

    // Scrolled to the end, the last level is there (and the first no longer in the page).
    await page.locator('cdk-virtual-scroll-viewport').evaluate((viewport) => {
      viewport.scrollTop = viewport.scrollHeight;
    });
    await page.locator('[role=row][data-sku="BIG-09999"]').waitFor();
    expect(await page.locator('[role=row][data-sku="BIG-00000"]').count()).toBe(0);
    await page.getByLabel('Warehouse').selectOption(home);
    await onHandShown(page, world.skus[0] as string, 17);
  });

  test('an address with no screen says so, with the way back', async () => {
    const { page } = tab;
    await page.goto(`${edge.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.getByRole('link', { name: 'Go to your stock board' }).click();
    await page.waitForURL(`${edge.url}/warehouses/${home}/stock`);
    await onHandShown(page, world.skus[0] as string, 17);
  });

  test('a session signed out elsewhere: the refresh fails and the board goes back to sign-in', async () => {
    const { page } = tab;
    const stored = await page.evaluate(() => sessionStorage.getItem('varastokkr.session'));
    const session = JSON.parse(stored ?? '{}') as { tokens: { refreshToken: string; expiresAt: number } };
    const out = await fetch(`${edge.url}/api/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: session.tokens.refreshToken }),
    });
    expect(out.status).toBe(204);
    // The access token is due for its refresh (as after a quarter of an hour on the board): the
    // board's first calls refresh it, the revoked refresh token is refused, and the app signs out.
    session.tokens.expiresAt = Date.now() - 1000;
    await page.evaluate(
      (json) => sessionStorage.setItem('varastokkr.session', json),
      JSON.stringify(session),
    );
    await page.reload();
    await page.waitForURL(/\/login\?returnTo=%2Fwarehouses%2F/);
    await page.getByText('Your session has ended').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('varastokkr.session'))).toBeNull();
    expect(tab.foreignRequests).toEqual([]);
  });
});
