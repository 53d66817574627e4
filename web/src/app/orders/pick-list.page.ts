/**
 * The pick list of an order (/orders/:id/pick): what is still to be picked, per warehouse, with
 * a box to tick on paper. Printing it puts only the list on the page (the app's frame and
 * this page's buttons stay on screen; see "Print" in styles.css).
 */
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { type Order, pickList, statusLabel } from './order-steps';

@Component({
  selector: 'app-pick-list-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  host: { class: 'print-sheet' },
  template: `
    <main class="page">
      <p class="muted no-print"><a [routerLink]="['/orders', id()]">← Back to the order</a></p>
      <header class="page-head">
        <h1>Pick list · order <span class="mono">{{ id().slice(0, 8) }}</span></h1>
        <button type="button" class="no-print" (click)="print()">Print</button>
      </header>
      <p class="error" role="alert">{{ error() }}</p>
      @if (order(); as o) {
        <p>{{ label(o.status) }} · placed {{ o.createdAt.slice(0, 10) }}{{ o.externalRef ? ' · ' + o.externalRef : '' }}</p>
        @for (group of groups(); track group.warehouseId) {
          <section class="pick-group">
            <h2 [id]="'pick-' + group.warehouseId">{{ warehouseName(group.warehouseId) }}</h2>
            <table [attr.aria-labelledby]="'pick-' + group.warehouseId">
              <thead>
                <tr>
                  <th scope="col">Sku</th>
                  <th scope="col" class="num">Pick</th>
                  <th scope="col" class="tick">Picked</th>
                </tr>
              </thead>
              <tbody>
                @for (line of group.lines; track line.sku) {
                  <tr [attr.data-sku]="line.sku">
                    <td class="mono">{{ line.sku }}</td>
                    <td class="num">{{ line.qty }}</td>
                    <td class="tick"><span class="box" aria-hidden="true"></span></td>
                  </tr>
                }
              </tbody>
            </table>
          </section>
        } @empty {
          <p class="empty">Nothing is left to pick on this order.</p>
        }
      } @else if (!error()) {
        <p class="empty">Loading the order…</p>
      }
    </main>
  `,
  styleUrl: '../forms/work-screen.css',
  styles: `
    .tick { width: 5rem; text-align: center; }
    .box { display: inline-block; width: 1rem; height: 1rem; border: 2px solid var(--text); }
    @media print {
      .page { padding: 0; max-width: none; }
      .no-print { display: none; }
      table, th, td { border-color: #000; }
      th { background: none; }
      .pick-group { break-inside: avoid; }
    }
  `,
})
export class PickListPage {
  private readonly session = inject(ApiSession);
  private readonly warehouses = inject(Warehouses);
  /** The route's :id. */
  readonly id = input.required<string>();
  protected readonly order = signal<Order | undefined>(undefined);
  protected readonly error = signal('');
  protected readonly label = statusLabel;
  protected readonly groups = computed(() => {
    const order = this.order();
    return order ? pickList(order) : [];
  });

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    effect(() => {
      void this.load(this.id());
    });
  }

  protected warehouseName(id: string): string {
    const warehouse = this.warehouses.list().find((w) => w.id === id);
    return warehouse ? `${warehouse.code} · ${warehouse.name}` : id;
  }

  protected print(): void {
    globalThis.print();
  }

  private async load(id: string): Promise<void> {
    try {
      const { data } = await this.session.api((c) => c.GET('/api/orders/{id}', { params: { path: { id } } }));
      this.order.set(data);
    } catch (err) {
      this.error.set(readableError(err).message);
    }
  }
}
