/** Look up: the scanned product and its stock in this warehouse, live from the edge's rooms. */
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import type { Scan, ScannedProduct, ScanWarehouse } from './scan-context';

interface Found {
  product: ScannedProduct;
  stock: { onHand: number; reserved: number; available: number } | undefined;
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

  constructor() {
    effect(() => {
      const scan = this.scan();
      const warehouseId = this.warehouse().id;
      if (scan) untracked(() => void this.show(scan.product, warehouseId));
    });
  }

  private async show(product: ScannedProduct, warehouseId: string): Promise<void> {
    this.problem.set('');
    this.found.set({ product, stock: undefined });
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/products/{sku}/availability', { params: { path: { sku: product.sku } } }),
      );
      this.found.set({ product, stock: data.warehouses.find((w) => w.warehouseId === warehouseId) });
    } catch (err) {
      this.problem.set(`Stock not shown: ${readableError(err).message}`);
    }
  }
}
