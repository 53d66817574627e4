/**
 * One replenishment run, as the hourly cron job makes it, against one SQL scan of the same levels:
 *   world      10,000 skus stocked in 3 warehouses (30,000 levels) with reorder settings and a
 *              preferred vendor (one of 4, each with a supplier item per sku: pack sizes, MOQs);
 *              every 20th sku (5% of the levels) below its reorder point
 *   reference  the one statement that finds those levels (inventory position below the reorder
 *              point, on order counted) on the same Postgres: median of 5
 *   run        runReplenishment(), the function jobs/tasks/replenish.ts calls (over the bench's
 *              warehouses): its time, its lines, and every statement it sent (pg_stat_statements)
 *   again      a second run right after: it must add no line
 * Three rounds, the drafts deleted after each: the machine is shared, so one round is noise.
 *
 * The run is a function of the jobs runner on Postgres: no HTTP, no edge and no room takes part
 * (its events go to the outbox and are delivered later by the jobs runner), so this bench runs
 * the function in-process on a pool like the runner's instead of the whole stack.
 */
import { createLocalInventoryClient } from '../core/inventory/client.ts';
import { moveStock } from '../core/inventory/movements.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { runReplenishment } from '../core/purchasing/replenishment.ts';
import { vendors } from '../core/purchasing/tables.ts';
import { connectBenchDatabase } from './bench-core.ts';
import type { BenchContext } from './run.ts';

/** Statement counts come from Postgres itself, so the server starts with the extension loaded. */
export const postgresSettings = ['shared_preload_libraries=pg_stat_statements'];

const SKUS = 10_000;
const WAREHOUSES = 3;
const VENDORS = 4;
/** Every SHORT_EVERY-th sku is below its reorder point: 5%. */
const SHORT_EVERY = 20;

/** The reference: one scan of the levels with a reorder point, on order (drafts too) counted. */
const shortLevelsScan = `
  with on_order as (
    select p.warehouse_id, l.sku, sum(l.qty - l.received) as qty
    from purchasing.purchase_order_lines l
    join purchasing.purchase_orders p on p.id = l.purchase_order_id
    where p.status in ('draft', 'submitted', 'partially_received') and l.qty > l.received
    group by p.warehouse_id, l.sku)
  select s.warehouse_id, s.sku, s.reorder_point
  from inventory.stock_levels s
  left join on_order o on o.warehouse_id = s.warehouse_id and o.sku = s.sku
  where s.reorder_point is not null and s.warehouse_id = any($1::uuid[])
    and s.on_hand - s.reserved + coalesce(o.qty, 0) < s.reorder_point`;

/** Rounds of (scan, run, second run); the drafts are deleted after each, so every round starts alike. */
const ROUNDS = 3;

export async function run(ctx: BenchContext): Promise<void> {
  const log = createLogger({ service: 'bench' }, 'warn');
  const handle = connectBenchDatabase(ctx.databaseUrl, { max: config().DB_POOL_MAX, log });
  const { db, pool } = handle;
  try {
    await pool.query('create extension if not exists pg_stat_statements');
    const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
    const whIds = await seedWorld(ctx, handle, tag);
    await pool.query('vacuum analyze');
    const scan = () => pool.query(shortLevelsScan, [whIds]);
    const shortBefore = (await scan()).rowCount ?? 0;
    // Connections open and warm before the run is timed, as in a runner that has been up.
    await Promise.all(Array.from({ length: 4 }, () => pool.query('select 1')));

    const inventory = createLocalInventoryClient(db);
    const measured = async () => {
      await pool.query('select pg_stat_statements_reset()');
      const started = performance.now();
      const result = await runReplenishment(db, inventory, { warehouseIds: whIds, requestId: null });
      const ms = performance.now() - started;
      return { result, ms, statements: await statementsSinceReset(pool) };
    };
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      ctx.progress(`replenishment: round ${round} of ${ROUNDS}: SQL scan x 5, run, second run`);
      const scanMs = await medianOf(5, async () => {
        await scan();
      });
      const first = await measured();
      const second = await measured();
      const shortAfter = (await scan()).rowCount ?? 0;
      rounds.push({ scanMs, first, second, shortAfter });
      if (second.result.lines.length > 0)
        throw new Error(`the second run added ${second.result.lines.length} lines`);
      await pool.query(
        `with gone as (delete from purchasing.purchase_order_lines l using purchasing.purchase_orders p
                       where p.id = l.purchase_order_id and p.warehouse_id = any($1::uuid[]))
         delete from purchasing.purchase_orders where warehouse_id = any($1::uuid[])`,
        [whIds],
      );
    }

    const median = (values: number[]) =>
      [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? Number.NaN;
    const ratios = rounds.map((r) => r.first.ms / r.scanMs);
    const last = rounds.at(-1);
    if (!last) throw new Error('no round ran');
    ctx.report(
      'levels with reorder settings',
      String(SKUS * WAREHOUSES),
      `${WAREHOUSES} warehouses, ${VENDORS} vendors`,
    );
    ctx.report(
      'below reorder point (SQL scan)',
      String(shortBefore),
      `${(shortBefore / (SKUS * WAREHOUSES)) * 100}%`,
    );
    ctx.report(
      'SQL scan of the same levels',
      `${median(rounds.map((r) => r.scanMs)).toFixed(1)} ms`,
      `median of 5, median of ${ROUNDS} rounds (reference)`,
    );
    ctx.report(
      'replenishment run',
      `${median(rounds.map((r) => r.first.ms)).toFixed(0)} ms`,
      `median of ${ROUNDS} rounds; ${last.first.result.lines.length} lines, ${last.first.result.noVendor.length} without a vendor`,
    );
    ctx.report(
      'ratio run / SQL scan',
      median(ratios).toFixed(1),
      `median; ${Math.min(...ratios).toFixed(1)} to ${Math.max(...ratios).toFixed(1)} over ${ROUNDS} rounds`,
    );
    ctx.report('statements in the run', String(last.first.statements.total), last.first.statements.top);
    ctx.report(
      'second run',
      `${median(rounds.map((r) => r.second.ms)).toFixed(0)} ms`,
      `lines added: ${rounds.map((r) => r.second.result.lines.length).join(', ')} (must be 0)`,
    );
    ctx.report(
      'statements in the second run',
      String(last.second.statements.total),
      last.second.statements.top,
    );
    ctx.report('below reorder point after the runs', rounds.map((r) => r.shortAfter).join(', '), 'must be 0');
  } finally {
    await handle.close();
  }
}

/** 3 warehouses, 10,000 products stocked in each, 4 vendors selling all of them, reorder settings. */
async function seedWorld(
  ctx: BenchContext,
  { db, pool }: ReturnType<typeof connectBenchDatabase>,
  tag: string,
): Promise<string[]> {
  ctx.progress(`replenishment: seeding ${SKUS} skus in ${WAREHOUSES} warehouses, ${VENDORS} vendors`);
  const made = await db
    .insert(warehouses)
    .values(
      Array.from({ length: WAREHOUSES }, (_, i) => ({
        code: `P${tag}${i}`,
        name: `Replenishment bench ${i}`,
      })),
    )
    .returning({ id: warehouses.id });
  const whIds = made.map((w) => w.id);
  const prefix = `RPL${tag}-`;
  const sku = (i: number) => `${prefix}${String(i).padStart(5, '0')}`;
  await pool.query(
    `insert into catalog.products (sku, name, price_amount, price_currency)
     select $1 || lpad(g::text, 5, '0'), 'Replenished ' || g, 500, 'EUR' from generate_series(0, $2::int - 1) g`,
    [prefix, SKUS],
  );
  const vendorRows = await db
    .insert(vendors)
    .values(
      Array.from({ length: VENDORS }, (_, i) => ({ name: `Bench vendor ${tag} ${i}`, leadTimeDays: 3 + i })),
    )
    .returning({ id: vendors.id });
  const vendorIds = vendorRows.map((v) => v.id);
  // Each vendor sells every sku; pack sizes 1, 6 and 12, minimum orders 1 or 24.
  await pool.query(
    `insert into purchasing.supplier_items (vendor_id, sku, vendor_sku, unit_cost, min_order_qty, pack_size)
     select v, $1 || lpad(g::text, 5, '0'), 'V-' || g, 100 + g % 400, case when g % 7 = 0 then 24 else 1 end,
            (array[1, 6, 12])[g % 3 + 1]
     from unnest($2::uuid[]) v cross join generate_series(0, $3::int - 1) g`,
    [prefix, vendorIds, SKUS],
  );
  for (const warehouseId of whIds)
    for (let from = 0; from < SKUS; from += 1000) {
      const result = await moveStock(db, {
        mode: 'delta',
        lines: Array.from({ length: Math.min(1000, SKUS - from) }, (_, i) => ({
          warehouseId,
          sku: sku(from + i),
          qty: (from + i) % SHORT_EVERY === 0 ? 5 : 100,
        })),
        type: 'receipt',
        reason: 'received',
        actorId: null,
        requestId: null,
      });
      if (!result.ok) throw new Error(`stocking the bench skus failed: ${JSON.stringify(result.short)}`);
    }
  await pool.query(
    `update inventory.stock_levels s
     set reorder_point = 20, reorder_qty = 50,
         -- Runs of SHORT_EVERY skus per vendor, so the short ones are spread over all vendors.
         preferred_vendor_id = ($3::uuid[])[(substr(s.sku, length($2) + 1)::int / $4) % array_length($3::uuid[], 1) + 1]
     where s.warehouse_id = any($1::uuid[]) and s.sku like $2 || '%'`,
    [whIds, prefix, vendorIds, SHORT_EVERY],
  );
  return whIds;
}

async function medianOf(n: number, f: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await f();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)] ?? Number.NaN;
}

/** Every statement since the reset but the bench's own reads of pg_stat_statements. */
async function statementsSinceReset(pool: ReturnType<typeof connectBenchDatabase>['pool']) {
  const { rows } = await pool.query(
    `select calls::int as calls, total_exec_time as ms, regexp_replace(left(query, 60), '\\s+', ' ', 'g') as query
     from pg_stat_statements
     where dbid = (select oid from pg_database where datname = current_database())
       and query not ilike '%pg_stat_statements%'
     order by calls desc`,
  );
  if (process.env.BENCH_DEBUG)
    for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, 12))
      console.error(`    ${Number(r.ms).toFixed(1)} ms, ${r.calls} x ${r.query}`);
  const total = rows.reduce((n, r) => n + Number(r.calls), 0);
  const top = rows
    .slice(0, 3)
    .map((r) => `${r.calls} x ${String(r.query).slice(0, 40)}`)
    .join('; ');
  return { total, top: `most: ${top}` };
}
