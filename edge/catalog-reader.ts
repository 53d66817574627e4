import { DurableObject } from 'cloudflare:workers';
import type { Client } from '@neondatabase/serverless';
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
 * over READERS objects. In production the readers are created near the database (the first
 * request places an object) and reached in one hop from anywhere; Hyperdrive would do the same
 * pooling for a TCP driver.
 */
export class CatalogReader extends DurableObject<EdgeBindings> {
  private client: Promise<Client> | undefined;

  private connection(): Promise<Client> {
    if (!this.client) {
      const opening = openEdgeClient(edgeConfig(this.env)).then((client) => {
        // A dropped connection is forgotten; the next read opens another.
        client.on('error', () => this.forget(opening));
        client.on('end', () => this.forget(opening));
        return client;
      });
      opening.catch(() => this.forget(opening));
      this.client = opening;
    }
    return this.client;
  }

  private forget(client: Promise<Client>): void {
    if (this.client === client) this.client = undefined;
  }

  /** One query; if the kept connection turned out dead, once more on a fresh one. */
  async query(text: string, values: unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
    const client = this.connection();
    try {
      const { rows } = await (await client).query(text, values);
      return { rows };
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      this.forget(client);
      const { rows } = await (await this.connection()).query(text, values);
      return { rows };
    }
  }
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

/** A SqlClient whose queries run in one of the reader objects (picked by `spread`). */
export function catalogReader(env: EdgeBindings, spread: string): SqlClient {
  let h = 0;
  for (let i = 0; i < spread.length; i++) h = (h * 31 + spread.charCodeAt(i)) | 0;
  const name = `reader-${Math.abs(h) % READERS}`;
  const stub = env.CATALOG_READER.get(env.CATALOG_READER.idFromName(name));
  return { query: (text, values) => stub.query(text, values ?? []) };
}
