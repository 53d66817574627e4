/**
 * The navigation shows each person the screens their role may use (from the policy, through
 * /api/auth/me), a screen they may not use is not there for them, and the frame has no serious
 * accessibility violations.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { axeViolations, builtDashboard, signInToDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { type StockWorld, stockWorld } from '../../test/harness/stock.ts';

let edge: TestEdge;
let world: StockWorld;
let clerk: Actor;
let admin: Actor;
const tabs: OfflinePage[] = [];

async function tab(): Promise<OfflinePage> {
  const opened = await offlinePage(await testBrowser());
  tabs.push(opened);
  return opened;
}

const mainLinks = (t: OfflinePage) =>
  t.page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

beforeAll(async () => {
  await builtDashboard();
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 1 });
  const target = { url: edge.url, db: edge.database.db };
  const warehouseIds = world.warehouses.map((w) => w.id);
  [clerk, admin] = await Promise.all([
    signedIn(target, { roles: ['clerk'], warehouseIds }),
    signedIn(target, { roles: ['admin'] }),
  ]);
}, 240_000); // the dashboard's build, Postgres and workerd may all start first

afterAll(async () => {
  await Promise.all(tabs.map((t) => t.close()));
});

test('a clerk sees the floor screens and no admin screen; an admin link typed in is not found', async () => {
  const t = await tab();
  const board = `/warehouses/${world.warehouses[0]?.id}/stock`;
  await signInToDashboard(t.page, edge.url, { email: clerk.user.email, password: clerk.password }, board);
  await t.page.getByRole('link', { name: 'Scan' }).waitFor();
  const links = await mainLinks(t);
  expect(links).toEqual(expect.arrayContaining(['Stock', 'Products', 'Orders', 'Transfers', 'Scan']));
  for (const admin of ['Users', 'API keys', 'Jobs']) expect(links).not.toContain(admin);
  expect(await axeViolations(t.page)).toEqual([]);

  await t.page.goto(`${edge.url}/admin/users`);
  await t.page.getByRole('heading', { name: /not found/i }).waitFor();
  expect(await axeViolations(t.page)).toEqual([]);
  expect(t.foreignRequests).toEqual([]);
});

test('the sign-in page, with an error showing, has no serious accessibility violation', async () => {
  const t = await tab();
  await t.page.goto(`${edge.url}/login`);
  await t.page.getByLabel('Email').fill(clerk.user.email);
  await t.page.getByLabel('Password').fill('not-the-password');
  await t.page.getByRole('button', { name: 'Sign in' }).click();
  await t.page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
  expect(await axeViolations(t.page)).toEqual([]);
});

test('an admin sees the admin screens too', async () => {
  const t = await tab();
  await signInToDashboard(t.page, edge.url, { email: admin.user.email, password: admin.password }, '/');
  await t.page.getByRole('link', { name: 'Users' }).waitFor();
  expect(await mainLinks(t)).toEqual(expect.arrayContaining(['Users', 'API keys', 'Jobs', 'Purchasing']));
});

test('the accessibility check finds what it should (an image without text, a field without a label)', async () => {
  const t = await tab();
  await t.page.setContent('<main><h1>x</h1><img src="data:,"><input type="text"></main>');
  const found = (await axeViolations(t.page)).map((v) => v.id);
  expect(found).toEqual(expect.arrayContaining(['image-alt', 'label']));
});
