/**
 * `bun run import FILE.csv` with a header it cannot read: nothing is imported, and it says why,
 * column by column (the reasons the API's 422 lists), not only that the header is wrong.
 */
import { afterAll, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { runCommand } from '../test/harness/command.ts';
import { useTestDatabase } from '../test/harness/database.ts';

const database = useTestDatabase('import_cli');
const dir = mkdtempSync(join(tmpdir(), 'varastokkr-import-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a bad header prints each column and why, exits 1, and imports nothing', async () => {
  const file = join(dir, 'bad-header.csv');
  writeFileSync(file, 'sku,colour,price\nSKU-CLI-1,red,9.90\n');
  const { code, stdout, stderr } = await runCommand(['bun', 'run', 'import', file], {
    env: { DATABASE_URL: database().url },
  });
  const output = stdout + stderr;
  expect(code).toBe(1);
  expect(output).toContain('The CSV header is not one this import reads.');
  expect(output).toMatch(/^ {2}header\.colour: Unknown column; the columns are sku, name, /m);
  expect(output).toContain('  header.name: Required column');
  expect(output).toContain('  header.currency: Required with price or cost');
  const { rows } = await database().db.execute(
    sql`select count(*)::int as n from catalog.products where sku = 'SKU-CLI-1'`,
  );
  expect(rows[0]?.n).toBe(0);
}, 60_000);
