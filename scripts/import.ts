/**
 * `bun run import FILE.csv`: imports products from a CSV file into the configured database
 * (DATABASE_URL, or the embedded one `bun run dev` uses), streaming it in batches and showing
 * progress. The same import as POST /api/products/import; see the README for the columns.
 */
import { existsSync, statSync } from 'node:fs';
import { importProductsStream } from '../core/catalog/csv.ts';
import { connectDatabase } from '../core/platform/database.ts';
import { ValidationError } from '../core/platform/problem.ts';
import { withDatabase } from '../db/local-database.ts';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.error(`Usage: bun run import FILE.csv${file ? ` (no file at ${file})` : ''}`);
  process.exit(2);
}

const size = statSync(file).size;
let read = 0;
const counted = Bun.file(file)
  .stream()
  .pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        controller.enqueue(chunk);
      },
    }),
  );

await withDatabase('import', async (url) => {
  const { db, close } = connectDatabase(url, { max: 2, application: 'varastokkr-import' });
  const started = performance.now();
  try {
    const summary = await importProductsStream(db, counted, {
      requestId: `import-${crypto.randomUUID()}`,
      onProgress: (p) => {
        const percent = size === 0 ? 100 : Math.round((read / size) * 100);
        const rate = Math.round(p.lines / ((performance.now() - started) / 1000));
        process.stderr.write(
          `\r  ${percent}%  line ${p.lines}  created ${p.created}  updated ${p.updated}  unchanged ${p.unchanged}  failed ${p.failedCount}  (${rate} lines/s)   `,
        );
      },
    });
    process.stderr.write('\n');
    for (const f of summary.failed) console.log(`line ${f.line}: ${f.message}`);
    if (summary.failedCount > summary.failed.length)
      console.log(`... and ${summary.failedCount - summary.failed.length} more failed lines`);
    console.log(
      `Imported ${file}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.failedCount} failed (${((performance.now() - started) / 1000).toFixed(1)} s).`,
    );
    if (summary.failedCount > 0) process.exitCode = 1;
  } catch (err) {
    // A bad header stops the whole file: say why, column by column, as the API's 422 does.
    if (!(err instanceof ValidationError)) throw err;
    process.stderr.write('\n');
    console.error(`Nothing imported from ${file}: ${err.message}`);
    for (const { path, message } of err.errors) console.error(`  ${path}: ${message}`);
    process.exitCode = 1;
  } finally {
    await close();
  }
});
