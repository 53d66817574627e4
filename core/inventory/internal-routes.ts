/**
 * Inventory's API for services in other processes: the InventoryClient's methods over HTTP at
 * POST /internal/inventory/:method, authenticated with CORE_INTERNAL_SECRET. Not part of the
 * public contract (no OpenAPI entry, and the edge routes no /internal/* path to core).
 * Callers are our own services holding the secret, so arguments are trusted as typed.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { sameHash, sha256 } from '../identity/secrets.ts';
import { NotFoundError, UnauthorizedError } from '../platform/problem.ts';
import { type InventoryClient, inventoryMethods, reviveArgs } from './client.ts';

export function inventoryInternalRoutes(secret: string | undefined) {
  return new Hono<AppEnv>().post('/internal/inventory/:method', async (c) => {
    const given = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
    if (!secret || !sameHash(sha256(given), sha256(secret)))
      throw new UnauthorizedError('This endpoint is for our own services.');
    const method = c.req.param('method') as keyof InventoryClient;
    if (!inventoryMethods.includes(method)) throw new NotFoundError(`No inventory method ${method}.`);
    const args = reviveArgs(method, (await c.req.json()) as unknown[]);
    const call = c.var.inventory[method] as (...a: unknown[]) => Promise<unknown>;
    return c.json({ result: (await call(...args)) ?? null });
  });
}
