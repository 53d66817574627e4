import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { LabelRenderer } from './catalog/label-rendering.ts';
import type { Principal } from './identity/policy.ts';
import type { IdentityRuntime } from './identity/runtime.ts';
import type { InventoryClient } from './inventory/client.ts';
import type { HoldSettings } from './platform/config.ts';
import type { Database } from './platform/database.ts';
import { createOpenApiRouter, type RequestEnv } from './platform/http.ts';
import type { IdempotencyClaim } from './platform/idempotency.ts';
import type { WebhookSettings } from './webhooks/settings.ts';

/**
 * The composition root's view of a request: what every core handler can reach on its context
 * (the services' runtimes, set by core/app.ts). Here, not in platform/, because it names services.
 */
export type AppEnv = {
  Variables: RequestEnv['Variables'] & {
    db: Database;
    identity: IdentityRuntime;
    /** Set by authorize() on every route that declares an action. */
    principal: Principal;
    /** Set on the CSV import path: its streaming body limit. */
    importMaxBytes: number;
    /** Set on writes that carry an Idempotency-Key: store the response in the write's transaction. */
    idempotency?: IdempotencyClaim;
    /** Inventory's API for the other services (in process). */
    inventory: InventoryClient;
    /** Set by trustEdge(): the edge's signed client address, else the socket's peer. */
    clientAddress: string;
    /** Label drawing on worker threads (catalog). */
    labels: LabelRenderer;
    /** Caps on stock held by pending orders and requested transfers. */
    holds: HoldSettings;
    /** How webhooks are sent (QStash's callbacks are checked against its settings). */
    webhooks: WebhookSettings;
  };
};

/** A core service router. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return createOpenApiRouter<AppEnv>();
}

/** Hands the database and the identity runtime (keys, password hasher) to core handlers. */
export function provideRuntime(
  db: Database,
  identity: IdentityRuntime,
  inventory: InventoryClient,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('db', db);
    c.set('identity', identity);
    c.set('inventory', inventory);
    await next();
  };
}
