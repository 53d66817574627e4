/**
 * The edge worker in real workerd (wrangler dev), in front of a real core, jobs and Postgres:
 * health, the gateway round trip, the merged OpenAPI document, /docs and static assets, and
 * problem+json for bad input as clients see it through the edge.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { eventArchive } from '../core/integrations/tables.ts';
import { warehouses } from '../core/inventory/tables.ts';
import type { Actor } from '../test/harness/auth.ts';
import { type TestEdge, testEdgeWithAdmin } from '../test/harness/edge.ts';
import { apiClient, eventually, expectProblem, type OpenApiDoc } from '../test/harness/http.ts';

let edge: TestEdge;
let admin: Actor;
beforeAll(async () => {
  ({ edge, admin } = await testEdgeWithAdmin());
}, 120_000);
const api = apiClient(
  () => edge.url,
  () => admin.headers,
);

test('GET /healthz: edge, core, the database through the Neon driver, and a Durable Object answer', async () => {
  const res = await fetch(`${edge.url}/healthz`);
  const body = await res.json();
  expect(res.status).toBe(200);
  expect(body).toMatchObject({
    status: 'ok',
    edge: 'ok',
    core: { status: 'ok' },
    database: { status: 'ok' },
    durableObjects: { status: 'ok' },
  });
});

describe('gateway round trip: edge -> core -> Postgres -> jobs', () => {
  test('POST /api/warehouses lands in Postgres and its event carries the request id', async () => {
    const requestId = `edge-roundtrip-${Date.now()}`;
    const res = await api.post(
      '/api/warehouses',
      { code: 'EDG1', name: 'Edge One' },
      { 'x-request-id': requestId },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const created = (await res.json()) as { id: string };

    const [row] = await edge.database.db.select().from(warehouses).where(eq(warehouses.id, created.id));
    expect(row?.code).toBe('EDG1');
    expect(edge.coreLogs.some((l) => l.requestId === requestId && l.path === '/api/warehouses')).toBe(true);

    const event = await eventually(async () => {
      const [e] = await edge.database.db
        .select()
        .from(eventArchive)
        .where(eq(eventArchive.warehouseId, created.id));
      return e;
    });
    expect(event).toMatchObject({ type: 'warehouse.created', requestId });

    const list = (await (await api.send(`/api/warehouses?limit=200`)).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((w) => w.id)).toContain(created.id);
  });

  test('the edge mints a request id when the caller sends none, and core logs it', async () => {
    const res = await api.send(`/api/warehouses?limit=1`);
    expect(res.status).toBe(200);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(edge.coreLogs.some((l) => l.requestId === id)).toBe(true);
  });
});

describe('bad input through the edge gets problem+json', () => {
  test('malformed JSON: 400', async () => {
    const res = await api.send(`/api/warehouses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"code":',
    });
    await expectProblem(res, 400, 'malformed-json');
  });

  test('wrong content type: 415', async () => {
    const res = await api.send(`/api/warehouses`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<warehouse/>',
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  test("unknown routes: 404 for an API path no service owns, an unknown path in a service, and the worker's other paths", async () => {
    await expectProblem(await api.send(`/api/teleporters`), 404, 'not-found');
    await expectProblem(await api.send(`/api/warehouses/x/y/z`), 404, 'not-found');
    await expectProblem(await fetch(`${edge.url}/.well-known/no-such-thing`), 404, 'not-found');
  });

  test("any other path is the dashboard's: index.html, whose router shows the screen or its own not-found page", async () => {
    const res = await fetch(`${edge.url}/no/such/page`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<app-root');
  });

  test('oversized body: 413', async () => {
    // Refused before the whole body is read, so the server may close the connection: it is not
    // kept for reuse, or the next test's request could go out on a socket already closing.
    const res = await api.send('/api/warehouses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ code: 'BIG', name: 'x'.repeat(1_100_000) }),
      keepalive: false,
    });
    await expectProblem(res, 413, 'payload-too-large');
  });

  test('validation failure: 422 with the offending fields', async () => {
    const body = await expectProblem(
      await api.post('/api/warehouses', { code: '!', name: 5 }),
      422,
      'validation',
    );
    expect(body.errors!.map((e) => e.path).sort()).toEqual(['code', 'name']);
  });
});

describe('API description and static assets', () => {
  test('GET /openapi.json merges the edge routes over the services into one OpenAPI 3.1 document', async () => {
    const res = await fetch(`${edge.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/openapi.json', '/api/warehouses']),
    );
    // /healthz is the edge's own (it reports Durable Objects), not core's.
    expect(doc.paths['/healthz']!.get!.summary).toContain('Durable Objects');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.schemas).toHaveProperty('Warehouse');
  });

  test('GET /docs serves the API reference with its viewer from our own assets', async () => {
    const res = await fetch(`${edge.url}/docs`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/vendor/scalar/standalone.js');
    expect(html).toContain("url: '/openapi.json'");
    const script = await fetch(`${edge.url}/vendor/scalar/standalone.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  test('GET / serves the dashboard (the Angular build in web/dist) from assets', async () => {
    const res = await fetch(`${edge.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Varastokkr</title>');
    expect(html).toContain('<app-root');
  });
});
