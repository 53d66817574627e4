/**
 * Runs once before the test files: one real Postgres for the whole run, with a migrated
 * template database; after the last file, everything the harness started is stopped.
 */
import { afterAll } from 'bun:test';
import { startTestPostgres } from './harness/postgres.ts';
import { runCleanups } from './harness/run-cleanup.ts';

process.env.NODE_ENV = 'test';
await startTestPostgres();
afterAll(runCleanups);

// A test run interrupted with Ctrl-C still stops Postgres and the detached wrangler/workerd.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void runCleanups().finally(() => process.exit(130));
  });
}
