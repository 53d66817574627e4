import { Client, neonConfig } from '@neondatabase/serverless';
import type { EdgeConfig } from './env.ts';

/**
 * A Postgres client over the Neon serverless driver (WebSocket). In production it reaches Neon
 * directly; locally, NEON_WS_PROXY points it at our WebSocket-to-TCP proxy, which speaks plain
 * ws:// to a Postgres without TLS. A Worker cannot use an I/O object another request created, so
 * a client opened in a request lives for that request (the health check's, a room's rebuild);
 * a Durable Object shares one I/O context across its requests, so the catalog's readers
 * (catalog-reader.ts) keep theirs open.
 */
export async function openEdgeClient(cfg: EdgeConfig): Promise<Client> {
  if (!cfg.DATABASE_URL) throw new Error('DATABASE_URL is not configured for the edge');
  const proxy = cfg.NEON_WS_PROXY;
  if (proxy) {
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const client = new Client(cfg.DATABASE_URL);
  // The running query (if any) rejects with a lost connection's error; the client also emits it
  // as an event, and an 'error' event nobody listens to is thrown out of the socket's handler as
  // an uncaught error. A socket lost while the client is idle or ending (a room's resync ends its
  // client in the background) is otherwise harmless.
  client.on('error', () => {});
  await client.connect();
  return client;
}
