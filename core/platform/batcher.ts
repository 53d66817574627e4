/**
 * Request coalescing: calls that arrive while earlier ones are in flight are gathered and run
 * as one batch (one query, one commit), so per-request database work shrinks as concurrency
 * grows. Used for the hot paths: reservations, order inserts, session and product lookups.
 * Each item gets its own result; an error in a batch is retried item by item so one bad item
 * cannot fail its neighbours.
 */
import { auditContext } from './audit-context.ts';
import { processMetrics, SIZE_BUCKETS } from './metrics.ts';
import { traceContext } from './trace-context.ts';

const batchSizes = processMetrics.histogram(
  'varastokkr_batch_size',
  'Items per batch a coalescing batcher ran (holds, orders, sessions, product-refs): bigger under concurrency.',
  SIZE_BUCKETS,
);

export interface BatcherOptions {
  /** What the batch sizes are recorded under (varastokkr_batch_size{batcher}). */
  name: string;
  /** Items per batch at most. */
  maxBatch: number;
  /** Batches in flight at once: more overlaps round trips, fewer makes bigger batches. */
  maxInFlight: number;
  /**
   * Whether a failed batch certainly changed nothing, so its items may run again one by one
   * (a write whose connection dropped around COMMIT may have committed: never re-run it).
   * Reads may always split.
   */
  splitOnError?: (err: unknown) => boolean;
}

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class Batcher<I, O> {
  private readonly queue: Waiting<I, O>[] = [];
  private inFlight = 0;

  constructor(
    /** Runs a batch; returns one result per item, in order. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly opts: BatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      batchSizes.observe(batch.length, { batcher: this.opts.name });
      this.inFlight++;
      // A batch serves many requests: none of their audit contexts (or traces) is the batch's.
      void traceContext
        .detached(() => auditContext.detached(() => this.flush(batch)))
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }

  private async flush(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      // run() answers one result per item, in order; O may itself be undefined (void), so no check.
      for (const [i, w] of batch.entries()) w.resolve(results[i] as O);
    } catch (err) {
      if (batch.length === 1 || !(this.opts.splitOnError?.(err) ?? true)) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) await this.run([w.item]).then((r) => w.resolve(r[0] as O), w.reject);
    }
  }
}

/** One batcher per key object (a database pool), made on first use. */
export function perKey<K extends object, B>(make: (key: K) => B): (key: K) => B {
  const made = new WeakMap<K, B>();
  return (key) => {
    let b = made.get(key);
    if (!b) {
      b = make(key);
      made.set(key, b);
    }
    return b;
  };
}
