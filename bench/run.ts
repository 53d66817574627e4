/**
 * `bun run bench <name> [--seconds N]`: runs bench/<name>.ts against a fresh embedded Postgres
 * and prints a table. Every benchmark measures a reference in the same run and prints ratios;
 * absolute numbers on a shared 2-core machine are noise, ratios less so.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchDatabase } from './postgres.ts';

/** A benchmark module: run(), and the Postgres settings it needs (the server starts with them). */
interface BenchModule {
  run(ctx: BenchContext): Promise<void>;
  postgresSettings?: string[];
}

export interface BenchContext {
  databaseUrl: string;
  seconds: number;
  workDir: string;
  progress(line: string): void;
  report(metric: string, value: string, note?: string): void;
}

const available = readdirSync(import.meta.dir)
  .filter(
    (f) =>
      f.endsWith('.ts') &&
      !f.endsWith('.test.ts') &&
      !['run.ts', 'load.ts', 'postgres.ts', 'bench-core.ts'].includes(f),
  )
  .map((f) => f.replace(/\.ts$/, ''));

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: 'string', default: '10' } },
});
const names = positionals.length > 0 ? positionals : ['pgbench'];
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}. Available: ${available.join(', ')}.`);
  process.exit(2);
}

const rows: [string, string, string][] = [];
const workDir = mkdtempSync(join(tmpdir(), 'varastokkr-bench-work-'));
const progress = (line: string) => console.error(`  ${line}`);
const benches = await Promise.all(names.map(async (n) => (await import(`./${n}.ts`)) as BenchModule));
const database = await startBenchDatabase(progress, [
  ...new Set(benches.flatMap((b) => b.postgresSettings ?? [])),
]);
try {
  for (const bench of benches) {
    await bench.run({
      databaseUrl: database.url,
      seconds: Number(values.seconds),
      workDir,
      progress,
      report: (metric, value, note = '') => rows.push([metric, value, note]),
    });
  }
} finally {
  await database.stop();
  rmSync(workDir, { recursive: true, force: true });
}

const width = Math.max(...rows.map((r) => r[0].length));
console.log(
  `\n${names.join(', ')} (${values.seconds} s per measurement, ${navigator.hardwareConcurrency} cores)`,
);
for (const [metric, value, note] of rows)
  console.log(`  ${metric.padEnd(width)}  ${value.padStart(12)}  ${note}`);
