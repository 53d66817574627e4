/**
 * `bun run drill:restore`: proves a backup restores into a working system. Two ways in:
 *
 * - `--data-dir DIR` (a self-managed primary whose data directory this machine can read, such as
 *   the embedded one `bun run dev` runs): takes an online base backup of DATABASE_URL's cluster
 *   (db/base-backup.ts), starts the copy as a cluster of its own, and checks it there.
 * - `--restored URL`: a database already restored elsewhere (a Neon branch at a point in time,
 *   or `pg_restore` of a dump into a fresh database) is checked as it is.
 *
 * The check: migrations run (a backup older than this release gains what it lacks), core and
 * the jobs runner start against the restored database as processes of their own (`bun run core`,
 * `bun run jobs`) and answer their probes (core's /readyz: database reachable, migrations
 * current; the runner's /healthz), the jobs due run, and `verify:invariants` finds nothing wrong
 * (with `--edge URL`, that edge's rooms are compared with the restored database too, read-only:
 * what check-warehouse-rooms would repair if this restore went live). The restored database is
 * treated as the drill's own: its webhook subscriptions are turned off and its runner reaches no
 * edge, MongoDB or QStash (see silence()). Progress on stderr; exits 1 when anything fails,
 * naming it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { config } from '../core/platform/config.ts';
import { freePort } from '../core/platform/ports.ts';
import { startRestoredCluster, takeBaseBackup } from '../db/base-backup.ts';
import { describeMigrations, migrateDatabase } from '../db/migrate.ts';
import type { PostgresServer } from '../db/postgres-server.ts';
import { type ServiceProcess, spawnService } from './service-process.ts';
import { verifyInvariants } from './verify-invariants.ts';

const say = (line: string) => console.error(`[drill] ${line}`);

/** What the restored database holds, for the report (and the test's comparison with the source). */
async function census(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url, application_name: 'varastokkr-drill' });
  await client.connect();
  try {
    const { rows } = await client.query(`select
      (select count(*) from orders.orders)::int as orders,
      (select count(*) from orders.orders
        where status in ('pending', 'backordered', 'confirmed', 'partially_shipped'))::int as live_orders,
      (select count(*) from inventory.transfers where status = 'requested')::int as requested_transfers,
      (select count(*) from inventory.reservations)::int as holds,
      (select count(*) from inventory.movements)::int as movements`);
    return rows[0] ?? {};
  } finally {
    await client.end();
  }
}

/** Polls `url` until it answers 200, or fails naming what did not come up. */
async function answers(what: string, url: string, service: ServiceProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  void service.exited.then((code) => {
    exited = code;
  });
  for (;;) {
    if (exited !== undefined) throw new Error(`${what} exited (${exited}) before answering ${url}`);
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer 200 at ${url} (last: ${status})`);
    await Bun.sleep(200);
  }
}

/** Waits (up to a minute) until no job that is due waits in the queue: the restored backlog ran. */
async function jobsDrained(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'varastokkr-drill' });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query(
        `select count(*)::int as n from graphile_worker.jobs
         where attempts < max_attempts and run_at <= now()`,
      );
      const waiting = Number(rows[0]?.n ?? 0);
      if (waiting === 0 || Date.now() > deadline) return waiting;
      await Bun.sleep(250);
    }
  } finally {
    await client.end();
  }
}

/**
 * The restored database is the drill's: nobody outside may hear from it. Its webhook
 * subscriptions are turned off (what waits for them is marked failed, not sent), and the
 * runner gets no edge (it would feed the rooms restored levels and push old events), no
 * MongoDB and no QStash, whatever this shell has set.
 */
async function silence(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'varastokkr-drill' });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `update webhooks.subscriptions set enabled = false, disabled_reason = 'restore drill' where enabled`,
    );
    if (rowCount) say(`${rowCount} webhook subscriptions turned off in the restored database`);
  } finally {
    await client.end();
  }
}

/** Empty counts as unset (core/platform/env.ts): these override whatever this shell exports. */
const NO_OUTSIDE = Object.fromEntries(
  [
    'EDGE_URL',
    'EDGE_INTERNAL_SECRET',
    'MONGODB_URL',
    'QSTASH_TOKEN',
    'QSTASH_CURRENT_SIGNING_KEY',
    'QSTASH_NEXT_SIGNING_KEY',
    'WEBHOOK_CALLBACK_BASE_URL',
  ].map((name) => [name, '']),
);

/** Core and the jobs runner against `url`, probed, the due jobs run, then the invariants. */
async function checkRestored(
  url: string,
  edge: { url: string; secret: string } | undefined,
): Promise<number> {
  for (const line of describeMigrations(await migrateDatabase(url))) say(`migrations: ${line}`);
  say(`restored: ${JSON.stringify(await census(url))}`);
  await silence(url);
  const [corePort, jobsPort] = [await freePort(), await freePort()];
  const env = {
    ...NO_OUTSIDE,
    DATABASE_URL: url,
    CORE_HOST: '127.0.0.1',
    CORE_PORT: String(corePort),
    JOBS_HEALTH_PORT: String(jobsPort),
    LOG_LEVEL: 'warn',
    DB_POOL_MAX: '5',
  };
  const tail: string[] = [];
  const keep = (name: string) => (line: string) => {
    tail.push(`[${name}] ${line}`);
    if (tail.length > 30) tail.shift();
  };
  const services = [
    spawnService('core', ['bun', 'core/main.ts'], env, keep('core')),
    spawnService('jobs', ['bun', 'jobs/main.ts'], env, keep('jobs')),
  ];
  try {
    const [core, jobs] = services as [ServiceProcess, ServiceProcess];
    await answers('core', `http://127.0.0.1:${corePort}/readyz`, core);
    say('core is ready (database reachable, migrations current)');
    await answers('the jobs runner', `http://127.0.0.1:${jobsPort}/healthz`, jobs);
    say('the jobs runner is live; running the jobs that were due');
    const waiting = await jobsDrained(url);
    if (waiting > 0) say(`${waiting} due jobs still wait after a minute (they run on; checking anyway)`);
    const found = await verifyInvariants({ databaseUrl: url, edge, progress: (l) => say(l) });
    for (const v of found) console.log(`VIOLATED ${v.check}: ${v.detail}`);
    return found.length;
  } catch (err) {
    for (const line of tail) console.error(line);
    throw err;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
}

async function drill(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      restored: { type: 'string' },
      edge: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const secret = config().EDGE_INTERNAL_SECRET;
  if (values.edge && !secret)
    throw new Error('--edge needs EDGE_INTERNAL_SECRET, the edge’s INTERNAL_SECRET.');
  const edge = values.edge && secret ? { url: values.edge, secret } : undefined;
  if (values.restored) return checkRestored(values.restored, edge);
  const source = config().DATABASE_URL;
  if (!values['data-dir'] || !source)
    throw new Error(
      'Give --restored URL (a database restored elsewhere), or --data-dir DIR with DATABASE_URL (the cluster to back up).',
    );
  const workDir = mkdtempSync(join(tmpdir(), 'varastokkr-drill-'));
  chmodSync(workDir, 0o755); // the postgres user (Postgres as root) reaches the copy inside
  const backupDir = join(workDir, 'data');
  let restored: PostgresServer | undefined;
  try {
    const sourceUrl = new URL(source);
    say(`taking an online base backup of ${sourceUrl.host} from ${values['data-dir']}`);
    await takeBaseBackup(source, values['data-dir'], backupDir);
    say('starting the backup as a cluster of its own (it replays its WAL first)');
    restored = await startRestoredCluster(backupDir, decodeURIComponent(sourceUrl.password));
    say(`restored cluster on port ${restored.port}`);
    return await checkRestored(restored.url(sourceUrl.pathname.slice(1)), edge);
  } finally {
    await restored?.stop();
    if (values.keep) say(`kept the restored cluster's files in ${backupDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  try {
    const violations = await drill();
    if (violations > 0) {
      say(`FAILED: ${violations} invariant violation(s) in the restored database.`);
      process.exitCode = 1;
    } else say('PASSED: the restored database runs, and every invariant holds.');
  } catch (err) {
    say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
