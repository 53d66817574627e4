/**
 * The catalog screens end to end in Chromium against the whole stack: search, a new product
 * whose field error shows beside the field, an edit that meets a change made elsewhere (the
 * conflict is shown, nothing lost), CSV import with its refused lines by line number, export,
 * label sheets and their print stylesheet, archiving, what a clerk is offered, axe-core, and
 * screenshots at desktop and phone widths (test-artifacts/dashboard/products-*.png).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type OfflinePage, offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { axeViolations, builtDashboard, signInToDashboard } from '../../test/harness/dashboard.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';

/** What the page-side callbacks below use of the DOM (this file compiles without the DOM's types). */
declare const document: {
  documentElement: { scrollWidth: number };
  querySelector(selector: string): { dataset: { sku?: string } } | null;
  images: ArrayLike<{ naturalWidth: number }>;
};

const artifacts = join(import.meta.dir, '..', '..', 'test-artifacts', 'dashboard');

let edge: TestEdge;
let world: StockWorld;
let manager: Actor;
let clerk: Actor;
let tab: OfflinePage;
let sku0: string;
let sku1: string;
let sku2: string;

const as = (who: Actor) => ({ email: who.user.email, password: who.password });

/** The product as the API has it now, with its ETag. */
async function current(sku: string) {
  const { data, response } = await world.client.GET('/api/products/{sku}', { params: { path: { sku } } });
  return { product: data, etag: response.headers.get('etag') ?? '' };
}

async function noSidewaysScroll(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

beforeAll(async () => {
  await builtDashboard();
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  const target = { url: edge.url, db: edge.database.db };
  world = await stockWorld(target, { warehouses: 2, skus: 3 });
  [sku0, sku1, sku2] = world.skus as [string, string, string];
  const warehouseIds = world.warehouses.map((w) => w.id);
  [manager, clerk] = await Promise.all([
    signedIn(target, { roles: ['manager'], warehouseIds }),
    signedIn(target, { roles: ['clerk'], warehouseIds }),
  ]);
  const [home, away] = warehouseIds as [string, string];
  await receive(world, home, sku0, 12);
  await receive(world, away, sku0, 5);
  await receive(world, home, sku0, 8);
  tab = await offlinePage(await testBrowser());
  mkdirSync(artifacts, { recursive: true });
}, 150_000); // a dashboard build, Postgres and workerd, on a shared machine

afterAll(async () => {
  await tab?.close();
});

describe('the product list', () => {
  test('search finds a product by its sku', async () => {
    const { page } = tab;
    await signInToDashboard(page, edge.url, as(manager), '/products');
    await page.waitForURL(`${edge.url}/products`);
    await page.getByLabel('Search sku, name or barcode').fill(sku1);
    // The search is fuzzy (its neighbours S…-0 and S…-2 may follow); the exact match comes first.
    await page.waitForFunction((sku) => document.querySelector('tbody tr')?.dataset.sku === sku, sku1);
    expect(await page.locator(`tr[data-sku="${sku1}"] td.name`).textContent()).toBe(`Product ${sku1}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'products-1280.png'), fullPage: true });
  });

  test('a new product: the field the API refused is marked beside it, then it is created', async () => {
    const { page } = tab;
    const sku = `NEW-${crypto.randomUUID().slice(0, 8)}`;
    await page.getByRole('button', { name: 'New product' }).click();
    await page.getByLabel('Sku', { exact: true }).fill(sku);
    await page.getByLabel('Name', { exact: true }).fill('Claw hammer');
    await page.getByLabel('Barcode', { exact: true }).fill('4006381333932'); // the check digit should be 1
    await page.getByLabel('Price').fill('12.99');
    await page.getByRole('button', { name: 'Create product' }).click();
    const beside = page.locator('#new-barcode-error');
    await beside.waitFor();
    expect(await beside.textContent()).toContain('check digit');
    expect(await page.getByLabel('Barcode', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(
      await page
        .getByRole('alert')
        .filter({ hasText: /^Barcode: / })
        .count(),
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'products-create-error-1280.png') });

    await page.getByLabel('Barcode', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.waitForURL(`${edge.url}/products/${sku}`);
    await page.getByRole('heading', { name: /Claw hammer/ }).waitFor();
    const { product } = await current(sku);
    expect(product.price).toEqual({ amount: 1299, currency: 'EUR' });
    expect(product.barcode).toBeNull();
  });

  test('CSV import: progress to the end, what was created, and the refused lines by their number', async () => {
    const { page } = tab;
    await page.goto(`${edge.url}/products`);
    const tag = crypto.randomUUID().slice(0, 6).toUpperCase();
    const csv = [
      'sku,name,description,barcode',
      `IMP-${tag}-1,Imported one,,`,
      `IMP-${tag}-2,Bad barcode,,4006381333932`,
      `IMP-${tag}-3,Two-line description,"first line`,
      'second line",',
      `IMP-${tag}-4,,,`, // no name
      `IMP-${tag}-5,Imported five,,`,
    ].join('\n');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    await page.getByLabel('CSV file').setInputFiles({
      name: 'products.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${csv}\n`),
    });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('5 of 5 lines imported').waitFor();
    await page.getByText('Created 3, updated 0, unchanged 0.').waitFor();
    const refused = await page
      .getByRole('list', { name: 'Refused lines' })
      .getByRole('listitem')
      .allTextContents();
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatch(/^Line 3: barcode/);
    expect(refused[1]).toMatch(/^Line 6: name/);
    expect(await page.locator('progress').getAttribute('aria-label')).toBe('Import progress');
    expect((await current(`IMP-${tag}-3`)).product.description).toBe('first line\nsecond line');
    await page.screenshot({ path: join(artifacts, 'products-import-1280.png'), fullPage: true });
  });

  test('export downloads the catalog as CSV', async () => {
    const { page } = tab;
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe('products.csv');
    const text = readFileSync(await file.path(), 'utf8');
    expect(text.split('\n')[0]).toContain('sku,name');
    expect(text).toContain(`${sku0},Product ${sku0}`);
  });

  test('labels: the ticked products on one sheet; printed, the page holds only the labels', async () => {
    const { page } = tab;
    await page.getByLabel('Search sku, name or barcode').fill(world.skus[0]?.slice(0, -2) ?? '');
    await page.getByLabel(`Select ${sku0} for labels`).check();
    await page.getByLabel(`Select ${sku1} for labels`).check();
    await page.getByText('2 selected for labels').waitFor();
    await page.getByRole('button', { name: 'Print labels' }).click();
    const sheet = page.getByRole('img', { name: `Label sheet: ${sku0}, ${sku1}` });
    await sheet.waitFor();
    await page.waitForFunction(() => Array.from(document.images).some((img) => img.naturalWidth > 0));
    await page.emulateMedia({ media: 'print' });
    try {
      expect(await sheet.isVisible()).toBe(true);
      expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
      expect(await page.getByRole('table').isVisible()).toBe(false);
      expect(await page.getByRole('heading', { name: 'Products', exact: true }).isVisible()).toBe(false);
      expect(await page.getByRole('search').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Print', exact: true }).isVisible()).toBe(false);
      await page.screenshot({ path: join(artifacts, 'products-labels-print.png'), fullPage: true });
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    await page.getByRole('button', { name: 'Close' }).click();
    await sheet.waitFor({ state: 'detached' });
  });

  test('a category filter, a page at a time: next and previous', async () => {
    const { page } = tab;
    const category = `cat-${crypto.randomUUID().slice(0, 8)}`;
    const rows = Array.from(
      { length: 30 },
      (_, i) => `PG-${category}-${String(i).padStart(2, '0')},Paged ${i},${category}`,
    );
    const imported = await fetch(`${edge.url}/api/products/import`, {
      method: 'POST',
      headers: { ...world.admin.headers, 'content-type': 'text/csv' },
      body: `sku,name,category\n${rows.join('\n')}\n`,
    });
    expect(imported.status).toBe(200);
    await page.getByLabel('Search sku, name or barcode').fill('');
    await page.getByLabel('Category').fill(category);
    const listed = page.locator('tbody tr[data-sku]');
    await page.locator(`tr[data-sku="PG-${category}-00"]`).waitFor();
    expect(await listed.count()).toBe(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2', { exact: true }).waitFor();
    await page.locator(`tr[data-sku="PG-${category}-29"]`).waitFor();
    expect(await listed.count()).toBe(5);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.locator(`tr[data-sku="PG-${category}-00"]`).waitFor();
    expect(await listed.count()).toBe(25);
    await page.getByLabel('Category').fill('');
  });

  test('archive takes a product off the list', async () => {
    const { page } = tab;
    await page.getByLabel('Search sku, name or barcode').fill(sku2);
    await page.locator(`tr[data-sku="${sku2}"]`).waitFor();
    await page.getByRole('button', { name: `Archive ${sku2}` }).click();
    await page.getByText(`${sku2} archived.`).waitFor();
    await page.locator(`tr[data-sku="${sku2}"]`).waitFor({ state: 'detached' });
    expect((await current(sku2)).product.archived).toBe(true);
  });
});

describe('the product page', () => {
  test('availability per warehouse and the movements, with their chart', async () => {
    const { page } = tab;
    await page.goto(`${edge.url}/products/${sku0}`);
    const [home, away] = world.warehouses as [
      StockWorld['warehouses'][number],
      StockWorld['warehouses'][number],
    ];
    const onHand = (code: string) => page.locator(`tr[data-warehouse="${code}"] td`).first().textContent();
    await page.locator(`tr[data-warehouse="${home.code}"]`).waitFor();
    expect(await onHand(home.code)).toBe('20');
    expect(await onHand(away.code)).toBe('5');
    const chart = page.getByRole('img', { name: /^On hand from 0 .* to 25 .* over 3 movements$/ });
    await chart.waitFor();
    expect(await chart.locator('path').getAttribute('d')).toMatch(/^M\d/);
    expect(
      await page.getByRole('region', { name: 'Movements, newest first' }).locator('tbody tr').count(),
    ).toBe(3);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'products-detail-1280.png'), fullPage: true });
  });

  test('a change saved elsewhere meanwhile is shown beside mine, and mine can then be saved over it', async () => {
    const { page } = tab;
    await page.getByLabel('Name', { exact: true }).fill('Hammer (mine)');
    // Someone else saves a new name and category between this page's read and its save.
    const before = await current(sku0);
    await world.client.PATCH('/api/products/{sku}', {
      params: { path: { sku: sku0 }, header: { 'if-match': before.etag } },
      body: { name: 'Hammer (theirs)', category: 'hand-tools' },
    });
    await page.getByRole('button', { name: 'Save changes' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Changed by someone else' });
    await conflict.waitFor();
    expect(await conflict.locator('tr[data-field="name"] td.theirs').textContent()).toBe('Hammer (theirs)');
    expect((await conflict.locator('tr[data-field="name"] td.mine').textContent())?.trim()).toBe(
      'Hammer (mine)',
    );
    expect(await conflict.locator('tr[data-field="category"] td.theirs').textContent()).toBe('hand-tools');
    expect(await conflict.locator('tr[data-field="category"] td.mine').textContent()).toContain(
      'theirs stays',
    );
    // Nothing was lost: theirs is saved, mine still in the form.
    expect((await current(sku0)).product.name).toBe('Hammer (theirs)');
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Hammer (mine)');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'products-conflict-1280.png'), fullPage: true });

    await page.getByRole('button', { name: 'Save my changes over theirs' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await conflict.waitFor({ state: 'detached' });
    const saved = (await current(sku0)).product;
    expect(saved.name).toBe('Hammer (mine)');
    expect(saved.category).toBe('hand-tools'); // only theirs changed it: kept
    expect(await page.getByLabel('Category', { exact: true }).inputValue()).toBe('hand-tools');
  });
});

describe('a clerk', () => {
  test('sees products and their stock but no control to create, edit, archive, import, export or print', async () => {
    const clerkTab = await offlinePage(await testBrowser());
    try {
      const { page } = clerkTab;
      await signInToDashboard(page, edge.url, as(clerk), '/products');
      await page.getByLabel('Search sku, name or barcode').fill(sku1);
      await page.locator(`tr[data-sku="${sku1}"]`).waitFor();
      for (const name of ['New product', 'Import CSV', 'Export CSV', 'Print labels', `Archive ${sku1}`])
        expect(await page.getByRole('button', { name }).count()).toBe(0);
      expect(await page.getByRole('checkbox').count()).toBe(0);

      await page.goto(`${edge.url}/products/${sku0}`);
      await page.getByRole('heading', { name: 'Details' }).waitFor();
      await page.getByRole('img', { name: /^On hand from/ }).waitFor();
      expect(await page.getByRole('textbox').count()).toBe(0);
      for (const name of ['Save changes', 'Archive', 'Restore'])
        expect(await page.getByRole('button', { name }).count()).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      expect(clerkTab.foreignRequests).toEqual([]);
    } finally {
      await clerkTab.close();
    }
  });
});

test('at 390 px wide the list and the product page fit the screen', async () => {
  const phone = await offlinePage(await testBrowser(), { width: 390, height: 844 });
  try {
    const { page } = phone;
    await signInToDashboard(page, edge.url, as(manager), '/products');
    await page.getByLabel('Search sku, name or barcode').fill(sku0.slice(0, -2));
    await page.locator(`tr[data-sku="${sku1}"]`).waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(artifacts, 'products-390.png'), fullPage: true });

    await page.getByRole('link', { name: sku0 }).click();
    await page.getByRole('img', { name: /^On hand from/ }).waitFor();
    await noSidewaysScroll(page);
    await page.screenshot({ path: join(artifacts, 'products-detail-390.png'), fullPage: true });
    expect(phone.foreignRequests).toEqual([]);
  } finally {
    await phone.close();
  }
});
