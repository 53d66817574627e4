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
];

describeAccess(() => ({ url: edge.url, db: edge.database.db }), cases);
