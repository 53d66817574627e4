import { DurableObject } from 'cloudflare:workers';
import {
  listProducts,
  type ProductAudience,
  readProductByBarcode,
  readProductBySku,
} from '../core/catalog/product-reads.ts';
import type { ListProductsQuery } from '../core/catalog/schemas.ts';
import { readWarehouseDirectory } from '../core/inventory/level-reads.ts';
import { AppError } from '../core/platform/problem.ts';
import type { SqlClient } from '../core/platform/sql-client.ts';
import { openEdgeClient } from './database.ts';
import { type EdgeBindings, edgeConfig } from './env.ts';

/** How many reader objects share the catalog's uncached reads (each holds one connection). */
const READERS = 4;

/**
 * The edge's uncached catalog reads, on a database connection that stays open. A Worker cannot
 * use an I/O object (a socket, a WebSocket) created by another request, so a connection opened
 * in the worker lives for one request: a connect and a login per uncached read. A Durable Object
 * shares one I/O context across all the requests it serves, so its connection outlives them:
 * reads pay one round trip. Queries on one connection run one after another, so reads are spread
 * over READERS objects. A Durable Object lives where it was first asked for, so in production
 * the readers sit near the first reader's location, not necessarily the database's (a
 * locationHint would pin them; Hyperdrive would pool connections for a TCP driver instead).
 */
export class CatalogReader extends DurableObject<EdgeBindings> {
  private client: Promise<SqlClient> | undefined;
  /**
   * Reads under way, by what they read and the catalog generation their answer is cached under:
   * the same read asked meanwhile (a herd of misses after a popular product changed) shares the
   * one query. Only reads of one generation share: a read keyed after a change must not take an
   * answer whose query may have started before the change committed.
   */
  private readonly underWay = new Map<string, Promise<Outcome<unknown>>>();

  private shared<T>(key: string, read: (client: SqlClient) => Promise<T>): Promise<Outcome<T>> {
    const running = this.underWay.get(key) as Promise<Outcome<T>> | undefined;
    if (running) return running;
    const started = this.withConnection(read).finally(() => this.underWay.delete(key));
    this.underWay.set(key, started);
    return started;
  }

  private connection(): Promise<SqlClient> {
    if (!this.client) {
      const opening = openEdgeClient(edgeConfig(this.env)).then((client) => {
        // A dropped connection is forgotten; the next read opens another.
        client.on('error', () => this.forget(opening));
        client.on('end', () => this.forget(opening));
        return client as unknown as SqlClient;
      });
      opening.catch(() => this.forget(opening));
      this.client = opening;
    }
    return this.client;
  }

  private forget(client: Promise<SqlClient>): void {
    if (this.client === client) this.client = undefined;
  }

  /**
   * A read on the kept connection; if it turned out dead, once more on a fresh one. A refusal
   * (a bad cursor's 422) comes back as a value: RPC would turn the AppError into a plain Error.
   */
  private async withConnection<T>(read: (client: SqlClient) => Promise<T>): Promise<Outcome<T>> {
    const client = this.connection();
    try {
      return { value: await read(await client) };
    } catch (err) {
      if (err instanceof AppError) return { refused: refusal(err) };
      if (!isConnectionError(err)) throw err;
      this.forget(client);
      return { value: await read(await this.connection()) };
    }
  }

  productBySku(sku: string, generation: number) {
    return this.shared(`${generation} sku ${sku}`, (client) => readProductBySku(client, sku));
  }

  productByBarcode(code: string, generation: number) {
    return this.shared(`${generation} barcode ${code}`, (client) => readProductByBarcode(client, code));
  }

  productPage(query: ListProductsQuery, audience: ProductAudience, generation: number) {
    const key = `${generation} page ${JSON.stringify([query, audience])}`;
    return this.shared(key, (client) => listProducts(client, query, audience));
  }

  warehouses() {
    return this.withConnection(readWarehouseDirectory);
  }
}

type Refusal = Pick<AppError, 'status' | 'slug' | 'title' | 'message' | 'extensions'>;
type Outcome<T> = { value: T; refused?: undefined } | { refused: Refusal };

const refusal = ({ status, slug, title, message, extensions }: AppError): Refusal => ({
  status,
  slug,
  title,
  message,
  extensions,
});

/** The read's value, or its refusal thrown again as the AppError it was. */
async function settled<T>(outcome: Promise<Outcome<T>>): Promise<T> {
  const o = await outcome;
  if (o.refused) {
    const { status, slug, title, message, extensions } = o.refused;
    throw new AppError(status, slug, title, message, extensions);
  }
  return o.value;
}

/** A failure of the connection rather than of the query (which has a Postgres error code). */
const isConnectionError = (err: unknown) =>
  !(
    err &&
    typeof err === 'object' &&
    'code' in err &&
    typeof err.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(err.code)
  );

type Reads = Pick<CatalogReader, 'productBySku' | 'productByBarcode' | 'productPage' | 'warehouses'>;
type Unwrapped<F> = F extends (...args: infer A) => Promise<Outcome<infer T>>
  ? (...args: A) => Promise<T>
  : never;

/** One of the reader objects, picked by `spread` (so reads of one key go to one connection). */
export function catalogReader(
  env: EdgeBindings,
  spread: string,
): { [K in keyof Reads]: Unwrapped<Reads[K]> } {
  let h = 0;
  for (let i = 0; i < spread.length; i++) h = (h * 31 + spread.charCodeAt(i)) | 0;
  const id = env.CATALOG_READER.idFromName(`reader-${Math.abs(h) % READERS}`);
  // RPC's own typing cannot express a row's JSON attributes: the class's signatures are used.
  const stub = env.CATALOG_READER.get(id) as unknown as Reads;
  return {
    productBySku: (sku, generation) => settled(stub.productBySku(sku, generation)),
    productByBarcode: (code, generation) => settled(stub.productByBarcode(code, generation)),
    productPage: (query, audience, generation) => settled(stub.productPage(query, audience, generation)),
    warehouses: () => settled(stub.warehouses()),
  };
}
