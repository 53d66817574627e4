/**
 * Core's ear on the catalog: a connection of its own LISTENs on catalog_product_refs (a trigger
 * on catalog.products notifies it once per statement that may change a ref: migration 0037), so
 * the product refs every order looks up (product-reads.ts) are kept between orders and forgotten
 * when one may have changed, instead of read on every order.
 *
 * Refs are trusted only while this connection provably hears what the pool's commits send: on
 * connecting it notifies itself through the pool and waits for the probe, and it probes again
 * every PROBE_EVERY_MS. A connection through a transaction-mode pooler (which drops a LISTEN with
 * its server connection) or to another database never hears the probe, so refs are then read on
 * every order, as without a listener, and a warning says what to set. A lost connection forgets
 * and distrusts at once; the next one trusts again after its probe.
 *
 * What stays: a change committed by another process (another core replica, the jobs process,
 * SQL) reaches this one's orders when its notification arrives, a fraction of a millisecond after
 * the commit on one machine. A write by this process forgets at once (catalogWrite).
 */
import type pg from 'pg';
import type { Logger } from '../platform/logger.ts';
import { LoopSignal, loopConnection, reconnecting } from '../platform/notified-loop.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { forgetProductRefs } from './product-reads.ts';

export const PRODUCT_REFS_CHANNEL = 'catalog_product_refs';
/** How often a trusted listener checks it still hears the pool's notifications. */
const PROBE_EVERY_MS = 30 * 1000;
/** How long a probe may take to come back before the connection counts as deaf. */
const PROBE_WAIT_MS = 5 * 1000;
const PROBE_PREFIX = 'probe:';

export interface ProductRefListener {
  stop(): Promise<void>;
}

/**
 * The listener a core process runs (core/main.ts, and the benches' core): only where orders or
 * stock adjustments look up refs, on DATABASE_LISTEN_URL (`off`: none), by default the pool's URL.
 */
export function productRefListenerFor(process: {
  services: readonly string[];
  listenUrl: string | undefined;
  databaseUrl: string;
  client: SqlClient;
  log: Logger;
}): ProductRefListener | undefined {
  const readsRefs = process.services.includes('orders') || process.services.includes('inventory');
  const url = process.listenUrl ?? process.databaseUrl;
  return readsRefs && url !== 'off'
    ? listenForProductRefChanges(process.client, url, process.log)
    : undefined;
}

/**
 * Starts listening for the refs read through `client` (core's pool): `listenUrl` must reach the
 * same database directly (DATABASE_LISTEN_URL, by default DATABASE_URL).
 */
export function listenForProductRefChanges(
  client: SqlClient,
  listenUrl: string,
  log: Logger,
  timing: { probeEveryMs?: number; probeWaitMs?: number } = {},
): ProductRefListener {
  const signal = new LoopSignal();
  const probeEvery = timing.probeEveryMs ?? PROBE_EVERY_MS;
  const probeWait = timing.probeWaitMs ?? PROBE_WAIT_MS;

  async function session(): Promise<void> {
    const connection = loopConnection(listenUrl, 'varastokkr-core-catalog-listener');
    const heard = new Map<string, () => void>();
    const lost = new Promise<never>((_, reject) => {
      connection.on('error', reject);
      connection.on('end', () => reject(new Error('the listening connection ended')));
    });
    lost.catch(() => {}); // observed by the race below; a rejection after stop is no news
    connection.on('notification', (n: pg.Notification) => {
      const payload = n.payload ?? '';
      if (payload.startsWith(PROBE_PREFIX)) heard.get(payload)?.();
      else forgetProductRefs(client);
    });
    try {
      await Promise.race([connection.connect(), lost]);
      await Promise.race([connection.query(`listen ${PRODUCT_REFS_CHANNEL}`), lost]);
      await Promise.race([probe(heard), lost]);
      forgetProductRefs(client, true);
      log.info('catalog listener: product refs are kept until the catalog changes');
      while (!signal.stopped) {
        await Promise.race([signal.pause(probeEvery), lost]);
        if (!signal.stopped) await Promise.race([probe(heard), lost]);
      }
    } finally {
      forgetProductRefs(client, false);
      await connection.end().catch(() => {});
    }
  }

  /** Notifies through the pool and waits to hear it here: proof this connection hears commits. */
  async function probe(heard: Map<string, () => void>): Promise<void> {
    const token = `${PROBE_PREFIX}${crypto.randomUUID()}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const came = new Promise<boolean>((done) => {
      heard.set(token, () => done(true));
      timer = setTimeout(() => done(false), probeWait);
    });
    try {
      await client.query('select pg_notify($1, $2)', [PRODUCT_REFS_CHANNEL, token]);
      if (!(await came))
        throw new Error(
          `it did not hear its own notification within ${probeWait} ms: DATABASE_LISTEN_URL must reach the same database as DATABASE_URL directly, not through a transaction-mode pooler`,
        );
    } finally {
      clearTimeout(timer);
      heard.delete(token);
    }
  }

  const running = reconnecting(signal, session, (err, attempt) => {
    // Said once, then once a minute or so (the wait between attempts grows to 5 s).
    if (attempt === 1 || attempt % 12 === 0)
      log.warn('catalog listener: not listening; orders read product refs from the database meanwhile', {
        error: err.message,
        attempt,
      });
  });

  return {
    stop: async () => {
      signal.stop();
      await running;
    },
  };
}
