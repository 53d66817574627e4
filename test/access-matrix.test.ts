/**
 * Who may call what: every secured endpoint, every role, in its own warehouse and another,
 * through the edge (workerd verifies tokens, then core verifies again and applies the policy).
 * Each issue that adds endpoints adds its rows here.
 */
import { beforeAll } from 'bun:test';
import { products } from '../core/catalog/tables.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { type AccessCase, describeAccess, type MatrixWorld } from './harness/access.ts';
import { type TestEdge, testEdge } from './harness/edge.ts';

let edge: TestEdge;
beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

const everyone = { admin: 'anywhere', manager: 'own', clerk: 'own', partner: 'own' } as const;

const cases: AccessCase[] = [
  {
    endpoint: 'GET /api/auth/me',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/auth/me' }),
  },
  {
    endpoint: 'GET /api/users',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: () => ({ method: 'GET', path: '/api/users?limit=5' }),
  },
  {
    endpoint: 'POST /api/users',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: (w) => ({
      method: 'POST',
      path: '/api/users',
      body: {
        email: `m-${w.unique()}@example.test`,
        password: 'long-enough-password',
        name: 'M',
        roles: ['clerk'],
      },
    }),
  },
  {
    endpoint: 'GET /api/api-keys',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: () => ({ method: 'GET', path: '/api/api-keys' }),
  },
  {
    endpoint: 'POST /api/api-keys',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: (w) => ({
      method: 'POST',
      path: '/api/api-keys',
      body: { name: `k-${w.unique()}`, roles: ['partner'] },
    }),
  },
  {
    endpoint: 'POST /api/warehouses',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: (w) => ({
      method: 'POST',
      path: '/api/warehouses',
      body: { code: `W${w.unique().slice(-8).toUpperCase()}`, name: 'Matrix' },
    }),
  },
  {
    endpoint: 'GET /api/warehouses',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/warehouses' }),
  },
  {
    endpoint: 'GET /api/warehouses/{id}',
    scoped: true,
    allow: everyone,
    request: (_w, warehouse) => ({ method: 'GET', path: `/api/warehouses/${warehouse.id}` }),
  },
  {
    endpoint: 'POST /api/products',
    scoped: false,
    allow: { admin: 'anywhere', manager: 'anywhere' },
    request: (w) => ({
      method: 'POST',
      path: '/api/products',
      body: { sku: `MX-${w.unique()}`, name: 'Matrix' },
    }),
  },
  {
    endpoint: 'GET /api/products (edge)',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/products?limit=2' }),
  },
  {
    endpoint: 'GET /api/products/{sku} (edge)',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/products/MATRIX-MISSING' }),
  },
  {
    endpoint: 'PATCH /api/products/{sku}',
    scoped: false,
    allow: { admin: 'anywhere', manager: 'anywhere' },
    request: () => ({ method: 'PATCH', path: '/api/products/MATRIX-MISSING', body: { name: 'x' } }),
  },
  {
    endpoint: 'DELETE /api/products/{sku}',
    scoped: false,
    allow: { admin: 'anywhere', manager: 'anywhere' },
    request: () => ({ method: 'DELETE', path: '/api/products/MATRIX-MISSING' }),
  },
  {
    endpoint: 'GET /api/products/{sku}/label',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/products/MATRIX-MISSING/label' }),
  },
  {
    endpoint: 'POST /api/products/labels',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'POST', path: '/api/products/labels', body: { skus: ['MATRIX-MISSING'] } }),
  },
  {
    endpoint: 'GET /api/barcodes/{code} (edge)',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/barcodes/4006381333931' }),
  },
  {
    endpoint: 'POST /api/products/import',
    scoped: false,
    allow: { admin: 'anywhere', manager: 'anywhere' },
    request: (w) => ({
      method: 'POST',
      path: '/api/products/import',
      contentType: 'text/csv',
      body: `sku,name\nMI-${w.unique()},Matrix import\n`,
    }),
  },
  {
    endpoint: 'GET /api/products/export',
    scoped: false,
    allow: { admin: 'anywhere', manager: 'anywhere' },
    request: () => ({ method: 'GET', path: '/api/products/export' }),
  },
  {
    endpoint: 'GET /api/products/{sku}/availability',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/products/MATRIX-MISSING/availability' }),
  },
];

const staff = { admin: 'anywhere', manager: 'own', clerk: 'own' } as const;

cases.push(
  {
    endpoint: 'GET /api/jobs',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: () => ({ method: 'GET', path: '/api/jobs?state=failed' }),
  },
  {
    endpoint: 'POST /api/jobs/{id}/retry',
    scoped: false,
    allow: { admin: 'anywhere' },
    request: () => ({ method: 'POST', path: '/api/jobs/999999999/retry' }),
  },
);
const f = (w: MatrixWorld, name: string, wh: { id: string }) => w.fixtures[`${name}:${wh.id}`]!;

const stockCases: AccessCase[] = [
  {
    endpoint: 'GET /api/warehouses/{id}/stock',
    scoped: true,
    allow: staff,
    request: (_w, wh) => ({ method: 'GET', path: `/api/warehouses/${wh.id}/stock` }),
  },
  {
    endpoint: 'PUT /api/warehouses/{id}/stock/{sku}/reorder',
    scoped: true,
    allow: { admin: 'anywhere', manager: 'own' },
    request: (w, wh) => ({
      method: 'PUT',
      path: `/api/warehouses/${wh.id}/stock/${w.fixtures.sku}/reorder`,
      body: { reorderPoint: 5, reorderQty: 10 },
    }),
  },
  {
    endpoint: 'POST /api/inventory/adjustments',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({
      method: 'POST',
      path: '/api/inventory/adjustments',
      body: { warehouseId: wh.id, sku: w.fixtures.sku, delta: 1, reason: 'found' },
    }),
  },
  {
    endpoint: 'GET /api/inventory/movements',
    scoped: true,
    allow: staff,
    request: (_w, wh) => ({ method: 'GET', path: `/api/inventory/movements?warehouseId=${wh.id}` }),
  },
  {
    endpoint: 'POST /api/inventory/counts',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({
      method: 'POST',
      path: '/api/inventory/counts',
      body: { warehouseId: wh.id, lines: [{ sku: w.fixtures.sku, counted: 1000 }] },
    }),
  },
  {
    endpoint: 'POST /api/transfers',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({
      method: 'POST',
      path: '/api/transfers',
      body: {
        fromWarehouseId: wh.id,
        toWarehouseId: w.fixtures.third,
        lines: [{ sku: w.fixtures.sku, qty: 1 }],
      },
    }),
  },
  {
    endpoint: 'GET /api/transfers',
    scoped: false,
    allow: staff,
    request: () => ({ method: 'GET', path: '/api/transfers' }),
  },
  {
    endpoint: 'GET /api/transfers/{id}',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({ method: 'GET', path: `/api/transfers/${f(w, 'transfer-out', wh)}` }),
  },
  {
    endpoint: 'POST /api/transfers/{id}/ship',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({ method: 'POST', path: `/api/transfers/${f(w, 'transfer-out', wh)}/ship` }),
  },
  {
    endpoint: 'POST /api/transfers/{id}/receive',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({
      method: 'POST',
      path: `/api/transfers/${f(w, 'transfer-in', wh)}/receive`,
      body: {},
    }),
  },
  {
    endpoint: 'POST /api/transfers/{id}/cancel',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({ method: 'POST', path: `/api/transfers/${f(w, 'transfer-cancel', wh)}/cancel` }),
  },
  {
    endpoint: 'POST /api/orders',
    scoped: true,
    allow: everyone,
    request: (w, wh) => ({
      method: 'POST',
      path: '/api/orders',
      body: { lines: [{ sku: w.fixtures.sku, qty: 1 }], warehouseId: wh.id },
    }),
  },
  {
    endpoint: 'GET /api/orders',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/orders' }),
  },
  {
    endpoint: 'GET /api/orders/{id}',
    scoped: true,
    allow: everyone,
    request: (w, wh) => ({ method: 'GET', path: `/api/orders/${f(w, 'order', wh)}` }),
  },
  {
    endpoint: 'PATCH /api/orders/{id}',
    scoped: true,
    allow: everyone,
    request: (w, wh) => ({
      method: 'PATCH',
      path: `/api/orders/${f(w, 'order', wh)}`,
      body: { lines: [{ sku: w.fixtures.sku, qty: 2 }] },
    }),
  },
  {
    endpoint: 'POST /api/orders/{id}/ship',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({ method: 'POST', path: `/api/orders/${f(w, 'order', wh)}/ship` }),
  },
  {
    endpoint: 'POST /api/orders/{id}/deliver',
    scoped: true,
    allow: staff,
    request: (w, wh) => ({ method: 'POST', path: `/api/orders/${f(w, 'order', wh)}/deliver` }),
  },
  {
    endpoint: 'POST /api/orders/{id}/cancel',
    scoped: true,
    allow: everyone,
    request: (w, wh) => ({ method: 'POST', path: `/api/orders/${f(w, 'order-cancel', wh)}/cancel` }),
  },
  {
    endpoint: 'POST /api/orders/{id}/confirm',
    scoped: true,
    allow: everyone,
    request: (w, wh) => ({ method: 'POST', path: `/api/orders/${f(w, 'order-pending', wh)}/confirm` }),
  },
];

/** A stocked product, a third warehouse outside every scope, and an order and transfers per warehouse. */
async function prepareStock(w: MatrixWorld, admin: Record<string, string>): Promise<Record<string, string>> {
  const db = edge.database.db;
  const sku = `MX-${w.unique()}`;
  await db.insert(products).values({ sku, name: 'Matrix stock' });
  const [third] = await db
    .insert(warehouses)
    .values({ code: `X${w.unique().toUpperCase()}`.slice(0, 10), name: 'Matrix third' })
    .returning({ id: warehouses.id });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${edge.url}${path}`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };
  const fixtures: Record<string, string> = { sku, third: third!.id };
  for (const wh of [w.own.id, w.other.id, third!.id])
    await post('/api/inventory/adjustments', { warehouseId: wh, sku, delta: 1000, reason: 'received' });
  for (const wh of [w.own.id, w.other.id]) {
    const lines = [{ sku, qty: 1 }];
    fixtures[`order:${wh}`] = await post('/api/orders', { lines, warehouseId: wh });
    fixtures[`order-cancel:${wh}`] = await post('/api/orders', { lines, warehouseId: wh });
    fixtures[`order-pending:${wh}`] = await post('/api/orders', {
      lines,
      warehouseId: wh,
      reservationExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    fixtures[`transfer-out:${wh}`] = await post('/api/transfers', {
      fromWarehouseId: wh,
      toWarehouseId: third!.id,
      lines,
    });
    fixtures[`transfer-cancel:${wh}`] = await post('/api/transfers', {
      fromWarehouseId: wh,
      toWarehouseId: third!.id,
      lines,
    });
    const incoming = await post('/api/transfers', { fromWarehouseId: third!.id, toWarehouseId: wh, lines });
    await fetch(`${edge.url}/api/transfers/${incoming}/ship`, { method: 'POST', headers: admin });
    fixtures[`transfer-in:${wh}`] = incoming;
  }
  return fixtures;
}

describeAccess(() => ({ url: edge.url, db: edge.database.db }), [...cases, ...stockCases], prepareStock);
