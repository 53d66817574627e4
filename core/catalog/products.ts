import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Queryable, Transaction } from '../platform/database.ts';
import { isUniqueViolation, pgConstraint } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { enqueueEvent, enqueueJob } from '../platform/outbox.ts';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../platform/problem.ts';
import { type CatalogChange, productsChanged } from './catalog-changes.ts';
import { type ProductAudience, type ProductRow, productFromRow, readProductBySku } from './product-reads.ts';
import { forgetProductRefs } from './product-ref-reads.ts';
import type { CreateProduct, Money, ProductView, UpdateProduct } from './schemas.ts';
import { products } from './tables.ts';

type ProductRecord = typeof products.$inferSelect;

/** The drizzle record in the shape the shared read path maps (snake_case, as SQL returns it). */
function asRow(r: ProductRecord): ProductRow {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    description: r.description,
    barcode: r.barcode,
    category: r.category,
    unit: r.unit,
    price_amount: r.priceAmount,
    price_currency: r.priceCurrency,
    cost_amount: r.costAmount,
    cost_currency: r.costCurrency,
    attributes: r.attributes,
    archived: r.archived,
    version: r.version,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

const moneyColumns = (prefix: 'price' | 'cost', m: Money | null | undefined) =>
  m === undefined
    ? {}
    : { [`${prefix}Amount`]: m?.amount ?? null, [`${prefix}Currency`]: m?.currency ?? null };

/** Column values for the fields a create or patch names; unnamed fields are left alone. */
function columnsFor(input: Omit<UpdateProduct, 'archived'>): Partial<typeof products.$inferInsert> {
  const { price, cost, ...plain } = input;
  return { ...plain, ...moneyColumns('price', price), ...moneyColumns('cost', cost) };
}

/** Unique violations as the 409 the caller can act on. */
function conflictFrom(err: unknown, input: { sku?: string; barcode?: string | null }): unknown {
  if (!isUniqueViolation(err)) return err;
  if (pgConstraint(err) === 'products_barcode_key')
    return new ConflictError(`Another product has the barcode ${input.barcode}.`, 'duplicate-barcode', {
      field: 'barcode',
    });
  return new ConflictError(
    `A product with sku ${input.sku} exists already (archived products keep their sku; restore it with PATCH {"archived": false}).`,
    'duplicate-sku',
    { field: 'sku' },
  );
}

/** Events carry what any subscriber may see: no cost prices. */
const eventView = (row: ProductRow) => productFromRow(row, { withCost: false });

/**
 * A write to catalog.products, in one transaction. When it ends, committed or not, the product
 * refs this process keeps are read again (product-ref-reads.ts), so its own next order sees it
 * before the trigger's notification reaches the listener.
 */
export async function catalogWrite<T>(db: Database, write: (tx: Transaction) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(write);
  } finally {
    forgetProductRefs(db.$client);
  }
}

export async function createProduct(
  db: Database,
  input: CreateProduct,
  audience: ProductAudience,
  requestId: string,
): Promise<ProductView> {
  try {
    return await catalogWrite(db, async (tx) => {
      const record = returnedRow(
        await tx
          .insert(products)
          .values({ ...columnsFor(input), sku: input.sku, name: input.name })
          .returning(),
      );
      const row = asRow(record);
      await enqueueEvent(tx, { type: 'product.created', data: eventView(row), requestId });
      await purgeEdgeCatalogAfterCommit(tx, productsChanged([row], false));
      return productFromRow(row, audience);
    });
  } catch (err) {
    throw conflictFrom(err, input);
  }
}

export async function getProduct(db: Database, sku: string, audience: ProductAudience): Promise<ProductView> {
  const row = await readProductBySku(db.$client, sku);
  if (!row) throw new NotFoundError(`No product with sku ${sku}.`);
  return productFromRow(row, audience);
}

/**
 * Applies a patch if the product is still at one of `expectedVersions` (If-Match): one conditional
 * UPDATE, so two editors cannot overwrite each other. 404 if there is no such sku, 412 if it moved on.
 */
export async function updateProduct(
  db: Database,
  sku: string,
  expectedVersions: number[] | 'any',
  patch: UpdateProduct,
  audience: ProductAudience,
  requestId: string,
): Promise<ProductView> {
  const { archived, ...fields } = patch;
  try {
    return await catalogWrite(db, async (tx) => {
      const [record] = await tx
        .update(products)
        .set({
          ...columnsFor(fields),
          ...(archived === undefined ? {} : { archived }),
          version: sql`${products.version} + 1`,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(sql`lower(${products.sku})`, sku.toLowerCase()),
            expectedVersions === 'any' ? undefined : inArray(products.version, expectedVersions),
          ),
        )
        .returning();
      if (!record) throw await missingOrMoved(tx, sku);
      const row = asRow(record);
      const type = archived === true ? 'product.archived' : 'product.updated';
      await enqueueEvent(tx, { type, data: eventView(row), requestId });
      // A patch that names the barcode may have taken it from an old code the edge has cached.
      await purgeEdgeCatalogAfterCommit(tx, productsChanged([row], fields.barcode !== undefined));
      return productFromRow(row, audience);
    });
  } catch (err) {
    throw conflictFrom(err, { sku, barcode: patch.barcode });
  }
}

/** Archives a product (idempotent); with If-Match versions, only if it is still at one of them. */
export async function archiveProduct(
  db: Database,
  sku: string,
  expectedVersions: number[] | 'any',
  requestId: string,
): Promise<void> {
  await catalogWrite(db, async (tx) => {
    const [record] = await tx
      .update(products)
      .set({ archived: true, version: sql`${products.version} + 1`, updatedAt: sql`now()` })
      .where(
        and(
          eq(sql`lower(${products.sku})`, sku.toLowerCase()),
          eq(products.archived, false),
          expectedVersions === 'any' ? undefined : inArray(products.version, expectedVersions),
        ),
      )
      .returning();
    if (record) {
      await enqueueEvent(tx, { type: 'product.archived', data: eventView(asRow(record)), requestId });
      await purgeEdgeCatalogAfterCommit(tx, productsChanged([record], false));
      return;
    }
    const [current] = await tx
      .select({ archived: products.archived })
      .from(products)
      .where(eq(sql`lower(${products.sku})`, sku.toLowerCase()));
    if (!current) throw new NotFoundError(`No product with sku ${sku}.`);
    if (!current.archived) throw new PreconditionFailedError();
  });
}

async function missingOrMoved(q: Queryable, sku: string): Promise<Error> {
  const [current] = await q
    .select({ version: products.version })
    .from(products)
    .where(eq(sql`lower(${products.sku})`, sku.toLowerCase()));
  return current ? new PreconditionFailedError() : new NotFoundError(`No product with sku ${sku}.`);
}

/**
 * Asks the jobs runner to tell the edge what changed once this transaction commits. One job key,
 * and the payload is an array: graphile-worker appends the changes that land while a purge is
 * pending to it (a batch job), so a burst of edits is one purge naming all of them.
 */
export async function purgeEdgeCatalogAfterCommit(q: Queryable, change: CatalogChange): Promise<void> {
  await enqueueJob(q, 'purge-edge-catalog', [change], { jobKey: 'purge-edge-catalog', maxAttempts: 10 });
}
