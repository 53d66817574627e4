/**
 * The stock invariants, checked in SQL over one database: for every level, on_hand is the sum of
 * its ledger, reserved the sum of its holds, and 0 <= reserved <= on_hand; and what inventory
 * holds is exactly what live orders (allocated, not yet shipped) and requested transfers still
 * need. The one checker behind `bun run verify:invariants`, the stock tests' checkInvariants
 * (test/harness/stock.ts) and the orders benchmark's check after every phase.
 */
import type { SqlClient } from '../core/platform/sql-client.ts';

export interface Violation {
  /** Which rule: `stock level`, `ledger`, `holds` (and `room` from verify:invariants). */
  check: string;
  /** Where, naming the level or holder. */
  detail: string;
}

/** A level with what its ledger and its holds add up to. */
export interface LevelState {
  warehouse_id: string;
  warehouse_code: string;
  sku: string;
  on_hand: number;
  reserved: number;
  ledger: number;
  held: number;
}

/** Only these warehouses (a test's own, in a database other tests share); unset, all of them. */
export interface Scope {
  warehouseIds?: readonly string[] | undefined;
}

const scoped = (scope: Scope) => scope.warehouseIds ?? null;

/** Levels with their ledger and holds summed: every one, or (`onlyBroken`) those that break a rule. */
export async function readLevelStates(
  client: SqlClient,
  scope: Scope & { onlyBroken?: boolean } = {},
): Promise<LevelState[]> {
  const { rows } = await client.query(
    `with m as (select warehouse_id, sku, sum(qty)::bigint q from inventory.movements
                where $1::uuid[] is null or warehouse_id = any($1::uuid[]) group by 1, 2),
          r as (select warehouse_id, sku, sum(qty)::bigint q from inventory.reservations
                where $1::uuid[] is null or warehouse_id = any($1::uuid[]) group by 1, 2)
     select s.warehouse_id, w.code as warehouse_code, s.sku, s.on_hand, s.reserved,
            coalesce(m.q, 0) as ledger, coalesce(r.q, 0) as held
     from inventory.stock_levels s
     join inventory.warehouses w on w.id = s.warehouse_id
     left join m on m.warehouse_id = s.warehouse_id and m.sku = s.sku
     left join r on r.warehouse_id = s.warehouse_id and r.sku = s.sku
     where ($1::uuid[] is null or s.warehouse_id = any($1::uuid[]))
       and (not $2 or s.reserved > s.on_hand or s.reserved < 0
            or s.on_hand <> coalesce(m.q, 0) or s.reserved <> coalesce(r.q, 0))
     order by w.code, s.sku`,
    [scoped(scope), scope.onlyBroken ?? false],
  );
  return rows.map((r) => ({
    warehouse_id: String(r.warehouse_id),
    warehouse_code: String(r.warehouse_code),
    sku: String(r.sku),
    on_hand: Number(r.on_hand),
    reserved: Number(r.reserved),
    ledger: Number(r.ledger),
    held: Number(r.held),
  }));
}

/** What is wrong with one level, naming it (warehouse code and id, sku); empty when nothing is. */
export function levelProblems(l: LevelState): Violation[] {
  const parts: string[] = [];
  if (l.on_hand !== l.ledger) parts.push(`on_hand ${l.on_hand} <> ledger sum ${l.ledger}`);
  if (l.reserved !== l.held) parts.push(`reserved ${l.reserved} <> holds sum ${l.held}`);
  if (l.reserved < 0) parts.push(`reserved ${l.reserved} < 0`);
  if (l.reserved > l.on_hand) parts.push(`reserved ${l.reserved} > on_hand ${l.on_hand}`);
  if (parts.length === 0) return [];
  return [
    {
      check: 'stock level',
      detail: `warehouse ${l.warehouse_code} (${l.warehouse_id}) sku ${l.sku}: ${parts.join(', ')}`,
    },
  ];
}

/** Ledger rows and holds with no level to add up to: they would be missed by the level check. */
export async function orphanViolations(client: SqlClient, scope: Scope = {}): Promise<Violation[]> {
  const { rows } = await client.query(
    `select (select count(*) from inventory.movements m
             where ($1::uuid[] is null or m.warehouse_id = any($1::uuid[])) and not exists (
               select 1 from inventory.stock_levels s where s.warehouse_id = m.warehouse_id and s.sku = m.sku))::int
              as movements,
            (select count(*) from inventory.reservations r
             where ($1::uuid[] is null or r.warehouse_id = any($1::uuid[])) and not exists (
               select 1 from inventory.stock_levels s where s.warehouse_id = r.warehouse_id and s.sku = r.sku))::int
              as holds`,
    [scoped(scope)],
  );
  const found = rows[0] ?? {};
  const out: Violation[] = [];
  if (Number(found.movements) > 0)
    out.push({ check: 'ledger', detail: `${found.movements} movements without a stock level` });
  if (Number(found.holds) > 0)
    out.push({ check: 'holds', detail: `${found.holds} holds without a stock level` });
  return out;
}

/**
 * Holds against what live orders and requested transfers need, per holder, warehouse and sku.
 * A hold still carrying an expiry whose order does not exist is an order being placed (its
 * hold is taken first, the order written next) or one whose placing failed: the expire-holds
 * sweep releases it. It is counted as in flight, not as a violation.
 */
export async function holdViolations(
  client: SqlClient,
  scope: Scope = {},
): Promise<{ violations: Violation[]; inFlight: number }> {
  const { rows } = await client.query(
    `with wanted as (
       select o.id as holder_id, 'order' as holder_type, (a->>'warehouseId')::uuid as warehouse_id,
              a->>'sku' as sku, (a->>'qty')::int - (a->>'shipped')::int as qty
       from orders.orders o, jsonb_array_elements(o.allocations) a
       where o.status in ('pending', 'backordered', 'confirmed', 'partially_shipped')
       union all
       select t.id, 'transfer', t.from_warehouse_id, l.sku, l.qty
       from inventory.transfers t join inventory.transfer_lines l on l.transfer_id = t.id
       where t.status = 'requested'),
     w as (select holder_type, holder_id, warehouse_id, sku, sum(qty)::bigint as qty from wanted
           where $1::uuid[] is null or warehouse_id = any($1::uuid[])
           group by 1, 2, 3, 4 having sum(qty) > 0),
     h as (select holder_type, holder_id, warehouse_id, sku, qty::bigint as qty,
                  expires_at is not null and holder_type = 'order'
                    and not exists (select 1 from orders.orders o where o.id = holder_id) as placing
           from inventory.reservations
           where $1::uuid[] is null or warehouse_id = any($1::uuid[]))
     select holder_type, holder_id, warehouse_id, wh.code as warehouse_code, sku,
            coalesce(w.qty, 0) as wanted, coalesce(h.qty, 0) as held, coalesce(h.placing, false) as placing
     from w full join h using (holder_type, holder_id, warehouse_id, sku)
     left join inventory.warehouses wh on wh.id = warehouse_id
     where w.qty is distinct from h.qty
     order by holder_type, holder_id, sku`,
    [scoped(scope)],
  );
  const inFlight = rows.filter((r) => r.placing === true).length;
  const violations = rows
    .filter((r) => r.placing !== true)
    .map(
      (r): Violation => ({
        check: 'holds',
        detail:
          `${r.holder_type} ${r.holder_id} at warehouse ${r.warehouse_code} (${r.warehouse_id}) sku ${r.sku}: ` +
          `needs ${r.wanted}, holds ${r.held}`,
      }),
    );
  return { violations, inFlight };
}

/**
 * The level rules and the ledger rows and holds without a level: written in the same
 * transaction as what they sum, so never transiently wrong, unlike holds against orders (an
 * order commits, then its holds are settled) or the rooms (the feed brings changes a moment later).
 */
export async function levelViolations(client: SqlClient, scope: Scope = {}): Promise<Violation[]> {
  const broken = await readLevelStates(client, { ...scope, onlyBroken: true });
  return [...broken.flatMap(levelProblems), ...(await orphanViolations(client, scope))];
}

/** Every stock invariant over the scope, once (on a database at rest: nothing still settling). */
export async function checkStock(client: SqlClient, scope: Scope = {}): Promise<Violation[]> {
  return [...(await levelViolations(client, scope)), ...(await holdViolations(client, scope)).violations];
}
