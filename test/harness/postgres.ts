import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../core/platform/ports.ts';
import { ensureEdgeLogin } from '../../db/edge-login.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { startPostgres } from '../../db/postgres-server.ts';
import { atRunEnd } from './run-cleanup.ts';

export const TEMPLATE_DATABASE = 'varastokkr_template';
const ENV_KEY = 'VARASTOKKR_TEST_PG';
/** The edge's read-only login on the same server (db/edge-login.ts). */
const EDGE_ENV_KEY = 'VARASTOKKR_TEST_PG_EDGE';

interface TestPostgres {
  /** URL of any database on the test server. */
  url(database: string): string;
  /** The same, as the edge's read-only login (a member of varastokkr_edge). */
  edgeUrl(database: string): string;
}

/**
 * One real Postgres for the whole test run, in a temporary directory on a free port, with a
 * migrated template database that each test file clones. Started by test/preload.ts.
 */
export async function startTestPostgres(): Promise<void> {
  if (process.env[ENV_KEY]) return;
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'varastokkr-test-pg-'));
  const server = await startPostgres({
    dataDir,
    port: await freePort(),
    password: crypto.randomUUID(),
    ephemeral: true,
  });
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  await migrateDatabase(server.url(TEMPLATE_DATABASE));
  process.env[ENV_KEY] = server.url('postgres');
  process.env[EDGE_ENV_KEY] = await ensureEdgeLogin(
    server.url('postgres'),
    'edge_reader',
    crypto.randomUUID(),
  );
  atRunEnd(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const ms = Math.round(performance.now() - started);
  console.error(`test postgres ready on port ${server.port} (template migrated) in ${ms} ms`);
}

export function testPostgres(): TestPostgres {
  const adminUrl = process.env[ENV_KEY];
  if (!adminUrl)
    throw new Error('The test Postgres is not running: run tests with `bun run test` (bunfig preload).');
  const onDatabase = (base: string, database: string) => {
    const u = new URL(base);
    u.pathname = `/${database}`;
    return u.toString();
  };
  return {
    url: (database) => onDatabase(adminUrl, database),
    edgeUrl: (database) => onDatabase(process.env[EDGE_ENV_KEY] ?? '', database),
  };
}

export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgres().url('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
