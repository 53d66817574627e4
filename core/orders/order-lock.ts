/**
 * One change to an order's holds at a time. A change that needs more stock holds it before the
 * order is saved, and settling releases what the order holds beyond its needs: run side by side,
 * a settle would take a change's fresh units for surplus and the order would end up holding less
 * than it needs. So both run in a transaction holding the order's row lock: the change from
 * before it reserves until its save commits, the settle while it reads and releases.
 *
 * A lock holder keeps its transaction's connection while it calls inventory, which needs one
 * more from the same pool. So nobody waits on a lock while holding a connection (SKIP LOCKED: a
 * caller that finds the order locked is told at once; a change answers 409, a settle tries again
 * shortly), and at most half a pool's connections hold order locks at once (inOrderLock), which
 * leaves the other half for inventory: never a pool whose every connection waits for another.
 */
import { eq } from 'drizzle-orm';
import { perKey } from '../platform/batcher.ts';
import type { Database, Transaction } from '../platform/database.ts';
import { ConflictError, NotFoundError } from '../platform/problem.ts';
import type { OrderRecord } from './order-store.ts';
import { orderRecords } from './tables.ts';

/** The order, locked for this transaction; `busy` when another transaction holds it. */
export async function lockOrder(tx: Transaction, id: string): Promise<OrderRecord | 'busy'> {
  const [row] = await tx.select().from(orderRecords).where(eq(orderRecords.id, id)).for('update', {
    skipLocked: true,
  });
  if (row) return row;
  const [exists] = await tx.select({ id: orderRecords.id }).from(orderRecords).where(eq(orderRecords.id, id));
  if (!exists) throw new NotFoundError('No such order.');
  return 'busy';
}

/** Locks the order as it was read (`version`): 409 when it is locked or changed since. */
export async function lockOrderAt(tx: Transaction, order: OrderRecord): Promise<void> {
  const locked = await lockOrder(tx, order.id);
  if (locked === 'busy' || locked.version !== order.version)
    throw new ConflictError(
      'The order changed while this request ran; read it again and retry.',
      'order-changed',
    );
}

/** A count of slots; `take` waits (in memory, holding nothing) until one is free. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = size;
  }
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return () => {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

const lockSlots = perKey(
  (db: Database) => new Slots(Math.max(1, Math.floor((db.$client.options.max ?? 10) / 2))),
);

/** A transaction that takes an order's lock: at most half the pool's connections at once. */
export async function inOrderLock<T>(db: Database, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const release = await lockSlots(db).take();
  try {
    return await db.transaction(work);
  } finally {
    release();
  }
}
