import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../core/platform/ports.ts';
import { ensureDatabaseExists } from '../db/local-database.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { startPostgres } from '../db/postgres-server.ts';
import { seedDemoData } from '../db/seed.ts';

export interface BenchDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway embedded Postgres with durable settings (fsync on), migrated and seeded, so our
 * path and the pgbench reference run against the very same server.
 */
export async function startBenchDatabase(
  progress: (line: string) => void,
  settings: string[] = [],
): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'varastokkr-bench-'));
  chmodSync(dir, 0o755);
  progress('bench: starting Postgres');
  const server = await startPostgres({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    password: crypto.randomUUID(),
    settings,
  });
  await ensureDatabaseExists(server.url('postgres'), 'bench');
  const url = server.url('bench');
  progress('bench: migrating and seeding');
  await migrateDatabase(url);
  await seedDemoData(url, { adminEmail: 'admin@example.com', adminPassword: 'admin-dev-password' });
  return {
    url,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
}

const which = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();

/** pgbench from the machine; as root on Debian, installed from postgresql-client when missing. */
function pgbenchBinary(): string {
  let found = which('pgbench');
  if (!found && process.getuid?.() === 0 && which('apt-get')) {
    console.error('  pgbench is missing: installing postgresql-client with apt-get');
    spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq postgresql-client'], {
      stdio: 'inherit',
    });
    found = which('pgbench');
  }
  if (!found)
    throw new Error('pgbench is not installed: `apt-get install postgresql-client` (Debian) provides it.');
  return found;
}

/** Runs pgbench against a database URL and returns its tps (excluding connection time). */
export function pgbench(url: string, args: string[]): PgbenchResult {
  // The password goes through the environment: a command line is visible to every user (ps).
  const target = new URL(url);
  const password = decodeURIComponent(target.password);
  target.password = '';
  const res = spawnSync(pgbenchBinary(), [...args, target.toString()], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: password },
  });
  if (res.status !== 0) throw new Error(`pgbench failed:\n${res.stderr}`);
  const tps = Number(/tps = ([\d.]+)/.exec(res.stdout)?.[1]);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(res.stdout)?.[1]);
  return { tps, latencyMs };
}

/** pgbench -i once per database. */
export function pgbenchInit(url: string, scale = 1): void {
  pgbench(url, ['-i', '-q', '-s', String(scale)]);
}
