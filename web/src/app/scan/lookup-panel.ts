/**
 * Look up: the scanned product and its stock in this warehouse, live from the edge's rooms. The
 * first answer is the availability read; then a room socket that watches only the shown sku
 * (`skus` on the room, so a phone is not sent every level of the warehouse) keeps it current.
 */
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import type { RoomLevel, RoomSocket } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import type { Scan, ScannedProduct, ScanWarehouse } from './scan-context';

type Level = Omit<RoomLevel, 'sku'>;

interface Found {
  product: ScannedProduct;
  /** The warehouse whose stock is shown: an answer about another (a switch meanwhile) is dropped. */
  warehouseId: string;
  stock: Level | undefined;
}

@Component({
  selector: 'app-lookup-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="lookup-title">
      <h2 id="lookup-title">Look up</h2>
      @if (found(); as f) {
        <div class="product" data-testid="lookup-result">
          <p class="name">{{ f.product.name }}</p>
          <p class="ids">SKU {{ f.product.sku }}@if (f.product.barcode) { · {{ f.product.barcode }} }</p>
          @if (f.stock; as s) {
            <dl class="stock">
              <div><dt>On hand</dt><dd data-testid="on-hand">{{ s.onHand }}</dd></div>
              <div><dt>Reserved</dt><dd>{{ s.reserved }}</dd></div>
              <div><dt>Available</dt><dd>{{ s.available }}</dd></div>
            </dl>
          } @else {
            <p class="muted">No stock of it in {{ warehouse().code }}.</p>
          }
        </div>
      } @else {
        <p class="muted">Scan a product to see its stock in {{ warehouse().code }}.</p>
      }
      @if (problem(); as text) {
        <p class="problem" role="alert">{{ text }}</p>
      }
    </section>
  `,
  styles: `
    .panel { display: grid; gap: 0.5rem; }
    h2 { margin: 0; font-size: 1.2rem; }
    .name { margin: 0; font-size: 1.2rem; font-weight: 700; }
    .ids, .muted { margin: 0; color: var(--muted); }
    .stock { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0.5rem 0 0; }
    .stock div { display: grid; }
    dt { color: var(--muted); font-size: 0.9rem; }
    dd { margin: 0; font-size: 1.5rem; font-weight: 700; }
    .problem { margin: 0; color: var(--warn); }
  `,
})
export class LookupPanel {
  private readonly session = inject(ApiSession);
  readonly scan = input<Scan | undefined>();
  readonly warehouse = input.required<ScanWarehouse>();
  protected readonly found = signal<Found | undefined>(undefined);
  protected readonly problem = signal('');

  /** The room of the warehouse shown, watching the shown sku. */
  private room: { warehouseId: string; socket: RoomSocket } | undefined;

  constructor() {
    effect(() => {
      const scan = this.scan();
      const warehouseId = this.warehouse().id;
      if (scan) untracked(() => void this.show(scan.product, warehouseId));
    });
    inject(DestroyRef).onDestroy(() => this.room?.socket.close());
  }

  private async show(product: ScannedProduct, warehouseId: string): Promise<void> {
    this.problem.set('');
    this.found.set({ product, warehouseId, stock: undefined });
    this.follow(product.sku, warehouseId);
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/products/{sku}/availability', { params: { path: { sku: product.sku } } }),
      );
      const level = data.warehouses.find((w) => w.warehouseId === warehouseId);
      if (level) this.showLevel(warehouseId, { ...level, sku: product.sku });
    } catch (err) {
      if (this.found()?.product === product)
        this.problem.set(`Stock not shown: ${readableError(err).message}`);
    }
  }

  /** Watches `sku` in the warehouse's room: one socket per warehouse, retargeted per scan. */
  private follow(sku: string, warehouseId: string): void {
    if (this.room?.warehouseId === warehouseId) {
      this.room.socket.watch([sku]);
      return;
    }
    this.room?.socket.close();
    const socket = this.session.room(warehouseId, {
      skus: [sku],
      backoff: { initialMs: 500, maxMs: 10_000 },
    });
    socket.on('snapshot', (snapshot) => {
      for (const level of snapshot.levels) this.showLevel(warehouseId, level);
    });
    socket.on('stock', (change) => this.showLevel(warehouseId, change));
    // A socket that ends for good (the right to the warehouse lost): the next scan opens another.
    socket.on('close', ({ reconnecting }) => {
      if (!reconnecting && this.room?.socket === socket) this.room = undefined;
    });
    this.room = { warehouseId, socket };
  }

  /** A level of the shown product in the shown warehouse, unless an answer that came first was newer. */
  private showLevel(warehouseId: string, { sku, onHand, reserved, available, version }: RoomLevel): void {
    const found = this.found();
    if (!found || found.warehouseId !== warehouseId) return;
    if (found.product.sku.toLowerCase() !== sku.toLowerCase()) return;
    if (found.stock && found.stock.version > version) return;
    this.found.set({ ...found, stock: { onHand, reserved, available, version } });
  }
}
