import { afterAll, beforeAll } from 'bun:test';
import { inArray } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { connectDatabase, type Database, type DatabaseHandle } from '../../core/platform/database.ts';
import { eventually } from './http.ts';
import { adminQuery, TEMPLATE_DATABASE, testPostgres } from './postgres.ts';

export interface TestDatabase extends DatabaseHandle {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database cloned from the migrated template (fast: a file copy, no migrations). */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  await adminQuery(`create database "${name}" template ${TEMPLATE_DATABASE}`);
  const url = testPostgres().url(name);
  const handle = connectDatabase(url, { max: 10, application: 'varastokkr-test' });
  return {
    ...handle,
    name,
    url,
    drop: async () => {
      await handle.close();
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
}

/** This test file's own database: created before its tests, dropped after them. */
export function useTestDatabase(prefix = 'test'): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(prefix);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('useTestDatabase(): the database exists from beforeAll on');
    return database;
  };
}

/**
 * Waits until every one of `ids` is in `column` (rows another process writes when it gets to
 * them: archived events, queued deliveries).
 */
export async function eventuallyAllIn(
  db: Database,
  column: PgColumn,
  ids: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  await eventually(async () => {
    const rows = await db
      .select({ value: column })
      .from(column.table)
      .where(inArray(column, [...ids]));
    return new Set(rows.map((r) => r.value)).size === new Set(ids).size ? true : undefined;
  }, timeoutMs);
}
