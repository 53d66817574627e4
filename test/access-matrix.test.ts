/**
 * Who may call what: every secured endpoint, every role as a signed-in user and as an API key, in
 * its own warehouse and another, through the edge (workerd verifies tokens, then core verifies again
 * and applies the policy). An allowed call must answer its documented success status on a fresh
 * object. Each issue that adds endpoints adds its rows here (a missing row fails the matrix).
 */
import { beforeAll } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { enqueueJob } from '../core/platform/outbox.ts';
import { deliveries } from '../core/webhooks/tables.ts';
import persistedQueries from '../edge/graphql/persisted-queries.json';
import { type AccessCase, type CallContext, describeAccess, type MatrixWorld } from './harness/access.ts';
import { type TestEdge, testEdge } from './harness/edge.ts';

let edge: TestEdge;
beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

const everyone = { admin: 'anywhere', manager: 'own', clerk: 'own', partner: 'own' } as const;
const staff = { admin: 'anywhere', manager: 'own', clerk: 'own' } as const;
const writers = { admin: 'anywhere', manager: 'anywhere' } as const;
const adminOnly = { admin: 'anywhere' } as const;

const sku = (w: MatrixWorld) => w.fixtures.sku!;
const lines = (w: MatrixWorld, qty = 1) => [{ sku: sku(w), qty }];

/** A product only this call uses, with its ETag. */
async function freshProduct(ctx: CallContext): Promise<{ sku: string; etag: string }> {
  const created = await ctx.admin('POST', '/api/products', {
    sku: `MX-${ctx.world.unique()}`,
    name: 'Matrix',
  });
  return { sku: (created.body as { sku: string }).sku, etag: created.headers.get('etag')! };
}

/** An order in the call's warehouse, placed by the caller when it may (so it owns it). */
const freshOrder = (ctx: CallContext, extra: Record<string, unknown> = {}) =>
  ctx.make('/api/orders', { lines: lines(ctx.world), warehouseId: ctx.warehouse.id, ...extra });

const transferOut = async (ctx: CallContext) =>
  (
    (
      await ctx.admin('POST', '/api/transfers', {
        fromWarehouseId: ctx.warehouse.id,
        toWarehouseId: ctx.world.third.id,
        lines: lines(ctx.world),
      })
    ).body as { id: string }
  ).id;

/** A clerk only this call uses, made by the admin: its id. */
async function freshUser(ctx: CallContext): Promise<string> {
  const { body } = await ctx.admin('POST', '/api/users', {
    email: `m-${ctx.world.unique()}@example.test`,
    password: 'long-enough-password',
    name: 'M',
    roles: ['clerk'],
  });
  return (body as { id: string }).id;
}

const identityCases: AccessCase[] = [
  {
    endpoint: 'GET /api/auth/me',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/auth/me' }),
  },
  {
    endpoint: 'PATCH /api/auth/me',
    scoped: false,
    allow: everyone,
    // An API key has no profile to change.
    credentials: ['token'],
    request: () => ({ method: 'PATCH', path: '/api/auth/me', body: { name: 'Matrix me' } }),
  },
  {
    endpoint: 'GET /api/users',
    scoped: false,
    allow: adminOnly,
    request: () => ({ method: 'GET', path: '/api/users?limit=5' }),
  },
  {
    endpoint: 'POST /api/users',
    scoped: false,
    allow: adminOnly,
    request: ({ world }) => ({
      method: 'POST',
      path: '/api/users',
      body: {
        email: `m-${world.unique()}@example.test`,
        password: 'long-enough-password',
        name: 'M',
        roles: ['clerk'],
      },
    }),
  },
  {
    endpoint: 'GET /api/users/{id}',
    scoped: false,
    allow: adminOnly,
    request: async (ctx) => {
      const id = await freshUser(ctx);
      return { method: 'GET', path: `/api/users/${id}` };
    },
  },
  {
    endpoint: 'PATCH /api/users/{id}',
    scoped: false,
    allow: adminOnly,
    request: async (ctx) => {
      const id = await freshUser(ctx);
      return {
        method: 'PATCH',
        path: `/api/users/${id}`,
        body: { name: 'Renamed' },
      };
    },
  },
  {
    endpoint: 'GET /api/api-keys',
    scoped: false,
    allow: adminOnly,
    request: () => ({ method: 'GET', path: '/api/api-keys' }),
  },
  {
    endpoint: 'POST /api/api-keys',
    scoped: false,
    allow: adminOnly,
    request: ({ world }) => ({
      method: 'POST',
      path: '/api/api-keys',
      body: { name: `k-${world.unique()}`, roles: ['partner'] },
    }),
  },
  {
    endpoint: 'DELETE /api/api-keys/{id}',
    scoped: false,
    allow: adminOnly,
    request: async (ctx) => {
      const { body } = await ctx.admin('POST', '/api/api-keys', {
        name: `k-${ctx.world.unique()}`,
        roles: ['partner'],
      });
      return { method: 'DELETE', path: `/api/api-keys/${(body as { id: string }).id}` };
    },
  },
  {
    endpoint: 'GET /api/jobs',
    scoped: false,
    allow: adminOnly,
    request: () => ({ method: 'GET', path: '/api/jobs?state=failed' }),
  },
  {
    endpoint: 'POST /api/jobs/{id}/retry',
    scoped: false,
    allow: adminOnly,
    request: async ({ world }) => {
      const key = `matrix-failed-${world.unique()}`;
      // Due in an hour, so the stack's jobs runner does not run (and remove) it first.
      const runAt = new Date(Date.now() + 3_600_000);
      await enqueueJob(world.db, 'allocate-backorders', {}, { jobKey: key, maxAttempts: 1, runAt });
      const { rows } = await world.db.execute<{ id: string }>(sql`
        select id::text from graphile_worker.permanently_fail_jobs(
          array(select id from graphile_worker.jobs where key = ${key}), 'matrix')`);
      return { method: 'POST', path: `/api/jobs/${rows[0]!.id}/retry` };
    },
  },
  {
    endpoint: 'POST /api/integrations/connections',
    scoped: false,
    allow: adminOnly,
    request: ({ world }) => ({
      method: 'POST',
      path: '/api/integrations/connections',
      body: {
        kind: 'shopify',
        shopDomain: `m-${world.unique()}.myshopify.com`.toLowerCase(),
        secret: 'matrix-webhook-secret',
        warehouseId: world.own.id,
        channel: `matrix-${world.unique()}`,
      },
    }),
  },
  {
    endpoint: 'GET /api/integrations/connections',
    scoped: false,
    allow: adminOnly,
    request: () => ({ method: 'GET', path: '/api/integrations/connections' }),
  },
  {
    endpoint: 'DELETE /api/integrations/connections/{id}',
    scoped: false,
    allow: adminOnly,
    request: async (ctx) => {
      const { body } = await ctx.admin('POST', '/api/integrations/connections', {
        kind: 'woocommerce',
        siteUrl: `https://m-${ctx.world.unique()}.example.com/`.toLowerCase(),
        secret: 'matrix-webhook-secret',
        warehouseId: ctx.world.own.id,
        channel: `matrix-${ctx.world.unique()}`,
      });
      return { method: 'DELETE', path: `/api/integrations/connections/${(body as { id: string }).id}` };
    },
  },
  {
    endpoint: 'GET /api/integrations/ingestions',
    scoped: false,
    allow: adminOnly,
    request: () => ({ method: 'GET', path: '/api/integrations/ingestions?status=needs_attention' }),
  },
];

const catalogCases: AccessCase[] = [
  {
    endpoint: 'POST /api/products',
    scoped: false,
    allow: writers,
    request: ({ world }) => ({
      method: 'POST',
      path: '/api/products',
      body: { sku: `MX-${world.unique()}`, name: 'M' },
    }),
  },
  {
    endpoint: 'GET /api/products',
    scoped: false,
    allow: everyone,
    request: () => ({ method: 'GET', path: '/api/products?limit=2' }),
  },
  {
    endpoint: 'GET /api/products/{sku}',
    scoped: false,
    allow: everyone,
    request: ({ world }) => ({ method: 'GET', path: `/api/products/${sku(world)}` }),
  },
  {
    endpoint: 'PATCH /api/products/{sku}',
    scoped: false,
    allow: writers,
    request: async (ctx) => {
      const p = await freshProduct(ctx);
      return {
        method: 'PATCH',
        path: `/api/products/${p.sku}`,
        body: { name: 'x' },
        headers: { 'if-match': p.etag },
      };
    },
  },
  {
    endpoint: 'DELETE /api/products/{sku}',
    scoped: false,
    allow: writers,
    request: async (ctx) => {
      const p = await freshProduct(ctx);
      return { method: 'DELETE', path: `/api/products/${p.sku}`, headers: { 'if-match': p.etag } };
    },
  },
  {
    endpoint: 'GET /api/products/{sku}/label',
    scoped: false,
    allow: everyone,
    request: ({ world }) => ({ method: 'GET', path: `/api/products/${sku(world)}/label` }),
  },
  {
    endpoint: 'POST /api/products/labels',
    scoped: false,
    // A sheet of up to 240 labels is work for the server: writers only.
    allow: writers,
    request: ({ world }) => ({ method: 'POST', path: '/api/products/labels', body: { skus: [sku(world)] } }),
  },
  {
    endpoint: 'GET /api/barcodes/{code}',
    scoped: false,
    allow: everyone,
    request: ({ world }) => ({ method: 'GET', path: `/api/barcodes/${world.fixtures.barcode}` }),
  },
  {
    endpoint: 'POST /api/products/import',
    scoped: false,
    allow: writers,
    request: ({ world }) => ({
      method: 'POST',
      path: '/api/products/import',
      contentType: 'text/csv',
      body: `sku,name\nMI-${world.unique()},Matrix import\n`,
    }),
  },
  {
    endpoint: 'GET /api/products/export',
    scoped: false,
    allow: writers,
    request: () => ({ method: 'GET', path: '/api/products/export' }),
  },
  {
    endpoint: 'GET /api/products/{sku}/availability',
    scoped: false,
    allow: everyone,
    request: ({ world }) => ({ method: 'GET', path: `/api/products/${sku(world)}/availability` }),
  },
];

const inventoryCases: AccessCase[] = [
  {
    endpoint: 'POST /api/warehouses',
    scoped: false,
    allow: adminOnly,
    request: ({ world }) => ({
      method: 'POST',
      path: '/api/warehouses',
      body: { code: `W${world.unique().slice(-8).toUpperCase()}`, name: 'Matrix' },
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
    request: ({ warehouse }) => ({ method: 'GET', path: `/api/warehouses/${warehouse.id}` }),
  },
  {
    endpoint: 'GET /api/warehouses/{id}/stock',
    scoped: true,
    allow: staff,
    request: ({ warehouse }) => ({ method: 'GET', path: `/api/warehouses/${warehouse.id}/stock` }),
  },
  {
    endpoint: 'PUT /api/warehouses/{id}/stock/{sku}/reorder',
    scoped: true,
    allow: { admin: 'anywhere', manager: 'own' },
    request: ({ world, warehouse }) => ({
      method: 'PUT',
      path: `/api/warehouses/${warehouse.id}/stock/${sku(world)}/reorder`,
      body: { reorderPoint: 5, reorderQty: 10 },
    }),
  },
  {
    endpoint: 'POST /api/inventory/adjustments',
    scoped: true,
    allow: staff,
    request: ({ world, warehouse }) => ({
      method: 'POST',
      path: '/api/inventory/adjustments',
      body: { warehouseId: warehouse.id, sku: sku(world), delta: 1, reason: 'found' },
    }),
  },
  {
    endpoint: 'GET /api/inventory/movements',
    scoped: true,
    allow: staff,
    request: ({ warehouse }) => ({
      method: 'GET',
      path: `/api/inventory/movements?warehouseId=${warehouse.id}`,
    }),
  },
  {
    endpoint: 'POST /api/inventory/counts',
    scoped: true,
    allow: staff,
    request: ({ world, warehouse }) => ({
      method: 'POST',
      path: '/api/inventory/counts',
      body: { warehouseId: warehouse.id, lines: [{ sku: sku(world), counted: 100_000 }] },
    }),
  },
  {
    endpoint: 'POST /api/transfers',
    scoped: true,
    allow: staff,
    request: ({ world, warehouse }) => ({
      method: 'POST',
      path: '/api/transfers',
      body: { fromWarehouseId: warehouse.id, toWarehouseId: world.third.id, lines: lines(world) },
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
    request: async (ctx) => ({ method: 'GET', path: `/api/transfers/${await transferOut(ctx)}` }),
  },
  {
    endpoint: 'POST /api/transfers/{id}/ship',
    scoped: true,
    allow: staff,
    request: async (ctx) => ({ method: 'POST', path: `/api/transfers/${await transferOut(ctx)}/ship` }),
  },
  {
    endpoint: 'POST /api/transfers/{id}/receive',
    scoped: true,
    allow: staff,
    request: async (ctx) => {
      const { body } = await ctx.admin('POST', '/api/transfers', {
        fromWarehouseId: ctx.world.third.id,
        toWarehouseId: ctx.warehouse.id,
        lines: lines(ctx.world),
      });
      const id = (body as { id: string }).id;
      await ctx.admin('POST', `/api/transfers/${id}/ship`);
      return { method: 'POST', path: `/api/transfers/${id}/receive`, body: {} };
    },
  },
  {
    endpoint: 'POST /api/transfers/{id}/cancel',
    scoped: true,
    allow: staff,
    request: async (ctx) => ({ method: 'POST', path: `/api/transfers/${await transferOut(ctx)}/cancel` }),
  },
];

const orderCases: AccessCase[] = [
  {
    endpoint: 'POST /api/orders',
    scoped: true,
    allow: everyone,
    request: ({ world, warehouse }) => ({
      method: 'POST',
      path: '/api/orders',
      body: { lines: lines(world), warehouseId: warehouse.id },
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
    hiddenFrom: ['partner'],
    request: async (ctx) => ({ method: 'GET', path: `/api/orders/${await freshOrder(ctx)}` }),
  },
  {
    endpoint: 'PATCH /api/orders/{id}',
    scoped: true,
    allow: everyone,
    hiddenFrom: ['partner'],
    request: async (ctx) => ({
      method: 'PATCH',
      path: `/api/orders/${await freshOrder(ctx)}`,
      body: { lines: lines(ctx.world, 2) },
    }),
  },
  {
    endpoint: 'POST /api/orders/{id}/ship',
    scoped: true,
    allow: staff,
    request: async (ctx) => ({ method: 'POST', path: `/api/orders/${await freshOrder(ctx)}/ship` }),
  },
  {
    endpoint: 'POST /api/orders/{id}/deliver',
    scoped: true,
    allow: staff,
    request: async (ctx) => {
      const id = await freshOrder(ctx);
      await ctx.admin('POST', `/api/orders/${id}/ship`);
      return { method: 'POST', path: `/api/orders/${id}/deliver` };
    },
  },
  {
    endpoint: 'POST /api/orders/{id}/cancel',
    scoped: true,
    allow: everyone,
    hiddenFrom: ['partner'],
    request: async (ctx) => ({ method: 'POST', path: `/api/orders/${await freshOrder(ctx)}/cancel` }),
  },
  {
    endpoint: 'POST /api/orders/{id}/confirm',
    scoped: true,
    allow: everyone,
    hiddenFrom: ['partner'],
    request: async (ctx) => {
      const reservationExpiresAt = new Date(Date.now() + 10 * 60_000).toISOString();
      return {
        method: 'POST',
        path: `/api/orders/${await freshOrder(ctx, { reservationExpiresAt })}/confirm`,
      };
    },
  },
];

const buyers = { admin: 'anywhere', manager: 'own' } as const;
const vendorStaff = { admin: 'anywhere', manager: 'anywhere', clerk: 'anywhere' } as const;

/** A vendor only this call uses, made by the admin: its id. */
const freshVendor = async (ctx: CallContext) =>
  ((await ctx.admin('POST', '/api/vendors', { name: `Matrix ${ctx.world.unique()}` })).body as { id: string })
    .id;

/** A purchase order in the call's warehouse, made by the admin (submitted unless said otherwise), with its ETag. */
async function freshPurchaseOrder(ctx: CallContext, submit = true): Promise<{ id: string; etag: string }> {
  const created = await ctx.admin('POST', '/api/purchase-orders', {
    vendorId: await freshVendor(ctx),
    warehouseId: ctx.warehouse.id,
    lines: lines(ctx.world, 5),
  });
  const id = (created.body as { id: string }).id;
  if (submit) await ctx.admin('POST', `/api/purchase-orders/${id}/submit`);
  return { id, etag: created.headers.get('etag')! };
}

const purchasingCases: AccessCase[] = [
  {
    endpoint: 'POST /api/vendors',
    scoped: false,
    allow: writers,
    request: ({ world }) => ({ method: 'POST', path: '/api/vendors', body: { name: `V ${world.unique()}` } }),
  },
  {
    endpoint: 'GET /api/vendors',
    scoped: false,
    allow: vendorStaff,
    request: () => ({ method: 'GET', path: '/api/vendors' }),
  },
  {
    endpoint: 'GET /api/vendors/{id}',
    scoped: false,
    allow: vendorStaff,
    request: async (ctx) => ({ method: 'GET', path: `/api/vendors/${await freshVendor(ctx)}` }),
  },
  {
    endpoint: 'PATCH /api/vendors/{id}',
    scoped: false,
    allow: writers,
    request: async (ctx) => ({
      method: 'PATCH',
      path: `/api/vendors/${await freshVendor(ctx)}`,
      body: { leadTimeDays: 3 },
    }),
  },
  {
    endpoint: 'PUT /api/vendors/{id}/items/{sku}',
    scoped: false,
    allow: writers,
    request: async (ctx) => ({
      method: 'PUT',
      path: `/api/vendors/${await freshVendor(ctx)}/items/${sku(ctx.world)}`,
      body: { packSize: 6 },
    }),
  },
  {
    endpoint: 'GET /api/vendors/{id}/items',
    scoped: false,
    allow: vendorStaff,
    request: async (ctx) => ({ method: 'GET', path: `/api/vendors/${await freshVendor(ctx)}/items` }),
  },
  {
    endpoint: 'POST /api/purchase-orders',
    scoped: true,
    allow: buyers,
    request: async (ctx) => ({
      method: 'POST',
      path: '/api/purchase-orders',
      body: { vendorId: await freshVendor(ctx), warehouseId: ctx.warehouse.id, lines: lines(ctx.world) },
    }),
  },
  {
    endpoint: 'GET /api/purchase-orders',
    scoped: false,
    allow: staff,
    request: () => ({ method: 'GET', path: '/api/purchase-orders' }),
  },
  {
    endpoint: 'GET /api/purchase-orders/{id}',
    scoped: true,
    allow: staff,
    request: async (ctx) => ({
      method: 'GET',
      path: `/api/purchase-orders/${(await freshPurchaseOrder(ctx)).id}`,
    }),
  },
  {
    endpoint: 'PATCH /api/purchase-orders/{id}',
    scoped: true,
    allow: buyers,
    request: async (ctx) => {
      const po = await freshPurchaseOrder(ctx, false);
      return {
        method: 'PATCH',
        path: `/api/purchase-orders/${po.id}`,
        body: { note: 'matrix' },
        headers: { 'if-match': po.etag },
      };
    },
  },
  {
    endpoint: 'POST /api/purchase-orders/{id}/submit',
    scoped: true,
    allow: buyers,
    request: async (ctx) => ({
      method: 'POST',
      path: `/api/purchase-orders/${(await freshPurchaseOrder(ctx, false)).id}/submit`,
    }),
  },
  {
    endpoint: 'POST /api/purchase-orders/{id}/cancel',
    scoped: true,
    allow: buyers,
    request: async (ctx) => ({
      method: 'POST',
      path: `/api/purchase-orders/${(await freshPurchaseOrder(ctx)).id}/cancel`,
    }),
  },
  {
    endpoint: 'POST /api/purchase-orders/{id}/close',
    scoped: true,
    allow: buyers,
    request: async (ctx) => {
      const { id } = await freshPurchaseOrder(ctx);
      await ctx.admin('POST', `/api/purchase-orders/${id}/receive`, { lines: lines(ctx.world, 1) });
      return { method: 'POST', path: `/api/purchase-orders/${id}/close` };
    },
  },
  {
    endpoint: 'POST /api/purchase-orders/{id}/receive',
    scoped: true,
    allow: staff,
    request: async (ctx) => ({
      method: 'POST',
      path: `/api/purchase-orders/${(await freshPurchaseOrder(ctx)).id}/receive`,
      body: { lines: lines(ctx.world, 2) },
    }),
  },
  {
    endpoint: 'POST /api/replenishment/run',
    scoped: true,
    allow: buyers,
    request: ({ warehouse }) => ({
      method: 'POST',
      path: '/api/replenishment/run',
      body: { warehouseId: warehouse.id },
    }),
  },
  {
    endpoint: 'GET /api/replenishment/suggestions',
    scoped: true,
    allow: buyers,
    request: ({ warehouse }) => ({
      method: 'GET',
      path: `/api/replenishment/suggestions?warehouseId=${warehouse.id}`,
    }),
  },
  {
    endpoint: 'POST /api/replenishment/suggestions/apply',
    scoped: true,
    allow: buyers,
    request: async (ctx) => {
      // A preferred vendor gives the suggestion its lead time.
      await ctx.admin('PUT', `/api/warehouses/${ctx.warehouse.id}/stock/${sku(ctx.world)}/reorder`, {
        reorderPoint: 5,
        reorderQty: 10,
        preferredVendorId: await freshVendor(ctx),
      });
      return {
        method: 'POST',
        path: '/api/replenishment/suggestions/apply',
        body: { warehouseId: ctx.warehouse.id, skus: [sku(ctx.world)] },
      };
    },
  },
];

/** Admins manage every subscription, partners (users and keys) their own. */
const webhookManagers = { admin: 'anywhere', partner: 'own' } as const;

/** A subscription the caller owns when it may (else the admin's): its id. Nothing it wants ever happens here. */
const freshWebhook = (ctx: CallContext) =>
  ctx.make('/api/webhooks', { url: 'http://127.0.0.1:9/matrix', events: ['webhook.disabled'] });

const webhookCases: AccessCase[] = [
  {
    endpoint: 'POST /api/webhooks',
    scoped: false,
    allow: webhookManagers,
    request: () => ({
      method: 'POST',
      path: '/api/webhooks',
      body: { url: 'http://127.0.0.1:9/matrix', events: ['webhook.disabled'] },
    }),
  },
  {
    endpoint: 'GET /api/webhooks',
    scoped: false,
    allow: webhookManagers,
    request: () => ({ method: 'GET', path: '/api/webhooks?limit=5' }),
  },
  {
    endpoint: 'GET /api/webhooks/{id}',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => ({ method: 'GET', path: `/api/webhooks/${await freshWebhook(ctx)}` }),
  },
  {
    endpoint: 'PATCH /api/webhooks/{id}',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => ({
      method: 'PATCH',
      path: `/api/webhooks/${await freshWebhook(ctx)}`,
      body: { description: 'matrix' },
    }),
  },
  {
    endpoint: 'DELETE /api/webhooks/{id}',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => ({ method: 'DELETE', path: `/api/webhooks/${await freshWebhook(ctx)}` }),
  },
  {
    endpoint: 'POST /api/webhooks/{id}/rotate-secret',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => ({
      method: 'POST',
      path: `/api/webhooks/${await freshWebhook(ctx)}/rotate-secret`,
    }),
  },
  {
    endpoint: 'GET /api/webhooks/{id}/deliveries',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => ({ method: 'GET', path: `/api/webhooks/${await freshWebhook(ctx)}/deliveries` }),
  },
  {
    endpoint: 'POST /api/webhooks/{id}/deliveries/{deliveryId}/retry',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => {
      const id = await freshWebhook(ctx);
      const [delivery] = await ctx.world.db
        .insert(deliveries)
        .values({
          subscriptionId: id,
          eventId: crypto.randomUUID(),
          eventType: 'webhook.disabled',
          payload: { type: 'webhook.disabled', timestamp: new Date().toISOString(), data: {} },
          occurredAt: new Date(),
          status: 'failed',
        })
        .returning({ id: deliveries.id });
      return { method: 'POST', path: `/api/webhooks/${id}/deliveries/${delivery!.id}/retry` };
    },
  },
  {
    endpoint: 'POST /api/webhooks/{id}/replay',
    scoped: false,
    allow: webhookManagers,
    request: async (ctx) => ({
      method: 'POST',
      path: `/api/webhooks/${await freshWebhook(ctx)}/replay`,
      body: { from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString() },
    }),
  },
];

/** A GraphQL query as a matrix request: the status follows the REST endpoint each field reads. */
const graphql = (query: string, variables: Record<string, unknown>) => ({
  method: 'POST',
  path: '/graphql',
  body: { query, variables },
});

const warehouseAvailabilityQuery = Object.entries(persistedQueries as Record<string, string>).find(([, q]) =>
  q.startsWith('query WarehouseAvailability'),
)![0];

// Core's analytics (issue 19, merged beside this): its GraphQL row applies once the endpoint is there.
const analyticsLanded = existsSync(join(import.meta.dir, '..', 'core', 'analytics', 'routes.ts'));

const graphqlCases: AccessCase[] = [
  ...(analyticsLanded
    ? [
        {
          endpoint: 'POST /graphql',
          label: 'the analytics summary of a warehouse',
          scoped: true,
          allow: { admin: 'anywhere', manager: 'own' },
          request: ({ warehouse }: CallContext) =>
            graphql('query($w: ID) { analyticsSummary(warehouseId: $w) }', { w: warehouse.id }),
        } satisfies AccessCase,
      ]
    : []),
  {
    endpoint: 'POST /graphql',
    label: 'availability in a warehouse',
    scoped: true,
    allow: everyone,
    request: ({ world, warehouse }) =>
      graphql('query($s: [String!]!, $w: ID) { availability(skus: $s, warehouseId: $w) { available } }', {
        s: [sku(world)],
        w: warehouse.id,
      }),
  },
  {
    endpoint: 'POST /graphql',
    label: 'an order',
    scoped: true,
    allow: everyone,
    hiddenFrom: ['partner'],
    request: async (ctx) =>
      graphql('query($id: ID!) { order(id: $id) { id status } }', { id: await freshOrder(ctx) }),
  },
  {
    endpoint: 'POST /graphql',
    label: 'a transfer',
    scoped: true,
    allow: staff,
    request: async (ctx) =>
      graphql('query($id: ID!) { transfer(id: $id) { id } }', { id: await transferOut(ctx) }),
  },
  {
    endpoint: 'POST /graphql',
    label: 'a purchase order',
    scoped: true,
    allow: staff,
    request: async (ctx) =>
      graphql('query($id: ID!) { purchaseOrder(id: $id) { id lines { sku } } }', {
        id: (await freshPurchaseOrder(ctx)).id,
      }),
  },
  {
    endpoint: 'GET /graphql',
    label: 'a persisted query of availability in a warehouse',
    scoped: true,
    allow: everyone,
    request: ({ world, warehouse }) => ({
      method: 'GET',
      path: `/graphql?id=${warehouseAvailabilityQuery}&variables=${encodeURIComponent(
        JSON.stringify({ skus: [sku(world)], warehouseId: warehouse.id }),
      )}`,
    }),
  },
];

/** KPIs (revenue, costs): admins, and managers for their own warehouses; clerks and partners not. */
const kpiReaders = { admin: 'anywhere', manager: 'own' } as const;

const analyticsCases: AccessCase[] = [
  ...(['summary', 'sales', 'abc'] as const).map(
    (what): AccessCase => ({
      endpoint: `GET /api/analytics/${what}`,
      scoped: true,
      allow: kpiReaders,
      request: ({ warehouse }) => ({
        method: 'GET',
        path: `/api/analytics/${what}?warehouseId=${warehouse.id}`,
      }),
    }),
  ),
  {
    endpoint: 'GET /api/analytics/dead-stock',
    scoped: true,
    allow: kpiReaders,
    request: ({ warehouse }) => ({
      method: 'GET',
      path: `/api/analytics/dead-stock?warehouseId=${warehouse.id}&days=30`,
    }),
  },
];

/** The audit log: admins and managers (who see only their warehouses' entries, core/audit). */
const auditCases: AccessCase[] = [
  {
    endpoint: 'GET /api/audit',
    scoped: false,
    allow: { admin: 'anywhere', manager: 'anywhere' },
    request: () => ({ method: 'GET', path: '/api/audit?limit=5' }),
  },
];

/** A product with a barcode, stocked in all three warehouses. */
async function prepare(w: MatrixWorld, admin: CallContext['admin']): Promise<Record<string, string>> {
  const fixtures = { sku: `MX-${w.unique()}`, barcode: '4006381333931' };
  await admin('POST', '/api/products', {
    sku: fixtures.sku,
    name: 'Matrix stock',
    barcode: fixtures.barcode,
  });
  for (const wh of [w.own.id, w.other.id, w.third.id])
    await admin('POST', '/api/inventory/adjustments', {
      warehouseId: wh,
      sku: fixtures.sku,
      delta: 100_000,
      reason: 'received',
    });
  return fixtures;
}

describeAccess(
  () => ({ url: edge.url, db: edge.database.db }),
  [
    ...identityCases,
    ...catalogCases,
    ...inventoryCases,
    ...orderCases,
    ...purchasingCases,
    ...webhookCases,
    ...graphqlCases,
    ...auditCases,
    ...analyticsCases,
  ],
  prepare,
);
