/**
 * Core's ear on the catalog: a connection of its own LISTENs on catalog_product_refs (a trigger
 * on catalog.products notifies it once per statement that may change a ref: migration 0037), so
 * the product refs every order looks up (product-ref-reads.ts) are kept between orders and
 * forgotten when one may have changed, instead of read on every order.
 *
 * Refs are trusted only while this connection provably hears what the pool's commits send: on
 * connecting it notifies itself through the pool and waits for the probe, and it probes again
 * every PROBE_EVERY_MS. A connection through a transaction-mode pooler (which drops a LISTEN with
 * its server connection) or to another database never hears the probe, so refs are then read on
 * every order, as without a listener, and a warning says what to set. A connection that ends
 * forgets and distrusts at once; one that dies without a word (a dropped NAT entry) fails its
 * next probe, within PROBE_EVERY_MS + PROBE_WAIT_MS (10 s). The next one trusts after its probe.
 *
 * What stays: a change committed by another process (another core replica, the jobs process,
 * SQL) reaches this one's orders when its notification arrives, a fraction of a millisecond after
 * the commit on one machine. A write by this process forgets at once (catalogWrite).
 */
import type pg from 'pg';
import type { Logger } from '../platform/logger.ts';
import { LoopSignal, loopConnection, reconnecting } from '../platform/notified-loop.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { forgetProductRefs } from './product-ref-reads.ts';

export const PRODUCT_REFS_CHANNEL = 'catalog_product_refs';

/** A listening connection that did not hear its own probe: not one to keep refs by. */
class DeafListener extends Error {
  constructor(waitedMs: number) {
    super(
      `it did not hear its own notification within ${waitedMs} ms: DATABASE_LISTEN_URL must reach the same database as DATABASE_URL directly, not through a transaction-mode pooler`,
    );
  }
}

/**
 * How often a trusted listener checks it still hears the pool's notifications: the longest a
 * connection that died without a word (a dropped NAT entry, a failover) goes unnoticed, with
 * PROBE_WAIT_MS. TCP keepalives (loopConnection) notice a vanished peer too, within ~25 s.
 */
const PROBE_EVERY_MS = 5 * 1000;
/** How long a committed probe may take to arrive before the connection counts as deaf. */
const PROBE_WAIT_MS = 5 * 1000;
const PROBE_PREFIX = 'probe:';

export interface ProductRefListener {
  stop(): Promise<void>;
}

/**
 * The listener a core process runs (core/main.ts, and the benches' core): only where orders or
 * stock adjustments look up refs, on DATABASE_LISTEN_URL (`off`: none), by default the pool's URL.
 */
export function productRefListenerFor(core: {
  services: readonly string[];
  listenUrl: string | undefined;
  databaseUrl: string;
  client: SqlClient;
  log: Logger;
}): ProductRefListener | undefined {
  const readsRefs = core.services.includes('orders') || core.services.includes('inventory');
  const url = core.listenUrl ?? core.databaseUrl;
  return readsRefs && url !== 'off' ? listenForProductRefChanges(core.client, url, core.log) : undefined;
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
    lost.catch(() => {}); // observed by the races below; a rejection after stop is no news
    connection.on('notification', (n: pg.Notification) => {
      const payload = n.payload ?? '';
      if (payload.startsWith(PROBE_PREFIX)) heard.get(payload)?.();
      else forgetProductRefs(client);
    });
    try {
      await Promise.race([connection.connect(), lost]);
      await Promise.race([connection.query(`listen ${PRODUCT_REFS_CHANNEL}`), lost]);
      await Promise.race([probe(heard), lost]);
      if (signal.stopped) return;
      forgetProductRefs(client, true);
      deafSince = 0;
      log.info('catalog listener: product refs are kept until the catalog changes');
      while (!signal.stopped) {
        await Promise.race([signal.pause(probeEvery), lost]);
        if (!signal.stopped) await Promise.race([probe(heard), lost]);
      }
    } catch (err) {
      // A connection that cannot hear the pool will not by retrying at once: wait a probe's
      // period before the next connection (a lost one reconnects at once).
      if (err instanceof DeafListener) await Promise.race([signal.pause(probeEvery), lost]).catch(() => {});
      throw err;
    } finally {
      forgetProductRefs(client, false);
      await connection.end().catch(() => {});
    }
  }

  /**
   * Notifies through the pool and waits to hear it here: proof this connection hears what the
   * pool commits. The wait starts once the notification is committed, so a pool busy under load
   * does not make a listener deaf.
   */
  async function probe(heard: Map<string, () => void>): Promise<void> {
    const token = `${PROBE_PREFIX}${crypto.randomUUID()}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hear: (came: boolean) => void = () => {};
    const came = new Promise<boolean>((done) => {
      hear = done;
    });
    heard.set(token, () => hear(true));
    try {
      await client.query('select pg_notify($1, $2)', [PRODUCT_REFS_CHANNEL, token]);
      timer = setTimeout(() => hear(false), probeWait);
      if (!(await came)) throw new DeafListener(probeWait);
    } finally {
      clearTimeout(timer);
      heard.delete(token);
    }
  }

  /** When this listener last stopped hearing (0 while it hears): warnings are said once a minute. */
  let deafSince = 0;
  let warnedAt = 0;
  const running = reconnecting(signal, session, (err, attempt) => {
    const now = Date.now();
    if (deafSince === 0) deafSince = now;
    if (now - warnedAt < 60_000) return;
    warnedAt = now;
    log.warn('catalog listener: not listening; orders read product refs from the database meanwhile', {
      error: err.message,
      attempt,
      forMs: now - deafSince,
    });
  });

  return {
    stop: async () => {
      signal.stop();
      await running;
    },
  };
}
