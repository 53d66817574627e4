import { DurableObject } from 'cloudflare:workers';

/**
 * One number for the whole catalog, bumped whenever a product changes (the jobs runner calls
 * POST /internal/catalog/purge after product.* events). Cached catalog reads are keyed by it, so
 * a bump makes every cached entry unreachable in every location at once; isolates re-read it at
 * most every GENERATION_TTL_MS, which bounds how stale a cached read can be.
 */
export class CatalogGeneration extends DurableObject {
  async current(): Promise<number> {
    return (await this.ctx.storage.get<number>('generation')) ?? 0;
  }

  async bump(): Promise<number> {
    const next = (await this.current()) + 1;
    await this.ctx.storage.put('generation', next);
    return next;
  }
}
