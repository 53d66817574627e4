/**
 * The admin screens end to end (Chromium against the whole stack): an admin creates a user with
 * roles and a warehouse, edits and disables them; creates an API key that is shown once (and
 * works), gone from the page after a reload, then revokes it; retries a failed job. A clerk finds
 * none of these screens. Every screen passes axe and fits 390 px.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { enqueueJob } from '../../core/platform/outbox.ts';
import { type Actor, login, signedIn } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { axeViolations, builtDashboard, signInToDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { desktopShot, phoneView } from './screens.ts';

let edge: TestEdge;
let world: StockWorld;
let admin: Actor;
let clerk: Actor;
let tab: OfflinePage;
const run = crypto.randomUUID().slice(0, 8);

const asAdmin = () => ({ email: admin.user.email, password: admin.password });

beforeAll(async () => {
  await builtDashboard();
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  const target = { url: edge.url, db: edge.database.db };
  world = await stockWorld(target, { warehouses: 2, skus: 1 });
  [admin, clerk] = await Promise.all([
    signedIn(target, { roles: ['admin'] }),
    signedIn(target, { roles: ['clerk'], warehouseIds: [world.warehouses[0]?.id as string] }),
  ]);
  tab = await offlinePage(await testBrowser());
  await tab.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: edge.url });
}, 240_000); // the dashboard may need its build first, on a busy machine

afterAll(async () => {
  await tab?.close();
});

describe('users', () => {
  const email = `new-clerk-${run}@example.test`;

  test('an admin creates a user with a role and a warehouse, who can then sign in', async () => {
    const { page } = tab;
    await signInToDashboard(page, edge.url, asAdmin(), '/admin/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Name').fill('Nora Clerk');
    await form.getByLabel('Password').fill('a-long-enough-password-1');
    await form.getByRole('checkbox', { name: 'clerk' }).check();
    const home = world.warehouses[0] as { id: string; code: string };
    await form.getByRole('checkbox', { name: new RegExp(`^${home.code}`) }).check();
    await form.getByRole('button', { name: 'Create user' }).click();
    const row = page.locator(`tr[data-email="${email}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(home.code);
    expect(await page.getByRole('status').textContent()).toContain(`${email} can now sign in`);
    // The form is ready for the next person: typed fields empty, the boxes showing what will be sent.
    expect(await form.getByLabel('Email').inputValue()).toBe('');
    expect(await form.getByRole('checkbox', { name: 'clerk' }).isChecked()).toBe(true);
    expect(await form.getByRole('checkbox', { name: new RegExp(`^${home.code}`) }).isChecked()).toBe(false);

    const signedInAsNew = await login(edge.url, email, 'a-long-enough-password-1');
    expect(signedInAsNew.user).toMatchObject({
      roles: ['clerk'],
      warehouseIds: [home.id],
      name: 'Nora Clerk',
    });
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a bad email is named beside its field, nothing created', async () => {
    const { page } = tab;
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Email').fill('not-an-email');
    await form.getByLabel('Name').fill('Nobody');
    await form.getByLabel('Password').fill('a-long-enough-password-1');
    await form.getByRole('button', { name: 'Create user' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /^Email: / })
      .waitFor();
    expect(await form.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
  });

  test('the admin renames the user, makes them a manager of both warehouses, then disables them', async () => {
    const { page } = tab;
    await page.getByRole('button', { name: `Edit ${email}` }).click();
    const form = page.getByRole('form', { name: 'Edit user' });
    await form.getByLabel('Name').fill('Nora Manager');
    await form.getByRole('checkbox', { name: 'clerk' }).uncheck();
    await form.getByRole('checkbox', { name: 'manager' }).check();
    const away = world.warehouses[1] as { id: string; code: string };
    await form.getByRole('checkbox', { name: new RegExp(`^${away.code}`) }).check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    const row = page.locator(`tr[data-email="${email}"]`);
    expect(await row.textContent()).toContain('Nora Manager');

    await page.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('button', { name: `Enable ${email}` }).waitFor();
    const { data } = await world.client.GET('/api/users', { params: { query: { limit: 200 } } });
    const user = data.items.find((u) => u.email === email);
    expect(user).toMatchObject({ name: 'Nora Manager', roles: ['manager'], status: 'disabled' });
    expect(new Set(user?.warehouseIds)).toEqual(new Set(world.warehouses.map((w) => w.id)));
    const refused = await fetch(`${edge.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a-long-enough-password-1' }),
    });
    expect(refused.status).toBe(401);
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'admin-users');
  });
});

describe('API keys', () => {
  let key = '';

  test('a new key is shown once with a copy button, works, and is gone after a reload', async () => {
    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    const form = page.getByRole('form', { name: 'New key' });
    await form.getByLabel('Name').fill(`Webshop ${run}`);
    await form.getByRole('checkbox', { name: 'partner' }).check();
    await form.getByRole('checkbox', { name: new RegExp(`^${world.warehouses[0]?.code}`) }).check();
    await form.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('you will not see it again').waitFor();
    key = await page.getByLabel('Key', { exact: true }).inputValue();
    expect(key).toMatch(/^vk_/);
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'admin-api-keys');

    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(key);

    const asPartner = await fetch(`${edge.url}/api/warehouses`, { headers: { 'x-api-key': key } });
    expect(asPartner.status).toBe(200);

    await page.reload();
    await page.getByRole('cell', { name: `Webshop ${run}`, exact: true }).waitFor();
    expect(await page.content()).not.toContain(key);
    expect(await page.getByText('you will not see it again').count()).toBe(0);
  });

  test('a revoked key stops working at once', async () => {
    const { page } = tab;
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Revoke Webshop ${run}` }).click();
    await page
      .locator('tr', { hasText: `Webshop ${run}` })
      .getByText('revoked')
      .waitFor();
    const refused = await fetch(`${edge.url}/api/warehouses`, { headers: { 'x-api-key': key } });
    expect(refused.status).toBe(401);
  });
});

describe('jobs', () => {
  test('a failed job shows its error and is retried with one click', async () => {
    const db = edge.database.db;
    const jobKey = `e2e-failed-${run}`;
    // Due in an hour, so the runner leaves it alone until it is failed for good, as the
    // jobs API's own test does (core/integrations/jobs.test.ts).
    await enqueueJob(
      db,
      'allocate-backorders',
      {},
      { jobKey, maxAttempts: 3, runAt: new Date(Date.now() + 3_600_000) },
    );
    await db.execute(sql`select graphile_worker.permanently_fail_jobs(
      array(select id from graphile_worker.jobs where key = ${jobKey}), ${`the edge answered 502 (${run})`})`);
    const rows = await db.execute(sql`select id::text as id from graphile_worker.jobs where key = ${jobKey}`);
    const id = (rows.rows[0] as { id: string }).id;

    const { page } = tab;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    const row = page.locator(`tr[data-job-id="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(`the edge answered 502 (${run})`);
    expect(await axeViolations(page)).toEqual([]);
    await desktopShot(page, 'admin-jobs');

    await page.getByRole('button', { name: `Retry job ${id}` }).click();
    await page.getByText(`Job ${id} (allocate-backorders) will run again now.`).waitFor();
    await row.waitFor({ state: 'detached' });
    const { data } = await world.client.GET('/api/jobs', { params: { query: { state: 'failed' } } });
    expect(data.items.map((j) => j.id)).not.toContain(id);
  });
});

describe('who sees the admin screens', () => {
  test('a clerk has no admin links, and each admin address is not found for them', async () => {
    const t = await offlinePage(await testBrowser());
    try {
      await signInToDashboard(
        t.page,
        edge.url,
        { email: clerk.user.email, password: clerk.password },
        '/admin/users',
      );
      await t.page.getByRole('heading', { name: 'Page not found' }).waitFor();
      for (const path of ['/admin/api-keys', '/admin/jobs', '/admin/webhooks', '/admin/integrations']) {
        await t.page.goto(`${edge.url}${path}`);
        await t.page.getByRole('heading', { name: 'Page not found' }).waitFor();
      }
      await t.page.goto(`${edge.url}/`);
      const nav = t.page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Stock' }).waitFor();
      const links = await nav.getByRole('link').allTextContents();
      for (const name of ['Users', 'API keys', 'Jobs', 'Webhooks', 'Integrations'])
        expect(links).not.toContain(name);
    } finally {
      await t.close();
    }
  });

  test('at 390 px every admin screen fits the width and passes axe', async () => {
    // Each screen once its rows are in, so the picture shows them.
    const loaded = (page: Page) =>
      page.locator('tbody tr').filter({ hasNotText: 'Loading' }).first().waitFor();
    for (const [path, name] of [
      ['/admin/users', 'admin-users'],
      ['/admin/api-keys', 'admin-api-keys'],
      ['/admin/jobs', 'admin-jobs'],
    ] as const) {
      const view = await phoneView(edge.url, asAdmin(), path, name, loaded);
      expect({ name, ...view }).toEqual({ name, width: 390, violations: [], foreignRequests: [] });
    }
  });
});
