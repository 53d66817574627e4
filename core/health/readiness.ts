import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { type JournalEntry, migrationJournal } from '../../db/migration-journal.ts';
import { createRouter } from '../app-env.ts';
import type { Database } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import { jsonContent, problemResponses, publicRoute } from '../platform/openapi.ts';
import { ServiceUnavailableError } from '../platform/problem.ts';
import { sharedResult } from '../platform/shared-result.ts';
import { msSince } from '../platform/timing.ts';

const readinessSchema = z
  .object({
    status: z.literal('ready').openapi({ example: 'ready' }),
    database: z.object({
      status: z.literal('ok').openapi({ example: 'ok' }),
      latencyMs: z.number().openapi({ example: 2 }),
    }),
    migrations: z.object({
      latest: z.string().openapi({ example: '0023_ingestion_skipped_reason' }),
      pending: z.literal(0).openapi({ example: 0 }),
    }),
  })
  .openapi('CoreReadiness');

const route = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getCoreReadiness',
  tags: ['health'],
  summary: 'Core readiness: the database answers and has every migration this build ships',
  description:
    "For a load balancer or Kubernetes' readiness probe: 503 while the database does not answer or lacks a migration of this build (run the migration Job first). Migrations newer than this build do not make it unready (a rolling release runs old pods beside a newer schema). Open to anyone, answers at most once a second from one check, and names no host or error.",
  ...publicRoute,
  responses: { 200: jsonContent(readinessSchema, 'Ready for traffic'), ...problemResponses(503) },
});

type Readiness =
  | { status: 'ready'; latencyMs: number }
  | { status: 'down' }
  | { status: 'behind'; pending: string[] };

/** The migrations of `journal` that the database has not recorded as applied, oldest first. */
async function pendingMigrations(db: Database, journal: JournalEntry[]): Promise<string[]> {
  const result = await db.execute<{ created_at: string }>(
    sql`select created_at from drizzle.__drizzle_migrations`,
  );
  const applied = new Set(result.rows.map((r) => Number(r.created_at)));
  return journal.filter((entry) => !applied.has(entry.when)).map((entry) => entry.tag);
}

async function checkReadiness(db: Database, journal: JournalEntry[], log: Logger): Promise<Readiness> {
  const started = performance.now();
  try {
    const exists = await db.execute<{ table: boolean }>(
      sql`select to_regclass('drizzle.__drizzle_migrations') is not null as table`,
    );
    const pending = exists.rows[0]?.table ? await pendingMigrations(db, journal) : journal.map((e) => e.tag);
    if (pending.length > 0) return { status: 'behind', pending };
    return { status: 'ready', latencyMs: msSince(started) };
  } catch (err) {
    // The error (which may name hosts) goes to the log only; /readyz is unauthenticated.
    log.error('readiness check: database unreachable', { err });
    return { status: 'down' };
  }
}

/** GET /readyz, checked at most once a second however many probes ask. */
export function readinessRoutes(db: Database, log: Logger, journal = migrationJournal()) {
  const readiness = sharedResult(() => checkReadiness(db, journal, log), 1000);
  const latest = journal.at(-1)?.tag ?? '';
  return createRouter().openapi(route, async (c) => {
    const state = await readiness.get();
    if (state.status === 'down')
      throw new ServiceUnavailableError('The database does not answer.', { database: 'down' });
    if (state.status === 'behind')
      throw new ServiceUnavailableError(
        `The database lacks ${state.pending.length} migration(s) of this build: run the migration Job (bun run db:migrate) before rolling core.`,
        { migrations: 'behind', pending: state.pending.length },
      );
    const database = { status: 'ok' as const, latencyMs: state.latencyMs };
    return c.json({ status: 'ready' as const, database, migrations: { latest, pending: 0 as const } }, 200);
  });
}
