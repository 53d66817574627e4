/**
 * One warehouse's levels, live: the room's snapshot, then each `stock` message merged in (once
 * per animation frame), and the reorder settings from the REST listing. Signals for the board;
 * a new instance per warehouse, closed when the board leaves it.
 */
import { signal } from '@angular/core';
import type { RoomSocket, RoomStockMessage } from '@varastokkr/client';
import type { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { FrameBatcher } from './frame-batcher';
import {
  emptyTable,
  mergeStockMessages,
  type ReorderInfo,
  type StockTable,
  tableFromSnapshot,
  withReorderInfo,
} from './stock-rows';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'signed-out' | 'no-access';

/** How long a changed row stays highlighted. */
const HIGHLIGHT_MS = 1500;

export class LiveStock {
  readonly table = signal<StockTable>(emptyTable);
  readonly loaded = signal(false);
  readonly connection = signal<ConnectionState>('connecting');
  /** Skus changed within the last moments, highlighted on the board. */
  readonly highlighted = signal<ReadonlySet<string>>(new Set());
  readonly error = signal('');
  private readonly room: RoomSocket;
  private readonly batcher = new FrameBatcher<RoomStockMessage>((batch) => this.apply(batch));
  private readonly lastChange = new Map<string, number>();
  /** The REST listing so far: kept, since the room's snapshot may come after it. */
  private readonly reorderInfo: ReorderInfo[] = [];
  private unhighlightTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly session: ApiSession,
    readonly warehouseId: string,
  ) {
    // Reconnects back off to at most 10 s: a board on a wall should be back soon after the edge.
    this.room = session.room(warehouseId, { backoff: { initialMs: 500, maxMs: 10_000 } });
    this.room.on('open', () => this.connection.set('connected'));
    this.room.on('close', (close) => {
      if (close.reconnecting) this.connection.set('reconnecting');
      else if (close.kind === 'credential-gone') this.connection.set('signed-out');
      else if (close.kind === 'right-lost') this.connection.set('no-access');
    });
    this.room.on('snapshot', (snapshot) => {
      this.table.update((before) => withReorderInfo(tableFromSnapshot(snapshot, before), this.reorderInfo));
      this.loaded.set(true);
    });
    this.room.on('stock', (message) => this.batcher.push(message));
    void this.loadReorderInfo();
  }

  close(): void {
    this.closed = true;
    this.batcher.stop();
    clearTimeout(this.unhighlightTimer);
    this.room.close();
  }

  private apply(batch: RoomStockMessage[]): void {
    const { table, changed } = mergeStockMessages(this.table(), batch);
    this.table.set(table);
    if (changed.size === 0) return;
    const now = Date.now();
    for (const sku of changed) this.lastChange.set(sku, now);
    this.highlighted.set(new Set(this.lastChange.keys()));
    clearTimeout(this.unhighlightTimer);
    this.unhighlightTimer = setTimeout(() => this.fadeHighlights(), HIGHLIGHT_MS);
  }

  private fadeHighlights(): void {
    const cutoff = Date.now() - HIGHLIGHT_MS + 50;
    for (const [sku, at] of this.lastChange) if (at <= cutoff) this.lastChange.delete(sku);
    this.highlighted.set(new Set(this.lastChange.keys()));
    if (this.lastChange.size > 0)
      this.unhighlightTimer = setTimeout(() => this.fadeHighlights(), HIGHLIGHT_MS);
  }

  /** Reorder points and in-transit counts, page by page, merged into the rows the room gave. */
  private async loadReorderInfo(): Promise<void> {
    let cursor: string | undefined;
    try {
      do {
        const { data } = await this.session.api((c) =>
          c.GET('/api/warehouses/{id}/stock', {
            params: { path: { id: this.warehouseId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
          }),
        );
        if (this.closed) return;
        this.table.update((table) => withReorderInfo(table, data.items));
        this.reorderInfo.push(...data.items);
        cursor = data.nextCursor ?? undefined;
      } while (cursor);
    } catch (err) {
      if (!this.closed) this.error.set(`Reorder points could not be loaded: ${readableError(err).message}`);
    }
  }
}
