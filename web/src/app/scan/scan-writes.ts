/**
 * The scanner's writes through the queue (write-queue.ts) to the API: each is stored before it
 * is sent, sent at once when online, and again when the browser says the connection is back and
 * on a backoff while any wait. The screen shows how many wait and what the API said about the
 * last ones.
 */
import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { ProblemError } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { pendingWriteStore } from './idb-write-store';
import {
  type Delivery,
  MemoryWriteStore,
  type PendingWrite,
  type SendOutcome,
  type WriteCall,
  WriteQueue,
} from './write-queue';

/** How long one write may go unanswered before the queue gives up on it for now. */
const SEND_TIMEOUT_MS = 10_000;

/** Waiting writes are tried again after 2 s, then 4 s, 8 s... up to every 30 s. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 30_000;

/** Answers worth trying again later: the API or the network was not there to decide. */
function worthRetrying(err: unknown): boolean {
  if (err instanceof ProblemError)
    return err.status >= 500 || err.status === 408 || err.status === 429 || err.status === 401;
  return true; // a TypeError from fetch: no connection
}

export interface WriteNews {
  key: string;
  text: string;
  failed: boolean;
}

@Injectable({ providedIn: 'root' })
export class ScanWrites {
  private readonly session = inject(ApiSession);
  private readonly queue = new WriteQueue(
    pendingWriteStore(() => new MemoryWriteStore()),
    (write) => this.send(write),
    (count) => this.waiting.set(count),
  );
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = RETRY_FIRST_MS / 2;
  /** How many writes wait for the connection. */
  readonly waiting = signal(0);
  /** What became of the latest writes, newest first. */
  readonly news = signal<readonly WriteNews[]>([]);

  constructor() {
    const retry = () => void this.flush();
    globalThis.addEventListener?.('online', retry);
    inject(DestroyRef).onDestroy(() => globalThis.removeEventListener?.('online', retry));
    void this.flush();
  }

  /** Keeps the write (IndexedDB) and sends it now if it can; resolves once it is stored. */
  async submit(call: WriteCall, summary: string): Promise<PendingWrite> {
    const write = await this.queue.add(call, summary);
    void this.flush();
    return write;
  }

  /** Sends everything waiting; resolves with what became of each one it tried. */
  async flush(): Promise<Delivery[]> {
    clearTimeout(this.retryTimer);
    const deliveries = await this.queue.flush();
    this.retryLater(deliveries.some((d) => d.outcome.kind === 'unreachable'));
    const told = deliveries.filter((d) => d.outcome.kind !== 'unreachable').map((d) => this.newsOf(d));
    // Two callers of one flush both get its deliveries: each write is told once.
    if (told.length > 0)
      this.news.update((old) =>
        [...told.reverse(), ...old.filter((n) => !told.some((t) => t.key === n.key))].slice(0, 5),
      );
    return deliveries;
  }

  /**
   * Browsers do not always say when the connection is back (no `online` event, or one before
   * the API is reachable), so while writes wait they are tried again, less often each time.
   */
  private retryLater(unreachable: boolean): void {
    clearTimeout(this.retryTimer);
    this.retryMs = unreachable ? Math.min(this.retryMs * 2, RETRY_MAX_MS) : RETRY_FIRST_MS / 2;
    if (unreachable) this.retryTimer = setTimeout(() => void this.flush(), this.retryMs);
  }

  private newsOf({ write, outcome }: Delivery): WriteNews {
    if (outcome.kind === 'sent') return { key: write.key, text: `${write.summary}: saved.`, failed: false };
    return {
      key: write.key,
      text: `${write.summary}: not saved. ${readableError(outcome.kind === 'refused' ? outcome.reason : undefined).message}`,
      failed: true,
    };
  }

  private async send(write: PendingWrite): Promise<SendOutcome> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A connection that neither answers nor fails (a weak signal) must not hold the queue: the
    // write is tried again later with the same key, which the API applies once.
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TypeError('No answer in time')), SEND_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([this.session.api((c) => this.call(c, write)), silence]);
      return { kind: 'sent', answer };
    } catch (reason) {
      return worthRetrying(reason) ? { kind: 'unreachable', reason } : { kind: 'refused', reason };
    } finally {
      clearTimeout(timer);
    }
  }

  private async call(
    c: Parameters<Parameters<ApiSession['api']>[0]>[0],
    write: PendingWrite,
  ): Promise<unknown> {
    const header = { 'idempotency-key': write.key };
    const call = write.call;
    switch (call.kind) {
      case 'count':
        return (await c.POST('/api/inventory/counts', { params: { header }, body: call.body })).data;
      case 'adjust':
        return (await c.POST('/api/inventory/adjustments', { params: { header }, body: call.body })).data;
      case 'receive':
        return (
          await c.POST('/api/purchase-orders/{id}/receive', {
            params: { header, path: { id: call.purchaseOrderId } },
            body: call.body,
          })
        ).data;
    }
  }
}
