/**
 * The core HTTP surface against a real server and a real Postgres: health, the warehouse
 * round trip, and a problem+json answer for every class of bad input, with no partial writes.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, signedIn } from '../test/harness/auth.ts';
import { serveCore, useCore } from '../test/harness/core.ts';
import { apiClient, expectProblem, type OpenApiDoc, postJson } from '../test/harness/http.ts';
import { adminQuery, testPostgres } from '../test/harness/postgres.ts';
import { connectDatabase } from './platform/database.ts';
import { publicPaths, serviceForPath, serviceNames, servicePrefixes } from './services.ts';

const core = useCore({ maxBodyBytes: 64 * 1024 });
let admin: Actor;
beforeAll(async () => {
  admin = await signedIn({ url: core().url, db: core().database.db }, { roles: ['admin'] });
});
const api = apiClient(
  () => core().url,
  () => admin.headers,
);

async function counts() {
  const { db } = core().database;
  const result = await db.execute<{ warehouses: number; jobs: number }>(sql`select
    (select count(*)::int from inventory.warehouses) as warehouses,
    (select count(*)::int from graphile_worker.jobs) as jobs`);
  return result.rows[0]!;
}

describe('health', () => {
  test('GET /healthz answers 200 once Postgres and the outbox are reachable', async () => {
    const res = await fetch(`${core().url}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { services: string[] };
    expect(body).toMatchObject({ status: 'ok', database: { status: 'ok', outbox: true } });
    expect(body.services).toContain('inventory');
  });

  test('answers 503 on a database that was never migrated, saying what to run', async () => {
    const name = `unmigrated_${crypto.randomUUID().slice(0, 8)}`;
    await adminQuery(`create database ${name}`);
    const handle = connectDatabase(testPostgres().url(name), { max: 1 });
    const bare = serveCore({ db: handle.db });
    try {
      const body = await expectProblem(await fetch(`${bare.url}/healthz`), 503, 'unavailable');
      expect(body.detail).toContain('bun run db:migrate');
    } finally {
      await bare.stop();
      await handle.close();
      await adminQuery(`drop database ${name} with (force)`);
    }
  });

  test('answers 503 problem+json when the database is gone', async () => {
    const handle = connectDatabase(core().database.url, { max: 1 });
    await handle.close();
    const broken = serveCore({ db: handle.db });
    try {
      const body = await expectProblem(await fetch(`${broken.url}/healthz`), 503, 'unavailable');
      expect(body.detail).toContain('database');
    } finally {
      await broken.stop();
    }
  });
});

describe('warehouses round trip', () => {
  test('POST then GET /api/warehouses through Postgres, paged by cursor', async () => {
    for (const code of ['RT1', 'RT2', 'RT3']) {
      const res = await api.post('/api/warehouses', {
        code: code.toLowerCase(),
        name: `Round ${code}`,
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ code, name: `Round ${code}`, timezone: 'UTC' });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q = new URLSearchParams({ limit: '2', ...(cursor ? { cursor } : {}) });
      const page = (await (await api.get(`/api/warehouses?${q}`)).json()) as {
        items: { code: string }[];
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((w) => w.code));
      cursor = page.nextCursor;
    } while (cursor);
    // Other tests of this file may have made warehouses too (in any order): ours come in code
    // order, and the pages hold every warehouse once.
    expect(seen.filter((code) => code.startsWith('RT'))).toEqual(['RT1', 'RT2', 'RT3']);
    expect(new Set(seen).size).toBe(seen.length);
    const { rows } = await core().database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from inventory.warehouses`,
    );
    expect(seen.length).toBe(rows[0]!.n);
  });

  test('a request id given by the caller is echoed and logged', async () => {
    const res = await api.send(`/api/warehouses`, {
      headers: { 'x-request-id': 'caller-chosen-id-42' },
    });
    expect(res.headers.get('x-request-id')).toBe('caller-chosen-id-42');
    expect(core().logs.some((l) => l.requestId === 'caller-chosen-id-42' && l.msg === 'request')).toBe(true);
  });
});

describe('bad input gets problem+json and writes nothing', () => {
  test('malformed JSON: 400', async () => {
    const before = await counts();
    const res = await api.send(`/api/warehouses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code": "BAD",',
    });
    await expectProblem(res, 400, 'malformed-json');
    expect(await counts()).toEqual(before);
  });

  test('wrong content type: 415, and 415 when the header is missing', async () => {
    const wrong = await api.send(`/api/warehouses`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'code=BAD',
    });
    const body = await expectProblem(wrong, 415, 'unsupported-media-type');
    expect(body.detail).toContain('application/json');
    const missing = await api.send(`/api/warehouses`, { method: 'POST', body: new Blob(['{}']) });
    await expectProblem(missing, 415, 'unsupported-media-type');
  });

  test('unknown route: 404, for any method', async () => {
    await expectProblem(await api.send(`/api/nowhere`), 404, 'not-found');
    await expectProblem(await api.send(`/api/warehouses`, { method: 'DELETE' }), 404, 'not-found');
  });

  test('oversized body: 413 before it is parsed', async () => {
    const before = await counts();
    // Refused before the whole body is read, so the server may close the connection: it is not
    // kept for reuse, or the next test's request could go out on a socket already closing.
    const res = await api.send('/api/warehouses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ code: 'BIG', name: 'x'.repeat(70 * 1024) }),
      keepalive: false,
    });
    await expectProblem(res, 413, 'payload-too-large');
    expect(await counts()).toEqual(before);
  });

  test('validation failure: 422 naming each offending field', async () => {
    const before = await counts();
    const res = await api.post('/api/warehouses', {
      code: 'no spaces!',
      name: '',
      timezone: 'Mars/Olympus',
      sneaky: true,
    });
    const body = await expectProblem(res, 422, 'validation');
    expect(body.errors!.map((e) => e.path).sort()).toEqual(['code', 'name', 'sneaky', 'timezone']);
    expect(await counts()).toEqual(before);
  });

  test('a bad query parameter or cursor: 422 naming it', async () => {
    const limit = await expectProblem(await api.send(`/api/warehouses?limit=0`), 422, 'validation');
    expect(limit.errors?.[0]?.path).toBe('limit');
    const cursor = await expectProblem(await api.send(`/api/warehouses?cursor=garbage`), 422, 'validation');
    expect(cursor.errors?.[0]?.path).toBe('cursor');
  });

  test('a value Postgres cannot store (a NUL character): 422, in the body or in a cursor', async () => {
    const before = await counts();
    const body = await expectProblem(
      await api.post('/api/warehouses', { code: 'NUL', name: 'a\u0000b' }),
      422,
      'invalid-value',
    );
    expect(body.detail).toContain('NUL');
    expect(await counts()).toEqual(before);
    const cursor = Buffer.from(JSON.stringify({ code: '\u0000' })).toString('base64url');
    await expectProblem(await api.send(`/api/warehouses?cursor=${cursor}`), 422, 'invalid-value');
  });

  test('a duplicate: 409, and the failed transaction enqueued no job', async () => {
    expect((await api.post('/api/warehouses', { code: 'DUP', name: 'First' })).status).toBe(201);
    const before = await counts();
    const res = await api.post('/api/warehouses', { code: 'dup', name: 'Second' });
    await expectProblem(res, 409, 'conflict');
    expect(await counts()).toEqual(before);
  });

  test('an unexpected failure: 500 with a request id and no internals', async () => {
    const handle = connectDatabase(core().database.url, { max: 1 });
    await handle.close();
    const broken = serveCore({ db: handle.db });
    try {
      const res = await postJson(
        `${broken.url}/api/warehouses`,
        { code: 'ERR', name: 'Boom' },
        admin.headers,
      );
      const body = await expectProblem(res, 500, 'internal');
      expect(body.requestId).toBe(res.headers.get('x-request-id')!);
      expect(JSON.stringify(body)).not.toMatch(/pool|stack|\.ts|insert/i);
      expect(broken.logs.some((l) => l.msg === 'unhandled error')).toBe(true);
    } finally {
      await broken.stop();
    }
  });
});

test('GET /openapi.json is an OpenAPI 3.1 document generated from the route schemas', async () => {
  const doc = (await (await fetch(`${core().url}/openapi.json`)).json()) as OpenApiDoc;
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.paths['/api/warehouses']!.post!.requestBody!.content['application/json']!.schema).toBeDefined();
  expect(doc.components.schemas.Problem).toBeDefined();
  expect(doc.components.schemas.Warehouse).toBeDefined();
});

test('every documented URL is written as a literal path in core, so searching the URL finds its route', async () => {
  const doc = (await (await fetch(`${core().url}/openapi.json`)).json()) as OpenApiDoc;
  const sources: string[] = [];
  for await (const file of new Bun.Glob('**/*.ts').scan({ cwd: import.meta.dir }))
    if (!file.endsWith('.test.ts')) sources.push(await Bun.file(`${import.meta.dir}/${file}`).text());
  const source = sources.join('\n');
  const paths = Object.keys(doc.paths).filter((p) => p !== '/openapi.json');
  expect(paths).toContain('/api/orders/{id}/confirm');
  expect(paths).toContain('/api/transfers/{id}/ship');
  expect(paths.filter((path) => !source.includes(`path: '${path}'`))).toEqual([]);
});

test('every URL prefix the edge routes by leads to a route of its service, and every route has its service', async () => {
  const doc = (await (await fetch(`${core().url}/openapi.json`)).json()) as OpenApiDoc;
  const paths = Object.keys(doc.paths).filter(
    (p) => !['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(p),
  );
  const servedBy = (prefix: string) => paths.filter((p) => p === prefix || p.startsWith(`${prefix}/`));
  const empty = serviceNames.flatMap((name) =>
    servicePrefixes[name].filter((prefix) => !servedBy(prefix).some((p) => serviceForPath(p) === name)),
  );
  expect(empty).toEqual([]);
  expect(paths.filter((p) => serviceForPath(p) === undefined)).toEqual([]);
});

test('every operation declares who may call it; the public ones are exactly the edge’s public paths', async () => {
  const doc = (await (await fetch(`${core().url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { security?: unknown[]; 'x-action'?: string }>>;
  };
  const publicOps: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(path)) continue;
    for (const [method, op] of Object.entries(ops)) {
      expect(op.security, `${method.toUpperCase()} ${path} declares no security`).toBeArray();
      if (op.security!.length === 0) publicOps.push(path);
      else expect(op['x-action'], `${method.toUpperCase()} ${path} declares no action`).toBeString();
    }
  }
  expect(publicOps.sort()).toEqual([...publicPaths].sort());
});
