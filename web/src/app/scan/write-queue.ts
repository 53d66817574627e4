/**
 * The scanner's writes, kept until the API has them. Every write is stored first (IndexedDB in
 * the app) with the Idempotency-Key it will always be sent with, then sent in the order it was
 * made. A write the network could not deliver stays, and so does everything after it, so counts
 * and receipts arrive in the order they were scanned; an answer the API gave (even a refusal)
 * takes it off the queue, and a resend of one whose answer was lost is the same key, so the API
 * applies it once.
 */

/**
 * What the scanner queues: one API call each, all of them taking an Idempotency-Key. Shipping an
 * order takes none yet, so the pick mode ships online only (a resend could ship twice).
 */
export type WriteCall =
  | { kind: 'count'; body: { warehouseId: string; lines: { sku: string; counted: number }[] } }
  | {
      kind: 'adjust';
      body: { warehouseId: string; sku: string; delta: number; reason: 'received'; note?: string };
    }
  | { kind: 'receive'; purchaseOrderId: string; body: { lines: { sku: string; qty: number }[] } };

export interface PendingWrite {
  /** The Idempotency-Key, also the write's identity in the store. */
  key: string;
  /** Order of making: the queue sends the lowest first. */
  seq: number;
  /** For the person: "Count of 3 skus", shown while it waits. */
  summary: string;
  queuedAt: string;
  call: WriteCall;
}

/** Where pending writes live between page loads. */
export interface WriteStore {
  all(): Promise<PendingWrite[]>;
  put(write: PendingWrite): Promise<void>;
  delete(key: string): Promise<void>;
}

/** What became of one send: the API answered (`sent`/`refused`), or it could not be reached. */
export type SendOutcome =
  | { kind: 'sent'; answer: unknown }
  | { kind: 'refused'; reason: unknown }
  | { kind: 'unreachable'; reason: unknown };

export type Sender = (write: PendingWrite) => Promise<SendOutcome>;

export interface Delivery {
  write: PendingWrite;
  outcome: SendOutcome;
}

/** A store that forgets on reload: the queue's tests, and a browser without IndexedDB. */
export class MemoryWriteStore implements WriteStore {
  private readonly writes = new Map<string, PendingWrite>();
  async all(): Promise<PendingWrite[]> {
    return [...this.writes.values()].map((w) => structuredClone(w));
  }
  async put(write: PendingWrite): Promise<void> {
    this.writes.set(write.key, structuredClone(write));
  }
  async delete(key: string): Promise<void> {
    this.writes.delete(key);
  }
}

export class WriteQueue {
  private flushing: Promise<Delivery[]> | undefined;
  private again = false;

  constructor(
    private readonly store: WriteStore,
    private readonly send: Sender,
    /** Told the number waiting whenever it may have changed. */
    private readonly onPending: (count: number) => void = () => undefined,
    private readonly newKey: () => string = () => crypto.randomUUID(),
  ) {}

  /** The writes still waiting, oldest first. */
  async pending(): Promise<PendingWrite[]> {
    return (await this.store.all()).sort((a, b) => a.seq - b.seq);
  }

  /** Stores a write (it is safe from here on) and returns it; `flush` sends it. */
  async add(call: WriteCall, summary: string, now = new Date()): Promise<PendingWrite> {
    const waiting = await this.pending();
    const seq = (waiting.at(-1)?.seq ?? 0) + 1;
    const write: PendingWrite = { key: this.newKey(), seq, summary, queuedAt: now.toISOString(), call };
    await this.store.put(write);
    this.onPending(waiting.length + 1);
    return write;
  }

  /**
   * Sends what waits, in order, and resolves with what became of each write it tried. One flush
   * at a time: a call while one runs gets that run, followed by another (for writes added since).
   */
  flush(): Promise<Delivery[]> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        void this.flush();
      }
    });
    return this.flushing;
  }

  private async drain(): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    let waiting = await this.pending();
    this.onPending(waiting.length);
    for (const write of waiting) {
      const outcome = await this.send(write);
      deliveries.push({ write, outcome });
      // Unreachable: it and everything after it wait for the connection, in their order.
      if (outcome.kind === 'unreachable') break;
      await this.store.delete(write.key);
      waiting = waiting.filter((w) => w.key !== write.key);
      this.onPending(waiting.length);
    }
    return deliveries;
  }
}
