/**
 * Products in as RFC 4180 CSV (csv-parse), streamed so a file of any size never sits in memory.
 * Import upserts by sku in batches, one transaction each; a bad line is reported with its line
 * number and the rest are kept. The file's columns are defined here; csv-export.ts writes them,
 * and csv-bytes.ts holds the byte-level steps before parsing (line endings, the size limit).
 */
import { Readable } from 'node:stream';
import { z } from '@hono/zod-openapi';
import { type CsvError, parse } from 'csv-parse';
import { sql } from 'drizzle-orm';
import type { Database, Transaction } from '../platform/database.ts';
import { pgConstraint, pgErrorCode } from '../platform/database.ts';
import { expected } from '../platform/invariant.ts';
import { enqueueEvents } from '../platform/outbox.ts';
import {
  AppError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../platform/problem.ts';
import { fieldErrors } from '../platform/validation.ts';
import { productsChanged } from './catalog-changes.ts';
import { byteLimit, crlfToLf } from './csv-bytes.ts';
import { restoredCell } from './csv-formulas.ts';
import { PRODUCT_COLUMNS, type ProductRow, productFromRow } from './product-reads.ts';
import { catalogWrite, purgeEdgeCatalogAfterCommit } from './products.ts';
import { createProductSchema } from './schemas.ts';

/** The file's columns: prices in major units ("12.99") in the row's currency. */
export const IMPORT_COLUMNS = [
  'sku',
  'name',
  'description',
  'barcode',
  'category',
  'unit',
  'price',
  'cost',
  'currency',
  'attributes',
  'archived',
] as const;
export type Column = (typeof IMPORT_COLUMNS)[number];
/** Columns whose cells this API writes as numbers or flags; every other cell is free text. */
export const FORMATTED_COLUMNS: readonly Column[] = ['price', 'cost', 'archived'];

export const importSummarySchema = z
  .object({
    created: z.number().int().openapi({ example: 118 }),
    updated: z.number().int().openapi({ example: 40 }),
    unchanged: z.number().int().openapi({ example: 2 }),
    failedCount: z.number().int().openapi({ description: 'All failed lines (failed lists the first 1000)' }),
    failed: z
      .array(z.object({ line: z.number().int(), message: z.string() }))
      .openapi({ example: [{ line: 7, message: 'barcode: The check digit is wrong' }] }),
  })
  .openapi('ImportSummary');
export type ImportSummary = z.infer<typeof importSummarySchema>;

export interface ImportOptions {
  requestId: string;
  batchSize?: number;
  onProgress?(progress: ImportSummary & { lines: number }): void;
}

const MAX_REPORTED_FAILURES = 1000;

/** Minor units per major unit for a currency (EUR 2, JPY 0), as Intl knows them. */
function minorDigits(currency: string): number | null {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return null;
  }
}

function toMinorUnits(value: string, currency: string, column: string): number {
  const digits = minorDigits(currency);
  if (digits === null) throw new LineError(`currency: ${currency} is not an ISO 4217 code`);
  const match = /^(\d{1,9})(?:\.(\d+))?$/.exec(value.trim());
  if (!match || (match[2]?.length ?? 0) > digits)
    throw new LineError(`${column}: "${value}" is not an amount in ${currency} (at most ${digits} decimals)`);
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

export const fromMinorUnits = (amount: number, currency: string) => {
  const digits = minorDigits(currency) ?? 2;
  return digits === 0 ? String(amount) : (amount / 10 ** digits).toFixed(digits);
};

class LineError extends Error {}

/** csv-parse counts lines up to a record's end; a quoted field may span several (raw also holds skipped blank lines and the record's own line break). */
const startLine = (endLine: number, raw: string | undefined) =>
  endLine - ((raw ?? '').replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g)?.length ?? 0);

const blankToNull = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v);

/** Text cells as they were before export neutralised formulas (see csv-formulas.ts). */
function restoredRecord(cells: Partial<Record<Column, string>>): Partial<Record<Column, string>> {
  return Object.fromEntries(
    Object.entries(cells).map(([column, cell]) => [
      column,
      cell === undefined || FORMATTED_COLUMNS.includes(column as Column) ? cell : restoredCell(cell),
    ]),
  );
}

/** One CSV record as a create-product input, checked by the same schema as the JSON API. */
function productInput(cells: Partial<Record<Column, string>>) {
  const record = restoredRecord(cells);
  const currency = blankToNull(record.currency)?.trim().toUpperCase() ?? null;
  const money = (column: 'price' | 'cost') => {
    const value = blankToNull(record[column]);
    if (value === null) return record[column] === undefined ? undefined : null;
    if (!currency) throw new LineError(`currency: needed with a ${column}`);
    return { amount: toMinorUnits(value, currency, column), currency };
  };
  let attributes: unknown;
  const attributesCell = blankToNull(record.attributes);
  if (attributesCell !== null) {
    try {
      attributes = JSON.parse(attributesCell);
    } catch {
      throw new LineError('attributes: not valid JSON');
    }
  }
  const archived = blankToNull(record.archived)?.trim().toLowerCase();
  if (archived !== undefined && !['true', 'false'].includes(archived))
    throw new LineError('archived: true or false');
  const parsed = createProductSchema.safeParse({
    sku: record.sku ?? '',
    name: record.name ?? '',
    ...(record.description === undefined ? {} : { description: blankToNull(record.description) }),
    ...(record.barcode === undefined ? {} : { barcode: blankToNull(record.barcode)?.trim() ?? null }),
    ...(record.category === undefined ? {} : { category: blankToNull(record.category) }),
    ...(blankToNull(record.unit) === null ? {} : { unit: record.unit }),
    ...(money('price') === undefined ? {} : { price: money('price') }),
    ...(money('cost') === undefined ? {} : { cost: money('cost') }),
    ...(attributes === undefined ? {} : { attributes }),
  });
  if (!parsed.success)
    throw new LineError(
      fieldErrors(parsed.error.issues)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; '),
    );
  return { ...parsed.data, archived: archived === 'true' };
}

type ProductInput = ReturnType<typeof productInput>;
interface PendingLine {
  line: number;
  input: ProductInput;
}

function checkHeader(header: string[]): string[] {
  const unknown = header.filter((h) => !(IMPORT_COLUMNS as readonly string[]).includes(h));
  const missing = ['sku', 'name'].filter((h) => !header.includes(h));
  const needsCurrency = (header.includes('price') || header.includes('cost')) && !header.includes('currency');
  const errors = [
    ...unknown.map((h) => ({
      path: `header.${h}`,
      message: `Unknown column; the columns are ${IMPORT_COLUMNS.join(', ')}`,
    })),
    ...missing.map((h) => ({ path: `header.${h}`, message: 'Required column' })),
    ...(needsCurrency ? [{ path: 'header.currency', message: 'Required with price or cost' }] : []),
  ];
  if (errors.length > 0) throw new ValidationError(errors, 'The CSV header is not one this import reads.');
  return header;
}

/** The catalog columns a file updates: only those it has (a price list leaves names alone). */
function updatedColumns(header: string[]): string[] {
  const map: Record<string, string[]> = {
    name: ['name'],
    description: ['description'],
    barcode: ['barcode'],
    category: ['category'],
    unit: ['unit'],
    price: ['price_amount', 'price_currency'],
    cost: ['cost_amount', 'cost_currency'],
    attributes: ['attributes'],
    archived: ['archived'],
  };
  return header.flatMap((h) => map[h] ?? []);
}

/**
 * Upserts one batch: a single INSERT ... ON CONFLICT over the batch as JSON, changing only rows
 * whose values differ (so a re-import bumps no versions and sends no events).
 */
async function upsertBatch(tx: Transaction, lines: PendingLine[], columns: string[]) {
  const rows = lines.map(({ line, input }) => ({
    line,
    sku: input.sku,
    name: input.name,
    description: input.description ?? null,
    barcode: input.barcode ?? null,
    category: input.category ?? null,
    unit: input.unit,
    price_amount: input.price?.amount ?? null,
    price_currency: input.price?.currency ?? null,
    cost_amount: input.cost?.amount ?? null,
    cost_currency: input.cost?.currency ?? null,
    attributes: input.attributes,
    archived: input.archived,
  }));
  const set = columns.map((c) => `${c} = excluded.${c}`).join(', ');
  const changed =
    columns.length === 0
      ? 'false'
      : `(${columns.map((c) => `p.${c}`).join(', ')}) is distinct from (${columns.map((c) => `excluded.${c}`).join(', ')})`;
  const result = await tx.execute(sql`with input as (
      select * from json_to_recordset(${JSON.stringify(rows)}::json) as r(
        line int, sku text, name text, description text, barcode text, category text, unit text,
        price_amount int, price_currency text, cost_amount int, cost_currency text,
        attributes jsonb, archived boolean)
    )
    insert into catalog.products as p (sku, name, description, barcode, category, unit, price_amount,
      price_currency, cost_amount, cost_currency, attributes, archived)
    select sku, name, description, barcode, category, unit, price_amount, price_currency,
      cost_amount, cost_currency, attributes, archived
    from input order by line
    on conflict ((lower(sku))) do update set ${sql.raw(set ? `${set}, ` : '')}version = p.version + 1, updated_at = now()
    where ${sql.raw(changed)}
    returning ${sql.raw(PRODUCT_COLUMNS)}, (xmax = 0) as inserted`);
  return result.rows as unknown as (ProductRow & { inserted: boolean })[];
}

function lineFailure(err: unknown, input: ProductInput): string | null {
  const code = pgErrorCode(err);
  if (code === '23505')
    return pgConstraint(err) === 'products_barcode_key'
      ? `barcode: another product has ${input.barcode}`
      : `sku: ${input.sku} appears twice`;
  if (code?.startsWith('22') || code?.startsWith('23')) return 'a value the database refused';
  return null;
}

export async function importProductsCsv(
  db: Database,
  request: Request,
  maxBytes: number,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^text\/csv\b/i.test(type)) throw new UnsupportedMediaTypeError('text/csv', type);
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw new PayloadTooLargeError(maxBytes);
  if (!request.body) throw new ValidationError([{ path: '(body)', message: 'Send the CSV as the body' }]);
  return importProductsStream(db, request.body.pipeThrough(byteLimit(maxBytes)), opts);
}

/** The import itself, from any byte stream (the HTTP body, or a file for `bun run import`). */
export async function importProductsStream(
  db: Database,
  body: ReadableStream<Uint8Array>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 500;
  const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, failedCount: 0, failed: [] };
  const fail = (line: number, message: string) => {
    summary.failedCount++;
    if (summary.failed.length < MAX_REPORTED_FAILURES) summary.failed.push({ line, message });
  };
  let header: string[] = [];
  const lf = body.pipeThrough(crlfToLf());
  const parser = Readable.fromWeb(lf as import('node:stream/web').ReadableStream).pipe(
    parse({
      bom: true,
      columns: (h: string[]) => (header = checkHeader(h.map((c) => c.trim().toLowerCase()))),
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: 1_000_000,
      info: true,
      raw: true,
    }),
  );
  // The parser runs ahead of the batches, so each line number comes from the parser's own count.
  parser.on('skip', (err: CsvError & { raw?: string }) => {
    fail(startLine(Number(err.lines), err.raw), err.message.replace(/ (on|at) line \d+$/, ''));
  });

  let batch: PendingLine[] = [];
  let lines = 1;
  const flush = async () => {
    if (batch.length === 0) return;
    await applyBatch(db, batch, updatedColumns(header), summary, fail, opts.requestId);
    batch = [];
    opts.onProgress?.({ ...summary, lines });
  };
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{
      record: Partial<Record<Column, string>>;
      info: { lines: number };
      raw: string;
    }>) {
      const line = startLine(info.lines, raw);
      lines = info.lines;
      try {
        const input = productInput(record);
        // The same sku again: apply what came before first, so the later line wins.
        if (batch.some((p) => p.input.sku.toLowerCase() === input.sku.toLowerCase())) await flush();
        batch.push({ line, input });
      } catch (err) {
        if (!(err instanceof LineError)) throw err;
        fail(line, err.message);
      }
      if (batch.length >= batchSize) await flush();
    }
  } catch (err) {
    if (err instanceof AppError || !(err as CsvError).code) throw err;
    fail(lines + 1, (err as CsvError).message);
  }
  await flush();
  summary.failed.sort((a, b) => a.line - b.line);
  return summary;
}

/** One batch in one transaction; if Postgres refuses it, line by line to name the culprits. */
async function applyBatch(
  db: Database,
  batch: PendingLine[],
  columns: string[],
  summary: ImportSummary,
  fail: (line: number, message: string) => void,
  requestId: string,
) {
  // Upserts lines in a savepoint; what changed gets its events and an edge purge.
  const apply = async (tx: Transaction, lines: PendingLine[]) => {
    const rows = await tx.transaction((sp) => upsertBatch(sp, lines, columns));
    for (const r of rows) r.inserted ? summary.created++ : summary.updated++;
    summary.unchanged += lines.length - rows.length;
    await enqueueEvents(
      tx,
      rows.map((r) => eventFor(r, requestId)),
    );
    // A line that names a barcode may have moved it away from an old code: every scan is dropped.
    if (rows.length > 0)
      await purgeEdgeCatalogAfterCommit(
        tx,
        productsChanged(rows, columns.includes('barcode') && rows.some((r) => !r.inserted)),
      );
  };
  await catalogWrite(db, async (tx) => {
    try {
      await apply(tx, batch);
      return;
    } catch (err) {
      if (!lineFailure(err, expected(batch[0], 'a batch of at least one line').input)) throw err;
    }
    for (const pending of batch) {
      try {
        await apply(tx, [pending]);
      } catch (err) {
        const message = lineFailure(err, pending.input);
        if (!message) throw err;
        fail(pending.line, message);
      }
    }
  });
}

const eventFor = (row: ProductRow & { inserted: boolean }, requestId: string) => ({
  type: row.inserted
    ? ('product.created' as const)
    : row.archived
      ? ('product.archived' as const)
      : ('product.updated' as const),
  data: productFromRow(row, { withCost: false }),
  requestId,
});
