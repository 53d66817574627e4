/**
 * Reservations: stock held for an order or a transfer. Every hold change runs inside
 * inventory.hold_stock (migration 0005): one call that locks the levels it touches in a fixed
 * order, checks availability under those locks and writes, so no update is lost and concurrent
 * multi-line requests cannot deadlock. Nothing here reads a level and writes it back.
 */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';

export type HolderType = 'order' | 'transfer';

export interface HoldLine {
  warehouseId: string;
  sku: string;
  qty: number;
  /** release only: the quantity the caller saw held; the release is refused if it changed. */
  held?: number;
}

export interface HoldOp {
  kind: 'reserve' | 'release' | 'release-expired' | 'keep';
  holderType: HolderType;
  holderId: string;
  /** release/keep: null means every line the holder has. */
  lines: HoldLine[] | null;
  /** reserve/keep: when the sweep may release the hold; null holds until released. */
  expiresAt: Date | null;
  requestId: string | null;
}

export interface ShortLine {
  warehouseId: string;
  sku: string;
  requested: number;
  available: number;
}

export type HoldResult = { ok: true } | { ok: false; short: ShortLine[] };

/**
 * Runs many hold operations in the caller's transaction, in order; one result per op. With
 * `asyncCommit` (a call of its own, not inside a caller's transaction) its commit does not wait
 * for the WAL flush: see holdCoalescer for when that is safe.
 */
export async function applyHolds(
  q: Queryable,
  ops: readonly HoldOp[],
  opts: { asyncCommit?: boolean } = {},
): Promise<HoldResult[]> {
  const payload = ops.map((op) => ({ ...op, expiresAt: op.expiresAt?.toISOString() ?? null }));
  // set_config(..., true) lasts until this statement's own transaction commits, and commits
  // read it: one round trip, as before.
  const commit = opts.asyncCommit ? sql`set_config('synchronous_commit', 'off', true),` : sql.empty();
  const { rows } = await q.execute<{ results: HoldResult[] }>(
    sql`select ${commit} inventory.hold_stock(${JSON.stringify(payload)}::jsonb) as results`,
  );
  return returnedRow(rows).results;
}

export interface ConsumeOp {
  /** Deterministic per shipment: a retry with the same id consumes nothing more. */
  operationId: string;
  holderType: HolderType;
  holderId: string;
  lines: HoldLine[];
  type: 'shipment' | 'transfer_out';
  reason: string;
  referenceType: string;
  referenceId: string;
  actorId: string | null;
  requestId: string | null;
}

export type ConsumeResult =
  | { ok: true; movements: number }
  | { ok: false; short: { warehouseId: string; sku: string; requested: number; held: number }[] };

/** Ships held units: out of the holder's reservations and out of on_hand, with ledger movements. */
export async function consumeHolds(q: Queryable, op: ConsumeOp): Promise<ConsumeResult> {
  const { rows } = await q.execute<{ result: ConsumeResult }>(
    sql`select inventory.consume_stock(${JSON.stringify(op)}::jsonb) as result`,
  );
  return returnedRow(rows).result;
}

/** Releases what has expired for these holders; a keep that landed meanwhile wins (checked under the lock). */
export async function releaseExpiredHolds(
  q: Queryable,
  holders: readonly { holderType: HolderType; holderId: string }[],
): Promise<void> {
  if (holders.length === 0) return;
  await applyHolds(
    q,
    holders.map((h) => ({ kind: 'release-expired', ...h, lines: null, expiresAt: null, requestId: null })),
  );
}
