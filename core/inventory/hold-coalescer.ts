/**
 * Request coalescing for the reservation path. Concurrent hold requests in this process are
 * gathered while the previous call is in flight and sent as one inventory.hold_stock call, so
 * a hot sku's row is locked and written once per batch rather than once per order: throughput
 * grows with concurrency instead of collapsing on one row lock. Each op still succeeds or fails
 * on its own (all-or-nothing per op, in arrival order).
 */
import { Batcher } from '../platform/batcher.ts';
import type { Database } from '../platform/database.ts';
import { pgErrorCode } from '../platform/database.ts';
import { applyHolds, type HoldOp, type HoldResult } from './holds.ts';

const RETRYABLE = new Set(['40P01', '40001']);

export function holdCoalescer(db: Database): Batcher<HoldOp, HoldResult> {
  return new Batcher(
    async (ops) => {
      // A batch of reserves only commits without waiting for its WAL flush. Each reserve is
      // followed by its holder's own commit (the order insert or update), which flushes the WAL
      // up to itself and so this commit too: no order can be durable without its holds. A crash
      // before that can lose the reserve, never add one, and then the order was not committed
      // (or its holds would be released by the sweep anyway). Releases and keeps, which follow
      // their holder's commit, wait for the flush as before.
      const asyncCommit = ops.every((op) => op.kind === 'reserve');
      // A deadlock or serialization failure (another writer's order) is retried.
      for (let attempt = 1; ; attempt++) {
        try {
          return await applyHolds(db, ops, { asyncCommit });
        } catch (err) {
          if (attempt >= 5 || !RETRYABLE.has(pgErrorCode(err) ?? '')) throw err;
          await Bun.sleep(attempt * 5);
        }
      }
    },
    // Postgres refused the call (an error code), so nothing of it was applied.
    { name: 'holds', maxBatch: 256, maxInFlight: 2, splitOnError: (err) => pgErrorCode(err) !== undefined },
  );
}
