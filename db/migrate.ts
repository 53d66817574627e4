import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { runMigrations, Logger as WorkerLogger } from 'graphile-worker';
import type pg from 'pg';
import { connectDatabase } from '../core/platform/database.ts';
import { migrationJournal, migrationsFolder } from './migration-journal.ts';

/** What a migration run changed: the names of our migrations it applied, and graphile-worker's. */
export interface MigrationReport {
  /** Our migrations applied by this run, oldest first (db/migrations/<name>.sql). */
  applied: string[];
  /** graphile-worker's schema version before and after (null: it was not installed). */
  worker: { from: number | null; to: number | null };
}

/**
 * Brings a database to the current schema: graphile-worker's own schema, which the services'
 * transactions call (add_job) as their outbox, then the services' drizzle migrations.
 */
export async function migrateDatabase(url: string, folder = migrationsFolder): Promise<MigrationReport> {
  const handle = connectDatabase(url, { max: 2, application: 'varastokkr-migrate' });
  try {
    const before = await appliedTimestamps(handle.pool);
    const workerFrom = await workerVersion(handle.pool);
    if (workerFrom === null) await bootstrapWorkerSchema(handle.pool);
    // graphile-worker first: the stock functions (0005) enqueue events through its add_jobs.
    await runMigrations({ pgPool: handle.pool, logger: quietLogger });
    await migrate(handle.db, { migrationsFolder: folder, migrationsSchema: 'drizzle' }).catch(
      (err: unknown) => {
        throw migrationFailure(err, folder);
      },
    );
    const after = await appliedTimestamps(handle.pool);
    const applied = migrationJournal(folder)
      .filter((entry) => after.has(entry.when) && !before.has(entry.when))
      .map((entry) => entry.tag);
    return { applied, worker: { from: workerFrom, to: await workerVersion(handle.pool) } };
  } finally {
    await handle.close();
  }
}

/**
 * A failed migration as a person needs it: drizzle's own error says "Failed query:" and the
 * whole migration text, with Postgres's message only in its cause. This says which file and
 * what Postgres said. drizzle runs the pending migrations in one transaction, so none applied.
 */
function migrationFailure(err: unknown, folder: string): Error {
  const { cause, query } = err as { cause?: unknown; query?: unknown };
  if (!(cause instanceof Error)) return err instanceof Error ? err : new Error(String(err));
  const statement = typeof query === 'string' ? query.trim() : '';
  const file = migrationJournal(folder).find(
    (entry) => statement !== '' && readFileSync(join(folder, `${entry.tag}.sql`), 'utf8').includes(statement),
  );
  const where = file ? ` in db/migrations/${file.tag}.sql` : '';
  return new Error(
    `a migration failed${where}: ${cause.message}. None of the pending migrations was applied: fix it and migrate again.`,
    { cause },
  );
}

/** The timestamps of the migrations drizzle has recorded as applied (none on a new database). */
async function appliedTimestamps(pool: pg.Pool): Promise<Set<number>> {
  const { rows } = await pool.query<{ exists: boolean }>(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as exists",
  );
  if (!rows[0]?.exists) return new Set();
  const applied = await pool.query<{ created_at: string }>(
    'select created_at from drizzle.__drizzle_migrations',
  );
  return new Set(applied.rows.map((r) => Number(r.created_at)));
}

async function workerVersion(pool: pg.Pool): Promise<number | null> {
  const { rows } = await pool.query<{ exists: boolean }>(
    "select to_regclass('graphile_worker.migrations') is not null as exists",
  );
  if (!rows[0]?.exists) return null;
  const version = await pool.query<{ id: number | null }>(
    'select max(id) as id from graphile_worker.migrations',
  );
  return version.rows[0]?.id ?? null;
}

/**
 * graphile-worker's documented bootstrap (its docs' "Schema" page), done before it runs: it
 * otherwise finds a new database by querying its migrations table and failing, which Postgres
 * logs as an ERROR in a first run's output. Idempotent, and graphile-worker repeats it itself.
 */
async function bootstrapWorkerSchema(pool: pg.Pool): Promise<void> {
  await pool.query(`create schema if not exists graphile_worker;
create table if not exists graphile_worker.migrations(
  id int primary key,
  ts timestamptz default now() not null,
  breaking boolean not null default false
);`);
}

// graphile-worker logs each migration step at info; the CLI prints its own summary instead.
const quietLogger = new WorkerLogger(() => (level: string, message: string) => {
  if (level === 'error' || level === 'warning') console.error(`graphile-worker: ${message}`);
});

/** What a run did, in a line or a few: the migrations it applied by name, or that none were due. */
export function describeMigrations(report: MigrationReport): string[] {
  const lines: string[] = [];
  const { from, to } = report.worker;
  if (from !== to)
    lines.push(`graphile-worker schema ${from === null ? 'installed' : `upgraded from ${from}`} at ${to}`);
  if (report.applied.length > 0) lines.push(`applied ${report.applied.length}: ${report.applied.join(', ')}`);
  return lines.length > 0 ? lines : ['the database was already up to date'];
}

if (import.meta.main) {
  const { withDatabase } = await import('./local-database.ts');
  await withDatabase('migrate', async (url) => {
    const started = performance.now();
    const report = await migrateDatabase(url);
    for (const line of describeMigrations(report)) console.log(line);
    console.log(`migrated in ${Math.round(performance.now() - started)} ms`);
  });
}
