/**
 * db/schema.sql is the schema the migrations make today: a fresh database is migrated, dumped
 * the same way and compared. After a new migration, `bun run db:schema` rewrites the file.
 */
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { testPostgres } from '../test/harness/postgres.ts';
import { dumpMigratedSchema, SCHEMA_FILE } from './schema-dump.ts';

/** The first line where two texts part, to say where the committed file went stale. */
function firstDifference(committed: string, live: string): string {
  const [a, b] = [committed.split('\n'), live.split('\n')];
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at])}, migrations make ${JSON.stringify(b[at])}`;
}

test('db/schema.sql is what the migrations make (regenerate it with `bun run db:schema`)', async () => {
  const live = await dumpMigratedSchema(testPostgres().url('postgres'));
  const committed = readFileSync(SCHEMA_FILE, 'utf8');
  const stale = live === committed ? undefined : firstDifference(committed, live);
  expect(stale, `db/schema.sql is stale: run \`bun run db:schema\` and commit it (${stale})`).toBeUndefined();
  // The point of the file: the live definition of a function several migrations rewrote.
  expect(committed).toContain('CREATE OR REPLACE FUNCTION inventory.publish_stock_changes(');
});

test('the dump is stable: two freshly migrated databases dump to the same text', async () => {
  const url = testPostgres().url('postgres');
  expect(await dumpMigratedSchema(url)).toBe(await dumpMigratedSchema(url));
});
