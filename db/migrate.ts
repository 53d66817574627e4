import { join } from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { runMigrations, Logger as WorkerLogger } from 'graphile-worker';
import { connectDatabase } from '../core/platform/database.ts';

const migrationsFolder = join(import.meta.dir, 'migrations');

/**
 * Brings a database to the current schema: graphile-worker's own schema, which the services'
 * transactions call (add_job) as their outbox, then the services' drizzle migrations.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const handle = connectDatabase(url, { max: 2, application: 'varastokkr-migrate' });
  try {
    // graphile-worker first: the stock functions (0005) enqueue events through its add_jobs.
    await runMigrations({ pgPool: handle.pool, logger: quietLogger });
    await migrate(handle.db, { migrationsFolder, migrationsSchema: 'drizzle' });
  } finally {
    await handle.close();
  }
}

// graphile-worker logs each migration step at info; the CLI prints its own summary instead.
const quietLogger = new WorkerLogger(() => (level: string, message: string) => {
  if (level === 'error' || level === 'warning') console.error(`graphile-worker: ${message}`);
});

if (import.meta.main) {
  const { withDatabase } = await import('./local-database.ts');
  await withDatabase('migrate', async (url) => {
    const started = performance.now();
    await migrateDatabase(url);
    console.log(`migrated in ${Math.round(performance.now() - started)} ms`);
  });
}
