/**
 * Request coalescing for the reservation path. Concurrent hold requests in this process are
 * gathered while the previous call is in flight and sent as one inventory.hold_stock call, so
 * a hot sku's row is locked and written once per batch rather than once per order: throughput
 * grows with concurrency instead of collapsing on one row lock. Each op still succeeds or fails
 * on its own (all-or-nothing per op, in arrival order).
 */
import type { Database } from '../platform/database.ts';
import { pgErrorCode } from '../platform/database.ts';
import { applyHolds, type HoldOp, type HoldResult } from './holds.ts';

interface Waiting {
  op: HoldOp;
  resolve: (r: HoldResult) => void;
  reject: (e: unknown) => void;
}

export interface CoalescerOptions {
  /** Ops per call at most. */
  maxBatch: number;
  /** Calls in flight at once: more overlaps round trips, fewer makes bigger batches. */
  maxInFlight: number;
}

const RETRYABLE = new Set(['40P01', '40001']);

export class HoldCoalescer {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    private readonly opts: CoalescerOptions = { maxBatch: 256, maxInFlight: 2 },
  ) {}

  submit(op: HoldOp): Promise<HoldResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Waiting[]): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.op));
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One bad op must not fail its neighbours: run them one by one to find it.
      for (const w of batch) await this.run([w.op]).then((r) => w.resolve(r[0]!), w.reject);
    }
  }

  /** One call; a deadlock or serialization failure (another writer's order) is retried. */
  private async run(ops: HoldOp[]): Promise<HoldResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await applyHolds(this.db, ops);
      } catch (err) {
        if (attempt >= 5 || !RETRYABLE.has(pgErrorCode(err) ?? '')) throw err;
        await Bun.sleep(attempt * 5);
      }
    }
  }
}
