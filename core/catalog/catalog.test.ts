/**
 * The catalog through the edge (workerd): writes go to core, reads are answered by the worker
 * from Postgres and its cache. Real Postgres, real jobs (which purge the edge cache), real HTTP.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { parse } from 'csv-parse/sync';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { eventually, expectProblem, requestsAs } from '../../test/harness/http.ts';
import { gtinCheckDigit } from './barcodes.ts';

let edge: TestEdge;
let manager: Actor;
let clerk: Actor;
const run = crypto.randomUUID().slice(0, 6).toUpperCase();
const sku = (name: string) => `T${run}-${name}`;

/** A valid EAN-13 whose first 12 digits are these (padded). */
const ean13 = (body: string) => {
  const twelve = body.padStart(12, '0').slice(-12);
  return `${twelve}${gtinCheckDigit(twelve)}`;
};
let barcodeSeq = Math.floor(Math.random() * 1e6);
const freshEan = () =>
  ean13(`64${String(barcodeSeq++).padStart(6, '0')}${run.replace(/\D/g, '1').slice(0, 3)}`);

const { send, json } = requestsAs(() => edge.url);

async function createProduct(body: Record<string, unknown>) {
  const res = await json(manager, 'POST', '/api/products', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { sku: string; version: number; barcode: string | null };
}

beforeAll(async () => {
  edge = await testEdge();
  const target = { url: edge.url, db: edge.database.db };
  manager = await signedIn(target, { roles: ['manager'] });
  clerk = await signedIn(target, { roles: ['clerk'] });
}, 120_000);

describe('products', () => {
  test('create, then read at the edge with its ETag; sku is case-insensitive; cost for managers only', async () => {
    const barcode = freshEan();
    const res = await json(manager, 'POST', '/api/products', {
      sku: sku('HAMMER'),
      name: 'Claw hammer 16 oz',
      barcode,
      category: 'tools',
      price: { amount: 1299, currency: 'EUR' },
      cost: { amount: 700, currency: 'EUR' },
      attributes: { weight: { value: 16, unit: 'oz' } },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ sku: sku('HAMMER'), unit: 'each', archived: false, version: 1 });
    expect(created.cost).toEqual({ amount: 700, currency: 'EUR' });

    const read = await send(manager, `/api/products/${sku('hammer').toLowerCase()}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(((await read.json()) as { cost: unknown }).cost).toEqual({ amount: 700, currency: 'EUR' });
    const asClerk = (await (await send(clerk, `/api/products/${sku('HAMMER')}`)).json()) as Record<
      string,
      unknown
    >;
    expect(asClerk.price).toEqual({ amount: 1299, currency: 'EUR' });
    expect('cost' in asClerk).toBe(false);

    const notModified = await send(clerk, `/api/products/${sku('HAMMER')}`, {
      headers: { 'if-none-match': '"1"' },
    });
    expect(notModified.status).toBe(304);
  });

  test('a cached read touches neither Postgres nor core', async () => {
    await createProduct({ sku: sku('CACHED'), name: 'Cached' });
    const path = `/api/products/${sku('CACHED')}`;
    await eventually(async () =>
      (await send(clerk, path)).headers.get('x-cache') === 'hit' ? true : undefined,
    );
    const connections = edge.edgeDatabaseConnections();
    const coreRequests = edge.coreLogs.length;
    for (let i = 0; i < 5; i++) {
      const res = await send(clerk, path);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBe('hit');
    }
    expect(edge.edgeDatabaseConnections()).toBe(connections);
    expect(edge.coreLogs.length).toBe(coreRequests);
  });

  test('an update is visible at the edge right after it commits (the jobs purge the cache)', async () => {
    await createProduct({ sku: sku('FRESH'), name: 'Before' });
    const path = `/api/products/${sku('FRESH')}`;
    // The creation's own purge job may land between two reads and start the cache again: wait
    // for a read the edge answers from its cache.
    await eventually(async () =>
      (await send(clerk, path)).headers.get('x-cache') === 'hit' ? true : undefined,
    );
    const patched = await json(manager, 'PATCH', path, { name: 'After' }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    const started = performance.now();
    const seen = await eventually(async () => {
      const body = (await (await send(clerk, path)).json()) as { name: string; version: number };
      return body.name === 'After' ? body : undefined;
    });
    expect(seen.version).toBe(2);
    console.error(`edge freshness after PATCH: ${Math.round(performance.now() - started)} ms`);
  });

  test('PATCH needs If-Match (428), refuses a stale one (412), applies a current one', async () => {
    await createProduct({ sku: sku('PATCH'), name: 'Patch me' });
    const path = `/api/products/${sku('PATCH')}`;
    await expectProblem(await json(manager, 'PATCH', path, { name: 'x' }), 428, 'precondition-required');
    const ok = await json(
      manager,
      'PATCH',
      path,
      { name: 'Patched', price: { amount: 5, currency: 'JPY' } },
      { 'if-match': '"1"' },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    await expectProblem(
      await json(manager, 'PATCH', path, { name: 'lost update' }, { 'if-match': '"1"' }),
      412,
    );
    await expectProblem(await json(manager, 'PATCH', path, { name: 'x' }, { 'if-match': 'W/"2"' }), 412);
    await expectProblem(await json(manager, 'PATCH', path, { name: 'x' }, { 'if-match': 'garbage' }), 422);
    await expectProblem(
      await json(manager, 'PATCH', `/api/products/${sku('NOPE')}`, { name: 'x' }, { 'if-match': '"1"' }),
      404,
    );
    const body = await expectProblem(
      await json(manager, 'PATCH', path, { sku: 'OTHER' }, { 'if-match': '"2"' }),
      422,
    );
    expect(body.errors?.map((e) => e.path)).toContain('sku');
  });

  test('two editors with the same ETag: exactly one wins', async () => {
    await createProduct({ sku: sku('RACE'), name: 'Race' });
    const path = `/api/products/${sku('RACE')}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        json(manager, 'PATCH', path, { name: `Editor ${i}` }, { 'if-match': '"1"' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
  });

  test('duplicates: sku in any case and barcode in any GTIN length answer 409', async () => {
    const upc = ean13(`0${String(barcodeSeq++).padStart(10, '0')}`).slice(1); // a UPC-A
    await createProduct({ sku: sku('DUP'), name: 'Dup', barcode: upc });
    await expectProblem(
      await json(manager, 'POST', '/api/products', { sku: sku('dup'), name: 'x' }),
      409,
      'duplicate-sku',
    );
    const sameCode = await json(manager, 'POST', '/api/products', {
      sku: sku('DUP2'),
      name: 'x',
      barcode: `0${upc}`,
    });
    await expectProblem(sameCode, 409, 'duplicate-barcode');
    // The UPC-A scanned as an EAN-13 finds the product.
    const found = await send(clerk, `/api/barcodes/0${upc}`);
    expect(((await found.json()) as { sku: string }).sku).toBe(sku('DUP'));
  });

  test('bad input: each answered 422 naming the field, and nothing written', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ sku: sku('B1'), name: 'x', barcode: '4006381333932' }, 'barcode'],
      [{ sku: sku('B2'), name: 'x', barcode: '12345671' }, 'barcode'],
      [{ sku: sku('B3'), name: 'x', barcode: '036000291453' }, 'barcode'],
      [{ sku: 'has space', name: 'x' }, 'sku'],
      [{ sku: '-leading', name: 'x' }, 'sku'],
      [{ sku: 'x'.repeat(65), name: 'x' }, 'sku'],
      [{ sku: sku('B4'), name: '' }, 'name'],
      [{ sku: sku('B5'), name: 'x', price: { amount: -1, currency: 'EUR' } }, 'price.amount'],
      [{ sku: sku('B6'), name: 'x', price: { amount: 1.5, currency: 'EUR' } }, 'price.amount'],
      [{ sku: sku('B7'), name: 'x', price: { amount: 1, currency: 'euro' } }, 'price.currency'],
      [{ sku: sku('B8'), name: 'x', attributes: { blob: 'x'.repeat(17_000) } }, 'attributes'],
      [{ sku: sku('B9'), name: 'x', attributes: { a: { b: { c: { d: { e: { f: 1 } } } } } } }, 'attributes'],
      [{ sku: sku('B10'), name: 'x', attributes: [1, 2] }, 'attributes'],
      [{ sku: sku('B11'), name: 'x', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of bad) {
      const res = await json(manager, 'POST', '/api/products', body);
      expect(res.status, `${JSON.stringify(body).slice(0, 80)} answered ${res.status}`).toBe(422);
      const problem = await expectProblem(res, 422);
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(body).slice(0, 80),
      ).toContain(field);
    }
    const valid = ['4006381333931', '96385074', '036000291452'];
    for (const [i, barcode] of valid.entries()) {
      const res = await json(manager, 'POST', '/api/products', {
        sku: sku(`GTIN${i}${run}`),
        name: 'x',
        barcode,
      });
      expect([201, 409]).toContain(res.status);
    }
    expect((await send(clerk, `/api/products/${sku('B1')}`)).status).toBe(404);
  });

  test('archive: leaves listings, stays readable by sku, can be restored', async () => {
    await createProduct({ sku: sku('ARCH'), name: `Archivable ${run}`, category: `arch-${run}` });
    const list = async () =>
      (
        (await (await send(clerk, `/api/products?category=arch-${run}`)).json()) as {
          items: { sku: string }[];
        }
      ).items;
    expect((await list()).map((p) => p.sku)).toEqual([sku('ARCH')]);
    await expectProblem(await send(clerk, `/api/products/${sku('ARCH')}`, { method: 'DELETE' }), 403);
    await expectProblem(
      await send(manager, `/api/products/${sku('ARCH')}`, {
        method: 'DELETE',
        headers: { 'if-match': '"7"' },
      }),
      412,
    );
    expect((await send(manager, `/api/products/${sku('ARCH')}`, { method: 'DELETE' })).status).toBe(204);
    expect((await send(manager, `/api/products/${sku('ARCH')}`, { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => ((await list()).length === 0 ? true : undefined));
    const archived = (await (await send(clerk, `/api/products/${sku('ARCH')}`)).json()) as {
      archived: boolean;
      version: number;
    };
    expect(archived.archived).toBe(true);
    const restored = await json(
      manager,
      'PATCH',
      `/api/products/${sku('ARCH')}`,
      { archived: false },
      { 'if-match': `"${archived.version}"` },
    );
    expect(restored.status).toBe(200);
    await eventually(async () => ((await list()).length === 1 ? true : undefined));
    await expectProblem(await send(manager, `/api/products/${sku('NONE')}`, { method: 'DELETE' }), 404);
  });
});

describe('search and listing', () => {
  const category = `search-${run}`;
  beforeAll(async () => {
    const names = ['Claw hammer', 'Sledge hammer', 'Rubber mallet', 'Hammer drill', 'Screwdriver set'];
    for (const [i, name] of names.entries())
      await createProduct({
        sku: sku(`S${i}`),
        name: `${name} ${run}`,
        category,
        barcode: ean13(`77${run.replace(/\D/g, '2')}${i}`),
      });
    for (let i = 0; i < 25; i++)
      await createProduct({
        sku: sku(`P${String(i).padStart(2, '0')}`),
        name: `Page item ${i}`,
        category: `${category}-pages`,
      });
  });

  const items = async (query: string) => {
    const res = await send(clerk, `/api/products?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { items: { sku: string; name: string }[]; nextCursor: string | null };
  };

  test('q finds by name prefix and substring, by sku prefix, by barcode, and with a typo', async () => {
    const hammers = await items(`q=hammer&category=${category}`);
    expect(hammers.items.map((p) => p.sku).sort()).toEqual([sku('S0'), sku('S1'), sku('S3')].sort());
    expect(hammers.items[0]!.sku).toBe(sku('S3')); // "Hammer drill": a prefix match ranks first
    expect((await items(`q=${sku('S4').toLowerCase()}`)).items[0]!.sku).toBe(sku('S4'));
    const barcode = ean13(`77${run.replace(/\D/g, '2')}2`);
    expect((await items(`q=${barcode}`)).items.map((p) => p.sku)).toEqual([sku('S2')]);
    expect((await items(`q=hamer&category=${category}`)).items.map((p) => p.sku)).toContain(sku('S1'));
    expect((await items(`q=zzzzqqq${run}`)).items).toEqual([]);
    expect((await items('q=100%25_')).items).toBeArray();
  });

  test('cursor pages are stable and complete, with and without q', async () => {
    for (const query of [
      `category=${category}-pages&limit=7`,
      `q=page%20item&category=${category}-pages&limit=4`,
    ]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await items(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((p) => p.sku));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.length).toBe(25);
      expect(new Set(seen).size).toBe(25);
    }
  });

  test('bad list parameters: 422 naming the parameter', async () => {
    for (const [query, field] of [
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      [`q=${'x'.repeat(101)}`, 'q'],
    ]) {
      const problem = await expectProblem(await send(clerk, `/api/products?${query}`), 422);
      expect(problem.errors?.map((e) => e.path)).toContain(field);
    }
  });

  test('listings are cached too, and a new product shows up at once', async () => {
    const query = `category=${category}-late`;
    expect((await items(query)).items).toEqual([]);
    expect((await send(clerk, `/api/products?${query}`)).headers.get('x-cache')).toBe('hit');
    await createProduct({ sku: sku('LATE'), name: 'Late', category: `${category}-late` });
    await eventually(async () => ((await items(query)).items.length === 1 ? true : undefined));
  });
});

describe('barcodes', () => {
  test('a product without a barcode is found by the sku on its label; unknown codes 404', async () => {
    await createProduct({ sku: sku('NOBAR'), name: 'No barcode' });
    const res = await send(clerk, `/api/barcodes/${sku('NOBAR')}`);
    expect(((await res.json()) as { sku: string }).sku).toBe(sku('NOBAR'));
    await expectProblem(await send(clerk, `/api/barcodes/UNKNOWN-${run}`), 404);
  });
});

describe('labels', () => {
  test('SVG and PNG labels in three symbologies; EAN-13 only for products that have one', async () => {
    await createProduct({ sku: sku('LABEL'), name: 'Label <&> "quoted"', barcode: freshEan() });
    await createProduct({ sku: sku('LABEL2'), name: 'No EAN' });
    for (const symbology of ['code128', 'qrcode', 'ean13']) {
      const svg = await send(clerk, `/api/products/${sku('LABEL')}/label?format=svg&symbology=${symbology}`);
      expect(svg.status).toBe(200);
      expect(svg.headers.get('content-type')).toStartWith('image/svg+xml');
      const text = await svg.text();
      expect(text).toContain(sku('LABEL'));
      expect(text).toContain('&lt;&amp;&gt;');
      const png = await send(clerk, `/api/products/${sku('LABEL')}/label?format=png&symbology=${symbology}`);
      expect(png.headers.get('content-type')).toBe('image/png');
      expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
    const problem = await expectProblem(
      await send(clerk, `/api/products/${sku('LABEL2')}/label?symbology=ean13`),
      422,
    );
    expect(problem.errors?.map((e) => e.path)).toContain('symbology');
    await expectProblem(await send(clerk, `/api/products/${sku('LABEL')}/label?format=gif`), 422);
    await expectProblem(await send(clerk, `/api/products/${sku('NOPE')}/label`), 404);
  });

  test('a sheet of labels for many skus (writers only)', async () => {
    const res = await json(manager, 'POST', '/api/products/labels', { skus: [sku('LABEL'), sku('LABEL2')] });
    expect(res.status).toBe(200);
    const svg = await res.text();
    expect(svg).toContain(sku('LABEL2'));
    await expectProblem(await json(manager, 'POST', '/api/products/labels', { skus: [sku('MISSING')] }), 404);
    await expectProblem(await json(manager, 'POST', '/api/products/labels', { skus: [] }), 422);
    await expectProblem(await json(clerk, 'POST', '/api/products/labels', { skus: [sku('LABEL')] }), 403);
  });
});

describe('CSV import and export', () => {
  const csv = (text: string, who: Actor = manager, type = 'text/csv') =>
    send(who, '/api/products/import', { method: 'POST', headers: { 'content-type': type }, body: text });

  test('good lines are kept, bad ones reported by line number; a re-import changes nothing', async () => {
    const good = freshEan();
    const file = [
      'sku,name,barcode,category,price,cost,currency,attributes',
      `${sku('C1')},"Comma, quoted ""name""",${good},csv-${run},12.99,7.5,EUR,"{""size"":""M""}"`,
      `${sku('C2')},"Two`,
      `lines",,csv-${run},,,,`,
      `${sku('C3')},Bad barcode,4006381333932,,,,,`,
      `${sku('C4')},,,,,,,`,
      `${sku('C5')},Too many,,,,,,,extra`,
      `${sku('C6')},Bad price,,,12.999,,EUR,`,
      `${sku('C7')},Price without currency,,,1,,,`,
      `${sku('C8')},Bad JSON,,,,,,{oops`,
      `${sku('C9')},Fine,,csv-${run},1000,,JPY,`,
      `${sku('C10')},"Unclosed quote`,
    ].join('\r\n');
    const res = await csv(file);
    expect(res.status, await res.clone().text()).toBe(200);
    const summary = (await res.json()) as {
      created: number;
      updated: number;
      failed: { line: number; message: string }[];
    };
    expect(summary.created).toBe(3);
    const lines = Object.fromEntries(summary.failed.map((f) => [f.line, f.message]));
    expect(Object.keys(lines).map(Number), JSON.stringify(summary.failed)).toEqual([5, 6, 7, 8, 9, 10, 12]);
    expect(lines[5]).toContain('barcode');
    expect(lines[6]).toContain('name');
    expect(lines[8]).toContain('price');
    expect(lines[9]).toContain('currency');
    expect(lines[10]).toContain('attributes');

    const c1 = (await (await send(manager, `/api/products/${sku('C1')}`)).json()) as Record<string, unknown>;
    expect(c1).toMatchObject({
      name: 'Comma, quoted "name"',
      price: { amount: 1299, currency: 'EUR' },
      cost: { amount: 750, currency: 'EUR' },
      attributes: { size: 'M' },
    });
    const c9 = (await (await send(manager, `/api/products/${sku('C9')}`)).json()) as { price: unknown };
    expect(c9.price).toEqual({ amount: 1000, currency: 'JPY' });

    const again = (await (await csv(file)).json()) as { created: number; updated: number; unchanged: number };
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });

  test('a price list updates only the columns it has; the later of two lines wins', async () => {
    await createProduct({ sku: sku('PL'), name: 'Price listed', description: 'keep me' });
    const res = await csv(
      `sku,name,price,currency\n${sku('PL')},Renamed,1.00,EUR\n${sku('pl')},Renamed again,2.50,EUR\n`,
    );
    expect(((await res.json()) as { updated: number }).updated).toBe(2);
    const product = (await (await send(manager, `/api/products/${sku('PL')}`)).json()) as Record<
      string,
      unknown
    >;
    expect(product).toMatchObject({
      name: 'Renamed again',
      description: 'keep me',
      price: { amount: 250, currency: 'EUR' },
    });
  });

  test('a bad header, a wrong content type or a clerk: refused before anything is written', async () => {
    const header = await expectProblem(await csv(`sku,name,colour\n${sku('H1')},x,red\n`), 422);
    expect(header.errors?.map((e) => e.path)).toContain('header.colour');
    await expectProblem(await csv(`name\nx\n`), 422);
    await expectProblem(await csv(`sku,name\n${sku('H2')},x\n`, manager, 'application/json'), 415);
    await expectProblem(await csv(`sku,name\n${sku('H3')},x\n`, clerk), 403);
    expect((await send(manager, `/api/products/${sku('H1')}`)).status).toBe(404);
    expect((await send(manager, `/api/products/${sku('H2')}`)).status).toBe(404);
  });

  test('export streams every product as CSV that imports back unchanged', async () => {
    const res = await send(manager, '/api/products/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toStartWith('text/csv');
    const text = await res.text();
    const records = parse(text, { columns: true }) as Record<string, string>[];
    const c1 = records.find((r) => r.sku === sku('C1'))!;
    expect(c1).toMatchObject({ price: '12.99', cost: '7.50', currency: 'EUR', attributes: '{"size":"M"}' });
    const back = (await (await csv(text)).json()) as { created: number; updated: number; failed: unknown[] };
    expect(back).toMatchObject({ created: 0, updated: 0, failed: [] });
    await expectProblem(await send(clerk, '/api/products/export'), 403);
  });
});

describe('availability', () => {
  test("per warehouse in the caller's scope, summed", async () => {
    const { db } = edge.database;
    const { stockLevels } = await import('../inventory/tables.ts');
    const code = () => `A${crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase()}`;
    // Through the API: creating a warehouse is what tells the edge's warehouse list to refresh.
    const admin = await signedIn({ url: edge.url, db }, { roles: ['admin'] });
    const create = async (name: string) => {
      const res = await send(admin, '/api/warehouses', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: code(), name }),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; code: string };
    };
    const [own, other] = [await create('Own'), await create('Other')];
    await db.insert(stockLevels).values([
      { warehouseId: own!.id, sku: sku('AV'), onHand: 10, reserved: 3, version: 4 },
      { warehouseId: other!.id, sku: sku('AV'), onHand: 5, reserved: 0, version: 2 },
    ]);
    const scoped = await signedIn({ url: edge.url, db }, { roles: ['clerk'], warehouseIds: [own!.id] });
    // The edge learns of new warehouses through the jobs runner's purge: within about a second.
    const mine = await eventually(async () => {
      const body = (await (await send(scoped, `/api/products/${sku('AV')}/availability`)).json()) as {
        warehouses: { code: string; available: number }[];
        available: number;
      };
      return body.warehouses.length > 0 ? body : undefined;
    });
    expect(mine.warehouses.map((w) => [w.code, w.available])).toEqual([[own!.code, 7]]);
    expect(mine.available).toBe(7);
    const all = (await (await send(manager, `/api/products/${sku('AV')}/availability`)).json()) as {
      available: number;
    };
    expect(all.available).toBe(0); // the manager's scope is empty
    const everywhere = (await (await send(admin, `/api/products/${sku('AV')}/availability`)).json()) as {
      available: number;
    };
    expect(everywhere.available).toBe(12);
  });
});

describe('the internal purge endpoint', () => {
  test('refuses callers without the service secret and is not in the public document', async () => {
    const purge = (authorization?: string) =>
      fetch(`${edge.url}/internal/catalog/purge`, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });
    await expectProblem(await purge(), 401);
    await expectProblem(await purge('Bearer wrong-secret-wrong-secret-wrong-secret'), 401);
    await expectProblem(await purge(`Bearer ${manager.accessToken}`), 401);
    expect((await purge(`Bearer ${edge.internalSecret}`)).status).toBe(200);
    const doc = (await (await fetch(`${edge.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/internal'))).toBe(false);
  });
});
