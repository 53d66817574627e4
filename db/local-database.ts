import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { config } from '../core/platform/config.ts';
import {
  type PostgresServer,
  reachableByPostgres,
  runningPostmaster,
  startPostgres,
} from './postgres-server.ts';

export const LOCAL_DATABASE = 'varastokkr';

export interface LocalDatabase {
  url: string;
  /** The embedded server when we run one; undefined with DATABASE_URL. */
  server?: PostgresServer;
  stop(): Promise<void>;
}

function localPassword(dataDir: string): string {
  const file = join(dataDir, 'postgres.password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

export async function ensureDatabaseExists(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * DATA_DIR/postgres, unless (as root) the postgres user cannot reach DATA_DIR because the
 * checkout sits under a private directory such as /root: then a directory of its own under
 * /var/tmp, named after DATA_DIR so each checkout keeps its own cluster.
 */
function clusterDir(dataDir: string, log: (line: string) => void): string {
  if (reachableByPostgres(dataDir)) return join(dataDir, 'postgres');
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  const outside = join('/var/tmp', `varastokkr-${key}`);
  mkdirSync(outside, { recursive: true, mode: 0o755 });
  log(
    `the postgres user cannot reach ${dataDir} (a parent directory is private); keeping the cluster in ${outside}`,
  );
  return join(outside, 'postgres');
}

/** Whether the embedded Postgres of DATA_DIR already runs (`bun run dev` then reuses it). */
export function localPostgresRunning(): boolean {
  const dataDir = resolve(config().DATA_DIR);
  return existsSync(dataDir) && runningPostmaster(clusterDir(dataDir, () => {})) !== undefined;
}

/**
 * DATABASE_URL when set; otherwise the embedded Postgres under DATA_DIR (started if needed,
 * reused if `bun run dev` already runs it), with the `varastokkr` database created.
 */
export async function openLocalDatabase(log: (line: string) => void = () => {}): Promise<LocalDatabase> {
  const cfg = config();
  if (cfg.DATABASE_URL) return { url: cfg.DATABASE_URL, stop: async () => {} };
  const dataDir = resolve(cfg.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const server = await startPostgres({
    dataDir: clusterDir(dataDir, log),
    port: cfg.EMBEDDED_PG_PORT,
    password: localPassword(dataDir),
    log,
  });
  await ensureDatabaseExists(server.url('postgres'), LOCAL_DATABASE);
  return { url: server.url(LOCAL_DATABASE), server, stop: () => server.stop() };
}

/** Runs a CLI step against the configured database, then stops what it started. */
export async function withDatabase(step: string, fn: (url: string) => Promise<void>): Promise<void> {
  let local: LocalDatabase | undefined;
  try {
    local = await openLocalDatabase();
    await fn(local.url);
  } catch (err) {
    console.error(`${step} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await local?.stop();
  }
}
