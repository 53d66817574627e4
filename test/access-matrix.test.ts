/**
 * Who may call what: every secured endpoint, every role, in its own warehouse and another,
 * through the edge (workerd verifies tokens, then core verifies again and applies the policy).
 * Each issue that adds endpoints adds its rows here.
 */
import { beforeAll } from 'bun:test';
import { type AccessCase, describeAccess } from './harness/access.ts';
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

describeAccess(() => ({ url: edge.url, db: edge.database.db }), cases);
