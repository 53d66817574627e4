/** Adjustments and stock counts: on_hand changes a person makes, each one ledger movement per level. */
import { readProductRefs } from '../catalog/product-ref-reads.ts';
import type { Database, Transaction } from '../platform/database.ts';
import { pgErrorCode } from '../platform/database.ts';
import type { IdempotencyClaim } from '../platform/idempotency.ts';
import { expected, returnedRow } from '../platform/invariant.ts';
import { ConflictError, type FieldError, ValidationError } from '../platform/problem.ts';
import {
  type BlockedMove,
  type MovementView,
  type MoveOp,
  moveStock,
  type PlannedMove,
} from './movements.ts';
import type { Adjustment, StockCount } from './schemas.ts';
import { stockCounts } from './tables.ts';

export interface Actor {
  actorId: string;
  requestId: string;
  /** Present when the request carries an Idempotency-Key: completed inside the write. */
  claim?: IdempotencyClaim | undefined;
}

/** The lines with the catalog's spelling of each sku, or a 422 naming the lines whose sku is unknown. */
export async function canonicalLines<L extends { sku: string }>(
  db: Database,
  lines: readonly L[],
  path: (i: number) => string,
): Promise<L[]> {
  const refs = await readProductRefs(
    db.$client,
    lines.map((l) => l.sku),
  );
  const errors: FieldError[] = [];
  const canonical = lines.flatMap((l, i) => {
    const ref = refs.get(l.sku);
    if (ref) return [{ ...l, sku: ref.sku }];
    errors.push({ path: path(i), message: `No product has the sku ${l.sku}.` });
    return [];
  });
  if (errors.length > 0) throw new ValidationError(errors);
  return canonical;
}

/** The catalog's spelling of one sku, or a 422 naming `path`. */
export async function canonicalSku(db: Database, sku: string, path: string): Promise<string> {
  const [line] = await canonicalLines(db, [{ sku }], () => path);
  return expected(line, 'the line canonicalLines checked').sku;
}

export function belowReserved(short: BlockedMove[]): ConflictError {
  return new ConflictError(
    'This would take on hand below what is reserved for orders and transfers; release or ship those first.',
    'below-reserved',
    { lines: short },
  );
}

/** A transaction whose foreign-key failure means the warehouse named does not exist. */
export async function inWarehouseTransaction<T>(
  db: Database,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (err) {
    if (pgErrorCode(err) === '23503')
      throw new ValidationError([{ path: 'warehouseId', message: 'No such warehouse.' }]);
    throw err;
  }
}

/** Runs a move in its own transaction; a refused move writes nothing (not even an empty level). */
export function applyMove(
  db: Database,
  op: MoveOp,
  inTransaction: (tx: Transaction, moved: MovementView[]) => Promise<void> = async () => {},
): Promise<{ plan: PlannedMove[]; movements: MovementView[] }> {
  return inWarehouseTransaction(db, async (tx) => {
    const result = await moveStock(tx, op);
    if (!result.ok) throw belowReserved(result.short);
    await inTransaction(tx, result.movements);
    return result;
  });
}

const typeForReason = { received: 'receipt', count: 'count' } as const;

export async function adjustStock(db: Database, input: Adjustment, actor: Actor): Promise<MovementView> {
  const sku = await canonicalSku(db, input.sku, 'sku');
  const { movements } = await applyMove(
    db,
    {
      mode: 'delta',
      lines: [{ warehouseId: input.warehouseId, sku, qty: input.delta }],
      type: typeForReason[input.reason as keyof typeof typeForReason] ?? 'adjustment',
      reason: input.reason,
      note: input.note ?? null,
      referenceType: 'adjustment',
      referenceId: null,
      actorId: actor.actorId,
      requestId: actor.requestId,
    },
    (tx, moved) => actor.claim?.complete(tx, 201, moved[0]) ?? Promise.resolve(),
  );
  return returnedRow(movements);
}

export interface CountView {
  id: string;
  warehouseId: string;
  lines: { sku: string; counted: number; onHandBefore: number; variance: number }[];
  movements: MovementView[];
  createdAt: string;
}

/** Sets on_hand to what was counted; each variance becomes a `count` movement. */
export async function countStock(db: Database, input: StockCount, actor: Actor): Promise<CountView> {
  const countLines = await canonicalLines(db, input.lines, (i) => `lines.${i}.sku`);
  const seen = new Set<string>();
  countLines.forEach(({ sku: s }, i) => {
    if (seen.has(s.toLowerCase()))
      throw new ValidationError([{ path: `lines.${i}.sku`, message: 'Each sku once per count.' }]);
    seen.add(s.toLowerCase());
  });
  const countId = crypto.randomUUID();
  return inWarehouseTransaction(db, async (tx) => {
    const result = await moveStock(tx, {
      mode: 'set',
      lines: countLines.map((l) => ({ warehouseId: input.warehouseId, sku: l.sku, qty: l.counted })),
      type: 'count',
      reason: 'count',
      note: input.note ?? null,
      referenceType: 'count',
      referenceId: countId,
      actorId: actor.actorId,
      requestId: actor.requestId,
    });
    if (!result.ok) throw belowReserved(result.short);
    const bySku = new Map(result.plan.map((p) => [p.sku, p]));
    const lines = countLines.map(({ sku, counted }) => {
      const p = expected(bySku.get(sku), 'move_stock to plan every line it was given');
      return { sku, counted, onHandBefore: p.onHandBefore, variance: p.delta };
    });
    const row = returnedRow(
      await tx
        .insert(stockCounts)
        .values({ id: countId, warehouseId: input.warehouseId, lines, actorId: actor.actorId })
        .returning(),
    );
    const view = {
      id: countId,
      warehouseId: input.warehouseId,
      lines,
      movements: result.movements,
      createdAt: row.createdAt.toISOString(),
    };
    // A count sets on hand: replayed after stock moved again, it would undo that move.
    await actor.claim?.complete(tx, 201, view);
    return view;
  });
}
