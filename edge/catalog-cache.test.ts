/**
 * The edge's catalog cache drops what a change made wrong and keeps the rest: per product, per
 * barcode, every list, everything on a new warehouse or past the change log's horizon. A stack of
 * its own (no other test file's writes purge it): real Postgres, core, the jobs runner that sends
 * the purges, the edge in workerd. The edge under wrangler dev runs one isolate, which reads the
 * change log again right after it handled a purge, so once the purge job is gone from the queue
 * the next read is keyed by it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { gtinCheckDigit } from '../core/catalog/barcodes.ts';
import { type Actor, signedIn } from '../test/harness/auth.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { eventually, requestsAs } from '../test/harness/http.ts';

let stack: EdgeStack;
let manager: Actor;
let clerk: Actor;
let admin: Actor;
const run = crypto.randomUUID().slice(0, 6).toUpperCase();
const sku = (name: string) => `C${run}-${name}`;
const { send, json } = requestsAs(() => stack.url);

let barcodeSeq = Math.floor(Math.random() * 1e6);
const freshEan = () => {
  const twelve = `65${String(barcodeSeq++).padStart(10, '0')}`.slice(0, 12);
  return `${twelve}${gtinCheckDigit(twelve)}`;
};

beforeAll(async () => {
  stack = await startEdgeStack({ name: 'catalog-cache', jobs: true });
  const target = { url: stack.url, db: stack.database.db };
  manager = await signedIn(target, { roles: ['manager'] });
  clerk = await signedIn(target, { roles: ['clerk'] });
  admin = await signedIn(target, { roles: ['admin'] });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** Waits until no purge is queued or running: the edge has handled every one sent so far. */
async function purgesDone(): Promise<void> {
  await eventually(async () => {
    const { rows } = await stack.database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'purge-edge-catalog'`,
    );
    return rows[0]?.n === 0 ? true : undefined;
  });
}

/** The read as the clerk: its status, body and whether the edge answered from its cache. */
async function read(path: string) {
  const res = await send(clerk, path);
  return {
    status: res.status,
    cache: res.headers.get('x-cache'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** Reads until the edge answers from its cache (the first read after a change loads it). */
const cached = (path: string) =>
  eventually(async () => {
    const r = await read(path);
    return r.cache === 'hit' ? r : undefined;
  });

async function create(body: Record<string, unknown>) {
  const res = await json(manager, 'POST', '/api/products', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { sku: string; version: number };
}

async function patch(path: string, body: Record<string, unknown>) {
  const current = await send(manager, path);
  const etag = current.headers.get('etag') ?? '*';
  await current.arrayBuffer();
  const res = await json(manager, 'PATCH', path, body, { 'if-match': etag });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('per-product invalidation', () => {
  test("an update of one product leaves another's cached read a hit, and shows at once", async () => {
    await create({ sku: sku('A'), name: 'A before' });
    await create({ sku: sku('B'), name: 'B' });
    const [a, b] = [`/api/products/${sku('A')}`, `/api/products/${sku('B')}`];
    await purgesDone();
    await cached(a);
    await cached(b);

    await patch(a, { name: 'A after' });
    await purgesDone();
    const afterA = await read(a);
    expect(afterA.body.name).toBe('A after');
    expect(afterA.cache).toBe('miss');
    // Before: one global generation, so B's answer was dropped with A's.
    expect((await read(b)).cache).toBe('hit');
  });

  test('a list sees the change of any product on it', async () => {
    await create({ sku: sku('L1'), name: 'Listed one' });
    await create({ sku: sku('L2'), name: 'Listed two' });
    const list = `/api/products?q=${encodeURIComponent(sku('L'))}&limit=10`;
    await purgesDone();
    const before = await cached(list);
    expect((before.body.items as { name: string }[]).map((i) => i.name)).toContain('Listed two');

    await patch(`/api/products/${sku('L2')}`, { name: 'Listed two, renamed' });
    await purgesDone();
    const after = await read(list);
    expect(after.cache).toBe('miss');
    expect((after.body.items as { name: string }[]).map((i) => i.name)).toContain('Listed two, renamed');
  });

  test('a barcode read follows its product, and a moved barcode drops the old code', async () => {
    const [code, next] = [freshEan(), freshEan()];
    await create({ sku: sku('SCAN'), name: 'Scanned', barcode: code });
    await create({ sku: sku('OTHER'), name: 'Other' });
    const scan = `/api/barcodes/${code}`;
    await purgesDone();
    await cached(scan);
    const unknown = await cached(`/api/barcodes/${next}`);
    expect(unknown.status).toBe(404);

    // Another product's edit leaves the scan cached.
    await patch(`/api/products/${sku('OTHER')}`, { name: 'Other, renamed' });
    await purgesDone();
    expect((await read(scan)).cache).toBe('hit');

    // Its own product's edit shows.
    await patch(`/api/products/${sku('SCAN')}`, { name: 'Scanned, renamed' });
    await purgesDone();
    const renamed = await read(scan);
    expect([renamed.cache, renamed.body.name]).toEqual(['miss', 'Scanned, renamed']);

    // The barcode moves to another code: the old code no longer finds it, the new one does.
    await cached(scan);
    await patch(`/api/products/${sku('SCAN')}`, { barcode: next });
    await purgesDone();
    expect((await read(scan)).status).toBe(404);
    const moved = await read(`/api/barcodes/${next}`);
    expect([moved.status, moved.body.sku]).toEqual([200, sku('SCAN')]);
  });
});

/** Products written straight to Postgres (no purge names them, so no isolate has them cached). */
async function inserted(names: string[]): Promise<void> {
  for (const name of names)
    await stack.database.db.execute(
      sql`insert into catalog.products (sku, name) values (${sku(name)}, ${`Inserted ${name}`})`,
    );
}

describe('uncached reads', () => {
  test('keep their database connections open: twenty misses open at most one per reader', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `CONN-${i}`);
    await inserted(names);
    const before = stack.edgeDatabaseConnections();
    for (const name of names) {
      const r = await read(`/api/products/${sku(name)}`);
      expect([r.status, r.cache, r.body.sku]).toEqual([200, 'miss', sku(name)]);
    }
    // Before: a connection of its own for every miss (20). Now the CatalogReader objects' (4).
    expect(stack.edgeDatabaseConnections() - before).toBeLessThanOrEqual(4);
  });

  test('a query string the read does not use is the same cached answer (no way past the cache)', async () => {
    await inserted(['QUERY']);
    const path = `/api/products/${sku('QUERY')}`;
    await cached(path);
    for (const bust of ['?_=1', '?_=2&x=y', '?miss=3'])
      expect((await read(`${path}${bust}`)).cache).toBe('hit');
    const list = `/api/products?q=${encodeURIComponent(sku('QUERY'))}&limit=5`;
    await cached(list);
    const reordered = await read(
      `/api/products?limit=5&_=${Date.now()}&q=${encodeURIComponent(sku('QUERY'))}`,
    );
    expect([reordered.cache, (reordered.body.items as unknown[]).length]).toEqual(['hit', 1]);
  });

  test("a sku holding '/..' cannot put its answer under another product's key", async () => {
    await inserted(['PLANTED']);
    // Read first, nobody having read the real product yet: its 404 would land on the real key if
    // the key were not encoded (the Cache API parses keys as URLs and resolves `..`).
    const attack = await read(`/api/products/${encodeURIComponent(`x/../${sku('PLANTED')}`)}`);
    expect(attack.status).toBe(404);
    await Bun.sleep(500); // the 404's Cache API write finishes after its answer
    const real = await read(`/api/products/${sku('PLANTED')}`);
    expect([real.status, real.body.sku]).toEqual([200, sku('PLANTED')]);
  });

  test('a herd of misses for one product shares one query', async () => {
    // A popular product, cached, then changed: every read of it misses at once.
    await create({ sku: sku('HERD'), name: 'Herd before' });
    const path = `/api/products/${sku('HERD')}`;
    await purgesDone();
    await cached(path);
    await patch(path, { name: 'Herd after' });
    await purgesDone();
    // Postgres holds the first query (the table is locked) until all twenty reads are waiting.
    const locker = await stack.database.pool.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table catalog.products in access exclusive mode');
      const before = stack.edgeDatabaseMessages();
      const reads = Array.from({ length: 20 }, () => read(path));
      await eventually(async () => {
        const { rows } = await locker.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where wait_event_type = 'Lock' and query like '%catalog.products%'`,
        );
        return (rows[0]?.n ?? 0) > 0 ? true : undefined;
      });
      await Bun.sleep(1000); // the other reads reach their reader object meanwhile
      await locker.query('commit');
      const answers = await Promise.all(reads);
      expect(answers.every((r) => r.status === 200 && r.body.name === 'Herd after')).toBe(true);
      // One query per read would be 20 messages at least; the shared one (and any read that came
      // in after it was answered) are a few.
      expect(stack.edgeDatabaseMessages() - before).toBeLessThan(10);
    } finally {
      // A failure before the commit must not return a connection that still holds the lock.
      await locker.query('rollback').catch(() => undefined);
      locker.release();
    }
  });
});

describe('full drops', () => {
  test('past the change log horizon every read is dropped, and stays correct', async () => {
    await create({ sku: sku('H'), name: 'Horizon before' });
    const path = `/api/products/${sku('H')}`;
    await purgesDone();
    await cached(path);
    // 3,000 other skus changed, no read between: more than the log keeps (CHANGE_LOG_ENTRIES).
    for (let round = 0; round < 3; round++) {
      const skus = Array.from({ length: 1000 }, (_, i) => `${sku('GHOST')}-${round}-${i}`);
      const res = await fetch(`${stack.url}/internal/catalog/purge`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.internalSecret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: 'products', skus, barcodes: [], barcodeMoved: false }),
      });
      expect(res.status).toBe(200);
    }
    expect((await read(path)).cache).toBe('miss');
    await cached(path);
    await patch(path, { name: 'Horizon after' });
    await purgesDone();
    expect((await read(path)).body.name).toBe('Horizon after');
  });

  test('a new warehouse drops everything', async () => {
    await create({ sku: sku('W'), name: 'Warehouse watcher' });
    const path = `/api/products/${sku('W')}`;
    await purgesDone();
    await cached(path);
    const res = await send(admin, '/api/warehouses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: `W${run}`, name: 'Cache test' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await purgesDone();
    // (That the warehouse list follows is core/catalog/catalog.test.ts's availability test.)
    expect((await read(path)).cache).toBe('miss');
  });

  test('a purge with a body the contract refuses is a 422, and changes nothing', async () => {
    const res = await fetch(`${stack.url}/internal/catalog/purge`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.internalSecret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'products', skus: [] }),
    });
    expect(res.status).toBe(422);
  });
});
