/**
 * Transfers between warehouses: requested (held at the source), in transit (transfer_out),
 * received or partially received (transfer_in at the destination), or cancelled (released).
 * Each step is one transaction in inventory: the status change, the stock and its events.
 */
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../platform/database.ts';
import { expected, returnedRow } from '../platform/invariant.ts';
import { newestFirst } from '../platform/newest-first.ts';
import { enqueueEvents } from '../platform/outbox.ts';
import { ConflictError, NotFoundError, ValidationError } from '../platform/problem.ts';
import { type Actor, belowReserved, canonicalLines, inWarehouseTransaction } from './adjustments.ts';
import { applyHolds, consumeHolds } from './holds.ts';
import { moveStock } from './movements.ts';
import { outOfStock } from './out-of-stock.ts';
import type { CreateTransfer, ReceiveTransfer } from './schemas.ts';
import { type TransferCancelReason, type TransferStatus, transferLines, transfers } from './tables.ts';

export interface TransferView {
  id: string;
  fromWarehouseId: string;
  toWarehouseId: string;
  status: TransferStatus;
  lines: { sku: string; qty: number; received: number; inTransit: number }[];
  note: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  shippedAt: string | null;
  receivedAt: string | null;
  expiresAt: string | null;
  cancelReason: TransferCancelReason | null;
}

type TransferRow = typeof transfers.$inferSelect;
type LineRow = typeof transferLines.$inferSelect;

function toView(t: TransferRow, lines: LineRow[]): TransferView {
  const shipped = t.status === 'in_transit' || t.status === 'partially_received' || t.status === 'received';
  return {
    id: t.id,
    fromWarehouseId: t.fromWarehouseId,
    toWarehouseId: t.toWarehouseId,
    status: t.status,
    lines: lines
      .map((l) => ({
        sku: l.sku,
        qty: l.qty,
        received: l.received,
        inTransit: shipped ? l.qty - l.received : 0,
      }))
      .sort((a, b) => a.sku.localeCompare(b.sku)),
    note: t.note,
    version: t.version,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    shippedAt: t.shippedAt?.toISOString() ?? null,
    receivedAt: t.receivedAt?.toISOString() ?? null,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    cancelReason: t.cancelReason,
  };
}

async function publish(tx: Transaction, view: TransferView, requestId: string) {
  await enqueueEvents(
    tx,
    [view.fromWarehouseId, view.toWarehouseId].map((warehouseId) => ({
      type: 'transfer.updated' as const,
      warehouseId,
      data: { ...view },
      requestId,
    })),
  );
}

/** Requests a transfer, holding its stock at the source until shipped, cancelled or expired. */
export async function createTransfer(
  db: Database,
  input: CreateTransfer,
  actor: Actor,
  defaultExpiryHours: number,
): Promise<TransferView> {
  if (input.fromWarehouseId === input.toWarehouseId)
    throw new ValidationError([{ path: 'toWarehouseId', message: 'A transfer goes to another warehouse.' }]);
  const requested = await canonicalLines(db, input.lines, (i) => `lines.${i}.sku`);
  const qtyBySku = new Map<string, number>();
  for (const { sku, qty } of requested) qtyBySku.set(sku, (qtyBySku.get(sku) ?? 0) + qty);
  const id = crypto.randomUUID();
  return inWarehouseTransaction(db, async (tx) => {
    const rows = await tx
      .insert(transfers)
      .values({
        id,
        fromWarehouseId: input.fromWarehouseId,
        toWarehouseId: input.toWarehouseId,
        status: 'requested',
        note: input.note ?? null,
        expiresAt: input.expiresAt
          ? new Date(input.expiresAt)
          : new Date(Date.now() + defaultExpiryHours * 3_600_000),
        actorId: actor.actorId,
      })
      .returning();
    const lines = await tx
      .insert(transferLines)
      .values([...qtyBySku].map(([sku, qty]) => ({ transferId: id, sku, qty })))
      .returning();
    const [reserved] = await applyHolds(tx, [
      {
        kind: 'reserve',
        holderType: 'transfer',
        holderId: id,
        lines: lines.map((l) => ({ warehouseId: input.fromWarehouseId, sku: l.sku, qty: l.qty })),
        expiresAt: null,
        requestId: actor.requestId,
      },
    ]);
    const held = expected(reserved, 'one result per hold operation');
    if (!held.ok) throw outOfStock(held.short);
    const view = toView(returnedRow(rows), lines);
    await publish(tx, view, actor.requestId);
    await actor.claim?.complete(tx, 201, view);
    return view;
  });
}

/** The transfer, locked for this transaction, or 404. */
async function lockTransfer(tx: Transaction, id: string) {
  const [row] = await tx.select().from(transfers).where(eq(transfers.id, id)).for('update');
  if (!row) throw new NotFoundError('No such transfer.');
  const lines = await tx.select().from(transferLines).where(eq(transferLines.transferId, id));
  return { row, lines };
}

function assertStatus(row: TransferRow, allowed: TransferStatus[], attempted: string) {
  if (!allowed.includes(row.status))
    throw new ConflictError(
      `A transfer that is ${row.status} cannot be ${attempted}.`,
      'illegal-transition',
      {
        currentStatus: row.status,
        attempted,
      },
    );
}

async function saveStatus(tx: Transaction, row: TransferRow, patch: Partial<TransferRow>) {
  return returnedRow(
    await tx
      .update(transfers)
      .set({ ...patch, version: row.version + 1, updatedAt: new Date() })
      .where(eq(transfers.id, row.id))
      .returning(),
  );
}

async function lapsed(tx: Transaction, id: string): Promise<boolean> {
  const { rows } = await tx.execute<{ lapsed: boolean }>(
    sql`select coalesce(expires_at <= now(), false) as lapsed from inventory.transfers where id = ${id}`,
  );
  return rows[0]?.lapsed ?? false;
}

/** 409 once a requested transfer's expiry has passed (the sweep cancels it). */
async function assertNotExpired(tx: Transaction, row: TransferRow) {
  if (await lapsed(tx, row.id))
    throw new ConflictError(
      'This transfer expired before it was shipped; request it again.',
      'transfer-expired',
      { expiresAt: row.expiresAt?.toISOString() ?? null },
    );
}

/** Who may act on a transfer: `side` says which warehouse the step happens in. */
export async function readTransfer(db: Database, id: string): Promise<TransferView> {
  const [row] = await db.select().from(transfers).where(eq(transfers.id, id));
  if (!row) throw new NotFoundError('No such transfer.');
  const lines = await db.select().from(transferLines).where(eq(transferLines.transferId, id));
  return toView(row, lines);
}

export async function shipTransfer(db: Database, id: string, actor: Actor): Promise<TransferView> {
  return db.transaction(async (tx) => {
    const { row, lines } = await lockTransfer(tx, id);
    assertStatus(row, ['requested'], 'shipped');
    await assertNotExpired(tx, row);
    const consumed = await consumeHolds(tx, {
      operationId: id,
      holderType: 'transfer',
      holderId: id,
      lines: lines.map((l) => ({ warehouseId: row.fromWarehouseId, sku: l.sku, qty: l.qty })),
      type: 'transfer_out',
      reason: 'transfer',
      referenceType: 'transfer',
      referenceId: id,
      actorId: actor.actorId,
      requestId: actor.requestId,
    });
    if (!consumed.ok)
      throw new ConflictError('The stock held for this transfer is gone.', 'hold-missing', consumed);
    const updated = await saveStatus(tx, row, {
      status: 'in_transit',
      shippedAt: new Date(),
      expiresAt: null,
    });
    const view = toView(updated, lines);
    await publish(tx, view, actor.requestId);
    return view;
  });
}

export async function receiveTransfer(
  db: Database,
  id: string,
  input: ReceiveTransfer,
  actor: Actor,
): Promise<TransferView> {
  return db.transaction(async (tx) => {
    const { row, lines } = await lockTransfer(tx, id);
    assertStatus(row, ['in_transit', 'partially_received'], 'received');
    const open = new Map(lines.map((l) => [l.sku.toLowerCase(), l]));
    const receipt = input.lines ?? lines.map((l) => ({ sku: l.sku, qty: l.qty - l.received }));
    const seen = new Set<string>();
    const errors = receipt.flatMap((r, i) => {
      if (seen.has(r.sku.toLowerCase()))
        return [{ path: `lines.${i}.sku`, message: 'Each sku once per receipt.' }];
      seen.add(r.sku.toLowerCase());
      const line = open.get(r.sku.toLowerCase());
      if (!line) return [{ path: `lines.${i}.sku`, message: 'This sku is not on the transfer.' }];
      if (r.qty > line.qty - line.received)
        return [{ path: `lines.${i}.qty`, message: `Only ${line.qty - line.received} left to receive.` }];
      return [];
    });
    if (errors.length > 0) throw new ValidationError(errors);
    const arriving = receipt
      .filter((r) => r.qty > 0)
      .map((r) => ({ line: expected(open.get(r.sku.toLowerCase()), 'a line checked above'), qty: r.qty }));
    if (arriving.length > 0) {
      const moved = await moveStock(tx, {
        mode: 'delta',
        lines: arriving.map((a) => ({ warehouseId: row.toWarehouseId, sku: a.line.sku, qty: a.qty })),
        type: 'transfer_in',
        reason: 'transfer',
        referenceType: 'transfer',
        referenceId: id,
        actorId: actor.actorId,
        requestId: actor.requestId,
      });
      if (!moved.ok) throw belowReserved(moved.short);
      for (const a of arriving) {
        await tx
          .update(transferLines)
          .set({ received: sql`${transferLines.received} + ${a.qty}` })
          .where(and(eq(transferLines.transferId, id), eq(transferLines.sku, a.line.sku)));
        a.line.received += a.qty;
      }
    }
    const complete = lines.every((l) => l.received === l.qty);
    const updated = await saveStatus(tx, row, {
      status: complete ? 'received' : 'partially_received',
      receivedAt: complete ? new Date() : null,
    });
    const view = toView(updated, lines);
    await publish(tx, view, actor.requestId);
    return view;
  });
}

/**
 * Cancels a requested transfer and releases its stock. `expired`: only if its expiry has passed
 * by the database's clock, checked under the row's lock (409 otherwise), so a sweep racing a
 * ship or another sweep changes nothing twice.
 */
export async function cancelTransfer(
  db: Database,
  id: string,
  actor: Actor,
  reason: TransferCancelReason = 'requested',
): Promise<TransferView> {
  return db.transaction(async (tx) => {
    const { row, lines } = await lockTransfer(tx, id);
    assertStatus(row, ['requested'], 'cancelled');
    if (reason === 'expired' && !(await lapsed(tx, id)))
      throw new ConflictError('This transfer has not expired.', 'not-expired');
    await applyHolds(tx, [
      {
        kind: 'release',
        holderType: 'transfer',
        holderId: id,
        lines: null,
        expiresAt: null,
        requestId: actor.requestId,
      },
    ]);
    const updated = await saveStatus(tx, row, { status: 'cancelled', cancelReason: reason, expiresAt: null });
    const view = toView(updated, lines);
    await publish(tx, view, actor.requestId);
    return view;
  });
}

/** Newest first; a transfer shows when either end is in the scope. */
export async function listTransfers(
  db: Database,
  query: {
    status?: TransferStatus | undefined;
    warehouseId?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
  scope: 'all' | string[],
) {
  const order = newestFirst(transfers.createdAt, transfers.id, query.cursor);
  const inScope = (ids: string[]) =>
    or(inArray(transfers.fromWarehouseId, ids), inArray(transfers.toWarehouseId, ids));
  const rows = await db
    .select()
    .from(transfers)
    .where(
      and(
        query.status ? eq(transfers.status, query.status) : undefined,
        query.warehouseId ? inScope([query.warehouseId]) : undefined,
        scope === 'all' ? undefined : scope.length > 0 ? inScope(scope) : sql`false`,
        order.where,
      ),
    )
    .orderBy(...order.orderBy)
    .limit(query.limit + 1);
  const { items: page, nextCursor } = order.page(rows, query.limit);
  const lines =
    page.length === 0
      ? []
      : await db
          .select()
          .from(transferLines)
          .where(
            inArray(
              transferLines.transferId,
              page.map((r) => r.id),
            ),
          );
  const items = page.map((r) =>
    toView(
      r,
      lines.filter((l) => l.transferId === r.id),
    ),
  );
  return { items, nextCursor };
}
