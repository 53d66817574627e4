/**
 * Changes to on_hand outside holds (receipts, adjustments, counts, transfer arrivals), all
 * through inventory.move_stock (migration 0005), and the ledger's history.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Queryable, scopeParam } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { enqueueJob } from '../platform/outbox.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import type { MovementType } from './tables.ts';

export interface MoveLine {
  warehouseId: string;
  sku: string;
  /** A signed delta, or (mode 'set') the counted quantity. */
  qty: number;
}

export interface MoveOp {
  mode: 'delta' | 'set';
  lines: MoveLine[];
  type: MovementType;
  reason: string;
  note?: string | null;
  referenceType?: string | null;
  referenceId?: string | null;
  actorId: string | null;
  requestId: string | null;
}

/** A movement as the API shows it. */
export interface MovementView {
  id: string;
  warehouseId: string;
  sku: string;
  type: MovementType;
  reason: string;
  qty: number;
  onHandAfter: number;
  version: number;
  reference: { type: string; id: string } | null;
  note: string | null;
  actorId: string | null;
  createdAt: string;
}

type MovementRow = {
  id: number | string;
  warehouse_id: string;
  sku: string;
  type: MovementType;
  reason: string;
  qty: number;
  on_hand_after: number;
  level_version: number | string;
  reference_type: string | null;
  reference_id: string | null;
  note: string | null;
  actor_id: string | null;
  created_at: string | Date;
};

export function movementFromRow(r: MovementRow): MovementView {
  return {
    id: String(r.id),
    warehouseId: r.warehouse_id,
    sku: r.sku,
    type: r.type,
    reason: r.reason,
    qty: r.qty,
    onHandAfter: r.on_hand_after,
    version: Number(r.level_version),
    reference: r.reference_type && r.reference_id ? { type: r.reference_type, id: r.reference_id } : null,
    note: r.note,
    actorId: r.actor_id,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export interface PlannedMove {
  warehouseId: string;
  sku: string;
  onHandBefore: number;
  delta: number;
}

/** A line that would take on_hand below what is reserved. */
export interface BlockedMove {
  warehouseId: string;
  sku: string;
  onHand: number;
  reserved: number;
  delta: number;
}

export type MoveResult =
  | { ok: true; plan: PlannedMove[]; movements: MovementView[] }
  | { ok: false; short: BlockedMove[] };

export async function moveStock(q: Queryable, op: MoveOp): Promise<MoveResult> {
  const { rows } = await q.execute<{ result: Record<string, unknown> }>(
    sql`select inventory.move_stock(${JSON.stringify(op)}::jsonb) as result`,
  );
  const raw = returnedRow(rows).result as {
    ok: boolean;
    short?: BlockedMove[];
    plan?: { w: string; sku: string; onHand: number; delta: number }[];
    movements?: MovementRow[];
  };
  if (!raw.ok) return { ok: false, short: raw.short ?? [] };
  // Stock arrived: orders waiting on backorder may have it (one pending job however many arrive).
  if ((raw.plan ?? []).some((p) => p.delta > 0))
    await enqueueJob(
      q,
      'allocate-backorders',
      {},
      { jobKey: 'allocate-backorders', queueName: 'backorders' },
    );
  return {
    ok: true,
    plan: (raw.plan ?? []).map((p) => ({
      warehouseId: p.w,
      sku: p.sku,
      onHandBefore: p.onHand,
      delta: p.delta,
    })),
    movements: (raw.movements ?? []).map(movementFromRow),
  };
}

const cursorSchema = z.object({ id: z.string().regex(/^\d+$/) });

export interface MovementQuery {
  warehouseId?: string | undefined;
  sku?: string | undefined;
  type?: MovementType | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Newest first, by id, limited to a scope ('all', or these warehouses). */
export async function listMovements(q: Queryable, query: MovementQuery, scope: 'all' | string[]) {
  const before = query.cursor ? decodeCursor(query.cursor, cursorSchema).id : null;
  const { rows } = await q.execute<MovementRow>(sql`
    select * from inventory.movements m
    where (${query.warehouseId ?? null}::uuid is null or m.warehouse_id = ${query.warehouseId ?? null}::uuid)
      and (${query.sku ?? null}::text is null or lower(m.sku) = lower(${query.sku ?? null}::text))
      and (${query.type ?? null}::text is null or m.type = ${query.type ?? null}::text)
      and (${scopeParam(scope)}::uuid[] is null
           or m.warehouse_id = any(${scopeParam(scope)}::uuid[]))
      and (${before}::bigint is null or m.id < ${before}::bigint)
    order by m.id desc
    limit ${query.limit + 1}`);
  const items = rows.slice(0, query.limit).map(movementFromRow);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null };
}
