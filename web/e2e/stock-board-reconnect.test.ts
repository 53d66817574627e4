/**
 * The stock board through an edge restart, on a stack of its own (the test stops its edge):
 * the board says it is reconnecting, comes back live by itself, and shows the change made while
 * the edge was down, without a reload.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { moveStock } from '../../core/inventory/movements.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { type EdgeStack, startEdgeStack } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';

declare const document: {
  querySelector(
    selector: string,
  ): { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> } | null;
};

let stack: EdgeStack;
let world: StockWorld;
let tab: OfflinePage;

beforeAll(async () => {
  [stack] = await Promise.all([startEdgeStack({ name: 'dashboard-reconnect', jobs: true }), testBrowser()]);
  world = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 1, skus: 1 });
  tab = await offlinePage(await testBrowser());
}, 120_000);

afterAll(async () => {
  await tab?.close();
  await stack?.stop();
});

function onHandShown(page: Page, sku: string, onHand: number): Promise<unknown> {
  return page.waitForFunction(
    ([s, n]) =>
      document
        .querySelector(`[role=row][data-sku="${s}"]`)
        ?.querySelectorAll('[role=cell]')[1]
        ?.textContent?.trim() === String(n),
    [sku, onHand] as const,
    { timeout: 60_000 },
  );
}

test('after the edge restarts, the board reconnects by itself and shows what changed meanwhile', async () => {
  const { page } = tab;
  const warehouseId = world.warehouses[0]?.id as string;
  const sku = world.skus[0] as string;
  await receive(world, warehouseId, sku, 4);
  await page.goto(`${stack.url}/warehouses/${warehouseId}/stock`);
  await page.getByLabel('Email').fill(world.admin.user.email);
  await page.getByLabel('Password').fill(world.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await onHandShown(page, sku, 4);
  const status = page.getByRole('status').filter({ hasText: /Live|Reconnecting/ });
  await status.filter({ hasText: 'Live' }).waitFor();
  await page.evaluate(() => {
    (globalThis as { sameDocument?: boolean }).sameDocument = true;
  });

  await stack.stopEdge();
  await status.filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 30_000 });
  // A change while the edge is down: no socket is there to be told.
  const moved = await moveStock(stack.database.db, {
    mode: 'delta',
    lines: [{ warehouseId, sku, qty: 6 }],
    type: 'receipt',
    reason: 'received',
    actorId: null,
    requestId: null,
  });
  expect(moved.ok).toBe(true);
  await stack.startEdge();

  await status.filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
  await onHandShown(page, sku, 10);
  expect(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(tab.foreignRequests).toEqual([]);
}, 150_000);
