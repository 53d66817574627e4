/**
 * Products out as RFC 4180 CSV (csv-stringify), in the columns csv.ts imports, streamed in pages
 * so memory stays flat; free text is neutralised so no cell runs as a formula (csv-formulas.ts).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type pg from 'pg';
import { expected } from '../platform/invariant.ts';
import { type Column, FORMATTED_COLUMNS, fromMinorUnits, IMPORT_COLUMNS } from './csv.ts';
import { neutralisedCell } from './csv-formulas.ts';
import { PRODUCT_COLUMNS, type ProductRow } from './product-reads.ts';

/** Every product (archived too) as CSV, read in pages by sku so memory stays flat. */
export function exportProductsCsv(pool: pg.Pool): ReadableStream<Uint8Array> {
  // quoted_match: a line break inside a field must be quoted whatever the record delimiter.
  const csv = stringify({
    header: true,
    columns: [...IMPORT_COLUMNS],
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  });
  (async () => {
    let after = '';
    for (;;) {
      const { rows } = await pool.query(
        `select ${PRODUCT_COLUMNS}, lower(p.sku) as sort_key from catalog.products p
         where lower(p.sku) > $1 order by lower(p.sku) limit 1000`,
        [after],
      );
      for (const r of rows as (ProductRow & { sort_key: string })[]) {
        if (!csv.write(exportRecord(r))) await new Promise((resolve) => csv.once('drain', resolve));
      }
      if (rows.length < 1000) break;
      after = (rows.at(-1) as { sort_key: string }).sort_key;
    }
    csv.end();
  })().catch((err) => csv.destroy(err as Error));
  return Readable.toWeb(csv) as unknown as ReadableStream<Uint8Array>;
}

/** One product as a file's record, free text neutralised so no cell runs as a formula. */
function exportRecord(r: ProductRow): Record<Column, string> {
  const cells = productCells(r);
  for (const column of IMPORT_COLUMNS)
    if (!FORMATTED_COLUMNS.includes(column)) cells[column] = neutralisedCell(cells[column]);
  return cells;
}

function productCells(r: ProductRow): Record<Column, string> {
  const currency = r.price_currency ?? r.cost_currency ?? '';
  return {
    sku: r.sku,
    name: r.name,
    description: r.description ?? '',
    barcode: r.barcode ?? '',
    category: r.category ?? '',
    unit: r.unit,
    price:
      r.price_amount === null
        ? ''
        : fromMinorUnits(r.price_amount, expected(r.price_currency, 'a currency with the price')),
    cost:
      r.cost_amount === null
        ? ''
        : fromMinorUnits(r.cost_amount, expected(r.cost_currency, 'a currency with the cost')),
    currency,
    attributes: Object.keys(r.attributes ?? {}).length === 0 ? '' : JSON.stringify(r.attributes),
    archived: String(r.archived),
  };
}
