/**
 * Goods received for another service (purchase orders): `receipt` movements through
 * inventory.move_stock, once per operation id. A retry of the same receipt (a crash between the
 * caller recording it and hearing back) moves nothing more: the id is claimed in
 * inventory.consumptions in the same transaction as the movements.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { belowReserved, inWarehouseTransaction } from './adjustments.ts';
import { moveStock } from './movements.ts';

export interface ReceiveOp {
  /** Deterministic per receipt: a retry with the same id receives nothing more. */
  operationId: string;
  warehouseId: string;
  lines: { sku: string; qty: number }[];
  reason: string;
  referenceType: string;
  referenceId: string;
  actorId: string | null;
  requestId: string | null;
}

/** `applied: false` when this operation had been received before. */
export type ReceiveResult = { ok: true; applied: boolean };

export async function receiveStock(db: Database, op: ReceiveOp): Promise<ReceiveResult> {
  return inWarehouseTransaction(db, async (tx) => {
    const { rows } = await tx.execute(sql`
      insert into inventory.consumptions (operation_id, result)
      values (${op.operationId}, ${JSON.stringify({ ok: true, kind: 'receipt' })}::jsonb)
      on conflict (operation_id) do nothing
      returning operation_id`);
    if (rows.length === 0) return { ok: true, applied: false };
    const lines = op.lines.filter((l) => l.qty > 0);
    if (lines.length === 0) return { ok: true, applied: true };
    // Positive deltas: move_stock never refuses them (it refuses only going below reserved).
    const moved = await moveStock(tx, {
      mode: 'delta',
      lines: lines.map((l) => ({ warehouseId: op.warehouseId, sku: l.sku, qty: l.qty })),
      type: 'receipt',
      reason: op.reason,
      referenceType: op.referenceType,
      referenceId: op.referenceId,
      actorId: op.actorId,
      requestId: op.requestId,
    });
    if (!moved.ok) throw belowReserved(moved.short);
    return { ok: true, applied: true };
  });
}
