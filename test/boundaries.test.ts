/**
 * The dependency rules ARCHITECTURE.md states, checked on the source (non-test files):
 * - edge/** and jobs/** run no SQL of their own: no drizzle, no table modules (a type from one
 *   is fine), no sql`...`, .execute(, .query(, .insert( or .select( outside a service's
 *   *-reads.ts. They call service functions, or the *-reads.ts modules both drivers share.
 * - core/** imports nothing from jobs/ (the event contract is core/platform/events.ts).
 * - core/platform/** imports no service, nor the composition root (core/app*.ts, services.ts).
 */
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(import.meta.dir, '..');

/** Non-test TypeScript sources under `dir`, relative to the repository. */
export function sourcesUnder(dir: string): string[] {
  const walk = (at: string): string[] =>
    readdirSync(at, { withFileTypes: true }).flatMap((e) => {
      const path = join(at, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : walk(path);
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [relative(root, path)] : [];
    });
  return walk(join(root, dir));
}

/** A file's imports (static, dynamic and re-exports) as written, and whether each is type-only. */
export function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  const found: { spec: string; typeOnly: boolean }[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'([^']+)'/gms))
    found.push({ spec: m[3] ?? '', typeOnly: Boolean(m[2]) });
  for (const m of text.matchAll(/^\s*import\s+'([^']+)'/gm))
    found.push({ spec: m[1] ?? '', typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g))
    found.push({ spec: m[1] ?? '', typeOnly: false });
  return found;
}

/** Where a relative import lands, relative to the repository (packages stay as written). */
const target = (file: string, spec: string) =>
  spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec;

/** SQL run by hand: drizzle's tag and query builder, or a driver's query method. */
const sqlPatterns: [string, RegExp][] = [
  ['sql`', /\bsql`/],
  ['.execute(', /\.execute\(/],
  ['.query(', /(?<!\breq)\.query\(/],
  ['.insert(', /\.insert\(/],
  ['.select(', /\.select\(/],
];

/** Everything in `files` that breaks the no-SQL rule, as "file: what". */
export function sqlViolations(files: string[], read = (f: string) => readFileSync(join(root, f), 'utf8')) {
  return files
    .filter((f) => !f.endsWith('-reads.ts'))
    .flatMap((file) => {
      const text = read(file);
      const imports = importsOf(text).flatMap(({ spec, typeOnly }) => {
        if (spec === 'drizzle-orm' || spec.startsWith('drizzle-orm/')) return [`${file}: imports ${spec}`];
        if (!typeOnly && /(^|\/)tables\.ts$/.test(spec)) return [`${file}: imports ${spec}`];
        return [];
      });
      const calls = sqlPatterns.filter(([, re]) => re.test(text)).map(([what]) => `${file}: ${what}`);
      return [...imports, ...calls];
    });
}

/** Imports of `files` that land where `forbidden` says they may not. */
export function importViolations(
  files: string[],
  forbidden: (target: string) => boolean,
  read = (f: string) => readFileSync(join(root, f), 'utf8'),
) {
  return files.flatMap((file) =>
    importsOf(read(file))
      .map(({ spec }) => target(file, spec))
      .filter(forbidden)
      .map((t) => `${file} imports ${t}`),
  );
}

const inJobs = (t: string) => t === 'jobs' || t.startsWith('jobs/');
const outsidePlatform = (t: string) => t.startsWith('core/') && !t.startsWith('core/platform/');

describe('service boundaries', () => {
  test('edge/** and jobs/** run no SQL of their own', () => {
    expect(sqlViolations([...sourcesUnder('edge'), ...sourcesUnder('jobs')])).toEqual([]);
  });

  test('core/** imports nothing from jobs/', () => {
    expect(importViolations(sourcesUnder('core'), inJobs)).toEqual([]);
  });

  test('core/platform/** imports no service and not the composition root', () => {
    expect(importViolations(sourcesUnder('core/platform'), outsidePlatform)).toEqual([]);
  });

  test('the dashboard (web/src) reaches the system only through @varastokkr/client; nothing imports it', () => {
    // A relative import lands on a repository path; packages (@angular/core, rxjs) stay as written.
    const outsideWeb = (t: string) => /^(core|edge|jobs|db|scripts|test|bench|packages)(\/|$)/.test(t);
    expect(importViolations(sourcesUnder('web/src'), outsideWeb)).toEqual([]);
    const inWebSrc = (t: string) => t.startsWith('web/src');
    const others = ['core', 'edge', 'jobs', 'db', 'scripts', 'packages'].flatMap(sourcesUnder);
    expect(importViolations(others, inWebSrc)).toEqual([]);
  });
});

describe('no non-null assertions in edge/** and jobs/**', () => {
  /** Biome's noNonNullAssertion (off in biome.json for the tests' sake) on these files: its exit code and report. */
  const lintNonNull = (files: string[], cwd = root) =>
    Bun.spawnSync(
      [
        join(root, 'node_modules/.bin/biome'),
        'lint',
        '--only=style/noNonNullAssertion',
        '--error-on-warnings',
        '--max-diagnostics=50',
        ...files,
      ],
      { cwd },
    );

  test('the source has none', () => {
    const run = lintNonNull([...sourcesUnder('edge'), ...sourcesUnder('jobs')]);
    expect(run.exitCode, run.stderr.toString() + run.stdout.toString()).toBe(0);
  });

  test('the check finds one, and passes the same line without it', () => {
    // Outside the repository (biome.json turns the rule off), in a folder of its own.
    const dir = mkdtempSync(join(tmpdir(), 'non-null-'));
    try {
      writeFileSync(join(dir, 'with.ts'), 'export const first = (xs: number[]) => xs[0]!;\n');
      writeFileSync(join(dir, 'without.ts'), 'export const first = (xs: number[]) => xs[0] ?? 0;\n');
      expect(lintNonNull(['with.ts'], dir).exitCode).toBe(1);
      expect(lintNonNull(['without.ts'], dir).exitCode).toBe(0);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('the checks catch what they are for', () => {
  const fake = (text: string) => () => text;
  test('SQL in an edge or jobs file is caught, whatever its form', () => {
    const cases = [
      "import { sql } from 'drizzle-orm';",
      'await db.execute(sql`select 1`);',
      "const { rows } = await client.query('select 1');",
      "import { eventArchive } from '../../core/integrations/tables.ts';",
      'await db.insert(eventArchive).values(row);',
      'await db.select().from(orders);',
    ];
    for (const text of cases)
      expect(sqlViolations(['jobs/tasks/x.ts'], fake(text)).length).toBeGreaterThan(0);
  });

  test('a request query, a type from a table module and a *-reads.ts file are not SQL', () => {
    const fine = "import type { Role } from '../core/identity/tables.ts';\nconst t = c.req.query('token');";
    expect(sqlViolations(['edge/x.ts'], fake(fine))).toEqual([]);
    expect(sqlViolations(['edge/x-reads.ts'], fake('client.query(`select 1`)'))).toEqual([]);
  });

  test('an import across a forbidden line is caught, static or dynamic', () => {
    const fromJobs = "import type { EventType } from '../../jobs/payloads.ts';";
    expect(importViolations(['core/orders/orders.ts'], inJobs, fake(fromJobs))).toEqual([
      'core/orders/orders.ts imports jobs/payloads.ts',
    ]);
    const fromService = "const { x } = await import('../identity/policy.ts');";
    expect(importViolations(['core/platform/x.ts'], outsidePlatform, fake(fromService))).toEqual([
      'core/platform/x.ts imports core/identity/policy.ts',
    ]);
    const multiLine = "import {\n  a,\n  b,\n} from '../app-env.ts';";
    expect(importViolations(['core/platform/x.ts'], outsidePlatform, fake(multiLine))).toEqual([
      'core/platform/x.ts imports core/app-env.ts',
    ]);
    expect(
      importViolations(['core/platform/x.ts'], outsidePlatform, fake("import { z } from 'zod';")),
    ).toEqual([]);
  });
});
