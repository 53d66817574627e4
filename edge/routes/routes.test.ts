/**
 * The edge's routes: each URL is written as a literal in the file named after it, worker.ts only
 * mounts, and /internal/* is one sub-app behind one secret check with zod-validated bodies
 * (checked through the real worker in workerd).
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem } from '../../test/harness/http.ts';

const edgeDir = join(import.meta.dir, '..');
const source = (path: string) => readFileSync(join(edgeDir, path), 'utf8');

/** Every source file of the edge (tests and the local dev tools aside). */
function edgeSources(dir = edgeDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'local' ? [] : edgeSources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('a URL leads to the file that answers it', () => {
  const answeredIn: [string, string][] = [
    ['/healthz', 'routes/health.ts'],
    ['/openapi.json', 'routes/docs.ts'],
    ['/docs', 'routes/docs.ts'],
    ['/api/products', 'routes/products.ts'],
    ['/api/products/:sku', 'routes/products.ts'],
    ['/api/products/:sku/availability', 'routes/products.ts'],
    ['/api/barcodes/:code', 'routes/barcodes.ts'],
    ['/ws/warehouses/:id', 'routes/warehouse-sockets.ts'],
    ['/internal/catalog/purge', 'routes/internal.ts'],
    ['/internal/rooms/levels', 'routes/internal.ts'],
    ['/internal/rooms/feed', 'routes/internal.ts'],
    ['/internal/rooms/events', 'routes/internal.ts'],
    ['/internal/warehouses/:id/events', 'routes/internal.ts'],
    ['/internal/warehouses/:id/reconcile', 'routes/internal.ts'],
    ['/internal/warehouses/:id/resync', 'routes/internal.ts'],
    ['/internal/warehouses/:id/snapshot', 'routes/internal.ts'],
    ['/internal/rooms/access', 'routes/internal.ts'],
    ['/graphql', 'routes/graphql.ts'],
    ['/api/*', 'routes/gateway.ts'],
    ['/.well-known/*', 'routes/gateway.ts'],
  ];
  test.each(answeredIn)('%s is a literal in edge/%s', (url, file) => {
    expect(source(file)).toContain(`'${url}'`);
  });

  test('worker.ts only mounts routes and exports the worker and its Durable Objects', () => {
    const worker = source('worker.ts');
    expect(worker).not.toMatch(/\.(get|post|put|patch|delete|all|openapi)\(/);
    expect(worker.match(/app\.route\('\/', \w+(\(app\))?\);/g)?.length).toBe(8);
  });

  test('URLs the edge and core both answer say so where the edge answers them', () => {
    const products = source('routes/products.ts');
    const barcodes = source('routes/barcodes.ts');
    expect(
      products.match(/\/\/ Also served by core \(core\/(catalog|inventory)\/routes\.ts\)/g)?.length,
    ).toBe(3);
    expect(barcodes).toContain('// Also served by core (core/catalog/routes.ts)');
  });

  test('the internal secret is checked in one place, and internal bodies are parsed in one place', () => {
    const calls = edgeSources().flatMap((file) =>
      (readFileSync(file, 'utf8').match(/refuseWithoutInternalSecret\(/g) ?? []).map(() => file),
    );
    // The definition (auth.ts) and the one middleware of the /internal sub-app.
    expect(calls.map((f) => f.slice(edgeDir.length + 1)).sort()).toEqual(['auth.ts', 'routes/internal.ts']);
    expect(source('routes/internal.ts').match(/safeParse\(/g)?.length).toBe(1);
  });
});

describe('/internal/* through the real worker', () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await testEdge();
  }, 120_000);

  const room = crypto.randomUUID();
  const endpoints: [string, string][] = [
    ['POST', '/internal/catalog/purge'],
    ['POST', '/internal/rooms/levels'],
    ['GET', '/internal/rooms/feed'],
    ['POST', '/internal/rooms/events'],
    ['POST', `/internal/warehouses/${room}/events`],
    ['POST', `/internal/warehouses/${room}/reconcile`],
    ['POST', `/internal/warehouses/${room}/resync`],
    ['GET', `/internal/warehouses/${room}/snapshot`],
    ['POST', '/internal/rooms/access'],
    // No such endpoint: the secret is asked before anything else under /internal.
    ['GET', '/internal/no-such-thing'],
  ];
  const call = (method: string, path: string, authorization?: string, body?: unknown) =>
    fetch(`${edge.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(authorization ? { authorization } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test.each(endpoints)('%s %s refuses a caller without the secret, or with another', async (method, path) => {
    await expectProblem(await call(method, path), 401);
    await expectProblem(await call(method, path, 'Bearer not-the-secret'), 401);
    await expectProblem(await call(method, path, `Bearer ${edge.internalSecret}x`), 401);
  });

  test('with the secret, the feed socket is a WebSocket or a 426', async () => {
    await expectProblem(await call('GET', '/internal/rooms/feed', `Bearer ${edge.internalSecret}`), 426);
  });

  test('with the secret, an unknown internal path is a 404', async () => {
    await expectProblem(await call('GET', '/internal/no-such-thing', `Bearer ${edge.internalSecret}`), 404);
  });

  const badBodies: [string, string, unknown][] = [
    [
      '/internal/rooms/levels',
      'rooms.0.levels.0.sku',
      { rooms: [{ warehouseId: room, levels: [{ sku: '', onHand: 1, reserved: 0, version: 1 }] }] },
    ],
    ['/internal/rooms/levels', 'rooms.0.warehouseId', { rooms: [{ warehouseId: 'HEL', levels: [] }] }],
    [
      '/internal/rooms/events',
      'rooms.0.events.0.type',
      {
        rooms: [
          { warehouseId: room, events: [{ id: 'e', type: 'stock.changed', occurredAt: 'x', data: {} }] },
        ],
      },
    ],
    ['/internal/rooms/events', 'rooms.0.warehouseId', { rooms: [{ warehouseId: 'HEL', events: [] }] }],
    [
      `/internal/warehouses/${room}/events`,
      'event.type',
      { event: { id: 'e', type: 'stock.changed', occurredAt: 'x', data: {} } },
    ],
    [`/internal/warehouses/${room}/reconcile`, 'force', { levels: [], force: 'yes' }],
    [
      '/internal/rooms/access',
      'userId',
      { kind: 'rescoped', userId: 'not-a-uuid', roles: [], warehouseIds: [] },
    ],
    ['/internal/rooms/access', '(body)', 'not an object'],
  ];
  test.each(badBodies)('POST %s with a bad body is a 422 naming %s', async (path, field, body) => {
    const problem = await expectProblem(await call('POST', path, `Bearer ${edge.internalSecret}`, body), 422);
    expect(problem.errors?.map((e) => e.path)).toContain(field);
  });
});
