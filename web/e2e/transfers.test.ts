/**
 * Transfers and stock moves end to end, in Chromium against the whole stack: a transfer
 * requested, shipped and received moves stock between warehouses; a shortage is a readable 409;
 * an adjustment and a count change on hand (checked through the API); the stock board links to
 * both; every screen passes axe and fits 390 px.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { builtDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { alertText, checkScreen, stockLevel, workTabs } from './work-screens.ts';

let edge: TestEdge;
let world: StockWorld;
let clerk: Actor;
let home: string;
let away: string;
let sku0: string;
let sku1: string;
const tabs = workTabs(() => edge.url);

/** The first transfer row whose status is exactly `status` ("Received" is not "Partially received"). */
const transferRow = (page: Page, status: string) =>
  page
    .locator('tr[data-transfer]')
    .filter({ has: page.locator('.status', { hasText: new RegExp(`^${status}$`) }) })
    .first();

beforeAll(async () => {
  await builtDashboard();
  edge = await testEdge();
  world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 2, skus: 2 });
  [home, away] = world.warehouses.map((w) => w.id) as [string, string];
  [sku0, sku1] = world.skus as [string, string];
  clerk = await signedIn(
    { url: edge.url, db: edge.database.db },
    { roles: ['clerk'], warehouseIds: [home, away] },
  );
  await receive(world, home, sku0, 20);
  await receive(world, home, sku1, 9);
}, 240_000); // the dashboard's build, Postgres and workerd may all start first

afterAll(async () => {
  await tabs.closeAll();
});

describe('transfers', () => {
  test('requested, shipped and received: the stock moves from one warehouse to the other', async () => {
    const page = await tabs.open(clerk, '/transfers');
    const [from, to] = world.warehouses as [{ code: string }, { code: string }, ...unknown[]];
    await page.getByLabel('From warehouse').selectOption(home);
    await page.getByLabel('To warehouse').selectOption(away);
    await page.getByLabel('Sku, line 1').fill(sku0);
    await page.getByLabel('Quantity, line 1').fill('4');
    await page.getByRole('button', { name: 'Request transfer' }).click();
    await page.getByRole('status').filter({ hasText: 'requested' }).waitFor();
    const row = transferRow(page, 'Requested');
    expect(await row.textContent()).toContain(`${from.code} → ${to.code}`);
    expect(await stockLevel(world, home, sku0)).toEqual({ onHand: 20, reserved: 4 });
    await checkScreen(page, 'transfers');

    await row.getByRole('button', { name: /^Ship transfer/ }).click();
    await transferRow(page, 'In transit').waitFor();
    expect((await stockLevel(world, home, sku0)).onHand).toBe(16);
    // Part of it first: 3 of 4; more than is in transit is named beside the line.
    await transferRow(page, 'In transit')
      .getByRole('button', { name: /^Receive part of transfer/ })
      .click();
    const receipt = page.getByRole('form', { name: /^Receipt for transfer/ });
    await receipt.getByLabel(`${sku0} (up to 4)`).fill('5');
    await receipt.getByRole('button', { name: 'Receive these quantities' }).click();
    await receipt.getByText('Only 4 left to receive.').waitFor();
    await receipt.getByLabel(`${sku0} (up to 4)`).fill('3');
    await receipt.getByRole('button', { name: 'Receive these quantities' }).click();
    await transferRow(page, 'Partially received').waitFor();
    expect(await stockLevel(world, away, sku0)).toEqual({ onHand: 3, reserved: 0 });
    await transferRow(page, 'Partially received')
      .getByRole('button', { name: /^Receive transfer/ })
      .click();
    await transferRow(page, 'Received').waitFor();
    expect(await stockLevel(world, away, sku0)).toEqual({ onHand: 4, reserved: 0 });
  });

  test('more than there is: the API refuses with a readable 409 and nothing is reserved', async () => {
    const page = await tabs.open(clerk, '/transfers');
    await page.getByLabel('From warehouse').selectOption(home);
    await page.getByLabel('To warehouse').selectOption(away);
    await page.getByLabel('Sku, line 1').fill(sku1);
    await page.getByLabel('Quantity, line 1').fill('500');
    await page.getByRole('button', { name: 'Request transfer' }).click();
    const message = await alertText(page, /\S/);
    expect(message).not.toContain('[object');
    expect(message.toLowerCase()).toMatch(/stock|available/);
    expect((await stockLevel(world, home, sku1)).reserved).toBe(0);

    // A line without a quantity is named before anything is sent.
    await page.getByLabel('Quantity, line 1').fill('');
    await page.getByRole('button', { name: 'Request transfer' }).click();
    await page.getByRole('table', { name: 'Transfer lines' }).getByText('Enter a number.').waitFor();
    expect(await page.getByLabel('Quantity, line 1').getAttribute('aria-invalid')).toBe('true');
  });

  test('at 390 px the transfers screen fits', async () => {
    const page = await tabs.open(clerk, '/transfers', 390);
    await page.locator('tr[data-transfer]').first().waitFor();
    await checkScreen(page, 'transfers');
  });
});

describe('stock moves', () => {
  test('the stock board links to adjusting; an adjustment out changes on hand; too much out is a readable 409', async () => {
    const page = await tabs.open(clerk, `/warehouses/${home}/stock`);
    await page.getByRole('link', { name: 'Adjust stock' }).click();
    await page.waitForURL(`${edge.url}/warehouses/${home}/adjust`);
    const before = (await stockLevel(world, home, sku1)).onHand;
    await page.getByLabel('Sku').fill(sku1);
    await page.getByLabel('Out').check();
    await page.getByLabel('Quantity').fill('2');
    await page.getByLabel('Reason').selectOption('damaged');
    await page.getByLabel('Note (optional)').fill('dropped');
    await page.getByRole('button', { name: 'Save adjustment' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `on hand now ${before - 2}` })
      .waitFor();
    expect((await stockLevel(world, home, sku1)).onHand).toBe(before - 2);
    await page.locator('tbody tr', { hasText: 'damaged' }).first().waitFor();
    await checkScreen(page, 'transfers-adjust');

    await page.getByLabel('Sku').fill(sku1);
    await page.getByLabel('Out').check();
    await page.getByLabel('Quantity').fill('1000');
    await page.getByRole('button', { name: 'Save adjustment' }).click();
    const message = await alertText(page, /\S/);
    expect(message).not.toContain('[object');
    expect((await stockLevel(world, home, sku1)).onHand).toBe(before - 2);
  });

  test('a count sets on hand to what was counted and shows the variance', async () => {
    const page = await tabs.open(clerk, `/warehouses/${home}/stock`);
    await page.getByRole('link', { name: 'Count stock' }).click();
    await page.waitForURL(`${edge.url}/warehouses/${home}/counts`);
    const before = (await stockLevel(world, home, sku0)).onHand;
    await page.getByLabel('Sku, line 1').fill(sku0);
    await page.getByLabel('Counted, line 1').fill(String(before + 3));
    await page.getByRole('button', { name: 'Add a line' }).click();
    await page.getByLabel('Sku, line 2').fill(sku1);
    await page.getByLabel('Counted, line 2').fill('0');
    await page.getByRole('button', { name: 'Submit count' }).click();
    await page.getByRole('heading', { name: 'Count booked' }).waitFor();
    expect(await page.locator(`tr[data-sku="${sku0}"] td`).last().textContent()).toBe('+3');
    expect((await stockLevel(world, home, sku0)).onHand).toBe(before + 3);
    expect((await stockLevel(world, home, sku1)).onHand).toBe(0);
    await checkScreen(page, 'transfers-count');
  });

  test('at 390 px adjusting and counting fit the screen', async () => {
    const page = await tabs.open(clerk, `/warehouses/${home}/adjust`, 390);
    await page.getByLabel('Sku').waitFor();
    await checkScreen(page, 'transfers-adjust');
    await page.getByRole('link', { name: 'Count stock' }).click();
    await page.getByLabel('Sku, line 1').waitFor();
    await checkScreen(page, 'transfers-count');
  });
});
