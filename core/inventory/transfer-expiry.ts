import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { ConflictError } from '../platform/problem.ts';
import { transfers } from './tables.ts';
import { cancelTransfer } from './transfers.ts';

/**
 * Requested transfers never shipped: past their expiresAt they are cancelled (cancelReason
 * `expired`) and the stock they held at the source is released, oldest first. Two runs at once
 * are safe: each cancel locks the transfer and checks, under that lock, that it is still
 * requested and expired, so one run cancels it and the other skips it (as does a ship that got
 * the lock first).
 */
export async function expireTransfers(db: Database, pageSize = 100): Promise<number> {
  let cancelled = 0;
  for (;;) {
    const due = await db
      .select({ id: transfers.id })
      .from(transfers)
      .where(and(eq(transfers.status, 'requested'), sql`${transfers.expiresAt} <= now()`))
      .orderBy(transfers.expiresAt)
      .limit(pageSize);
    let progressed = false;
    for (const t of due) {
      try {
        await cancelTransfer(db, t.id, { actorId: 'system:expire-transfers', requestId: '' }, 'expired');
        cancelled++;
        progressed = true;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    if (due.length < pageSize || !progressed) return cancelled;
  }
}
