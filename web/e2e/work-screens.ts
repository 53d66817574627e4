/**
 * What the e2e tests of the work screens (orders, transfers, stock moves) share: opening a
 * screen signed in, on a desktop or a phone, and the checks every screen gets (no serious axe
 * violation, nothing scrolling sideways at 390 px, a screenshot in test-artifacts/dashboard/).
 */
import { expect } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Actor } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { axeViolations, signInToDashboard } from '../../test/harness/dashboard.ts';
import type { StockWorld } from '../../test/harness/stock.ts';

export const artifacts = join(import.meta.dir, '..', '..', 'test-artifacts', 'dashboard');

declare const document: { documentElement: { scrollWidth: number } };

/**
 * Tabs of one test file: `open(who, path, width)` gives a new tab at `width` (1280 or 390),
 * signed in as `who` through a deep link to `path`; `closeAll()` in afterAll.
 */
export function workTabs(edgeUrl: () => string) {
  const opened: OfflinePage[] = [];
  return {
    async open(who: Actor, path: string, width = 1280): Promise<Page> {
      mkdirSync(artifacts, { recursive: true });
      const tab = await offlinePage(await testBrowser(), { width, height: width > 500 ? 800 : 844 });
      opened.push(tab);
      await signInToDashboard(tab.page, edgeUrl(), { email: who.user.email, password: who.password }, path);
      await tab.page.waitForURL((url) => url.pathname === path.split('?')[0]);
      return tab.page;
    },
    closeAll: () => Promise.all(opened.map((t) => t.close())),
  };
}

/** A level as the API reports it (0 for a sku the warehouse never had). */
export async function stockLevel(world: StockWorld, warehouseId: string, sku: string) {
  const { data } = await world.client.GET('/api/warehouses/{id}/stock', {
    params: { path: { id: warehouseId }, query: { limit: 200 } },
  });
  const found = data.items.find((l) => l.sku === sku);
  return { onHand: found?.onHand ?? 0, reserved: found?.reserved ?? 0 };
}

/** The checks for a screen as it is now: axe, no sideways scrolling, a screenshot named `name`. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  const width = page.viewportSize()?.width ?? 1280;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  await page.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: true });
}

/** The text of the page's alert once it says something. */
export async function alertText(page: Page, pattern: RegExp): Promise<string> {
  const alert = page.getByRole('alert').filter({ hasText: pattern });
  await alert.waitFor();
  return (await alert.textContent())?.trim() ?? '';
}
