/**
 * What orders and stock adjustments read of the catalog: a sku's spelling, whether it is
 * archived, its price (a ProductRef). Core keeps the refs it read while a listener on the
 * catalog_product_refs channel (product-ref-listener.ts, migration 0037) tells it of every
 * change, and forgets them on each; without one, every call reads.
 */
import { Batcher, perKey } from '../platform/batcher.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { money } from './product-reads.ts';

export interface ProductRef {
  sku: string;
  archived: boolean;
  price: { amount: number; currency: string } | null;
}

/** Refs kept per database, oldest dropped first past it: ~200 bytes each. */
const PRODUCT_REFS_KEPT = 20_000;

/**
 * The refs found, kept only while Postgres tells this process of every change to them: a
 * listener on the catalog_product_refs channel (product-ref-listener.ts, migration 0037) trusts
 * and forgets. Untrusted (no listener, or its connection lost), every call reads.
 */
interface KeptRefs {
  trusted: boolean;
  /** Bumped by every forget: a read that started before one does not keep what it read. */
  generation: number;
  byLower: Map<string, ProductRef>;
}

const keptRefs = perKey(
  (_client: SqlClient): KeptRefs => ({ trusted: false, generation: 0, byLower: new Map() }),
);

/**
 * The catalog's answer to other services (in process): which of these skus exist, by the sku
 * as given (any case), with the catalog's own spelling and price. Kept refs answer while
 * trusted; the rest are read, concurrent callers sharing one query (see platform/batcher.ts).
 * Unknown skus are always asked for.
 */
export function readProductRefs(
  client: SqlClient,
  skus: readonly string[],
): Promise<Map<string, ProductRef>> {
  const kept = keptRefs(client);
  if (!kept.trusted) return productRefLoader(client).submit(skus);
  const found = new Map<string, ProductRef>();
  const missing: string[] = [];
  for (const sku of skus) {
    const ref = kept.byLower.get(sku.toLowerCase());
    if (ref) found.set(sku, ref);
    else missing.push(sku);
  }
  return missing.length === 0 ? Promise.resolve(found) : readAndKeep(client, kept, missing, found);
}

async function readAndKeep(
  client: SqlClient,
  kept: KeptRefs,
  skus: string[],
  found: Map<string, ProductRef>,
): Promise<Map<string, ProductRef>> {
  const generation = kept.generation;
  const read = await productRefLoader(client).submit(skus);
  const keep = kept.trusted && kept.generation === generation;
  for (const [sku, ref] of read) {
    found.set(sku, ref);
    if (!keep) continue;
    const key = sku.toLowerCase();
    if (!kept.byLower.has(key) && kept.byLower.size >= PRODUCT_REFS_KEPT)
      kept.byLower.delete(kept.byLower.keys().next().value as string);
    kept.byLower.set(key, ref);
  }
  return found;
}

/**
 * Forgets every ref kept for this database; `trusted` says whether refs read from now on may
 * be kept (the listener hears every change) or not (it may miss some). Also after a write to
 * catalog.products in this process, committed or not, so its own next read is current before
 * the notification arrives.
 */
export function forgetProductRefs(client: SqlClient, trusted = keptRefs(client).trusted): void {
  const kept = keptRefs(client);
  kept.trusted = trusted;
  kept.generation++;
  kept.byLower.clear();
}

async function productRefsByLower(client: SqlClient, lowered: string[]): Promise<Map<string, ProductRef>> {
  const { rows } = await client.query(
    `select p.sku, p.archived, p.price_amount, p.price_currency
     from catalog.products p where lower(p.sku) = any($1::text[])`,
    [lowered],
  );
  const byLower = new Map<string, ProductRef>();
  for (const r of rows) {
    byLower.set(String(r.sku).toLowerCase(), {
      sku: String(r.sku),
      archived: Boolean(r.archived),
      price: money(r.price_amount as number | null, r.price_currency as string | null),
    });
  }
  return byLower;
}

const productRefLoader = perKey(
  (client: SqlClient) =>
    new Batcher<readonly string[], Map<string, ProductRef>>(
      async (requests) => {
        const lowered = [...new Set(requests.flat().map((s) => s.toLowerCase()))];
        const byLower = await productRefsByLower(client, lowered);
        return requests.map(
          (skus) =>
            new Map(
              skus.flatMap((s) => {
                const ref = byLower.get(s.toLowerCase());
                return ref ? [[s, ref] as const] : [];
              }),
            ),
        );
      },
      { name: 'product-refs', maxBatch: 128, maxInFlight: 3 },
    ),
);
