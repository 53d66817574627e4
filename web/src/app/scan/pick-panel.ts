/**
 * Pick: choose an order waiting in this warehouse, scan its items off the shelf, ship what was
 * scanned (POST /api/orders/:id/ship with those lines; the rest stays to ship later). Shipping
 * takes no Idempotency-Key, so unlike counts and receipts it is sent online only.
 */
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { onEachScan, type Scan, type ScanWarehouse } from './scan-context';

type Order = components['schemas']['Order'];

interface PickLine {
  sku: string;
  toPick: number;
  picked: number;
}

@Component({
  selector: 'app-pick-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="pick-title">
      <h2 id="pick-title">Pick in {{ warehouse().code }}</h2>
      <label class="field">
        <span>Order</span>
        <select name="order" (change)="choose($event)">
          <option value="">Choose an order…</option>
          @for (o of orders(); track o.id) {
            <option [value]="o.id" [selected]="o.id === order()?.id">
              {{ o.externalRef ?? o.id.slice(0, 8) }} · {{ o.lines.length }} lines · {{ o.status }}
            </option>
          }
        </select>
      </label>
      @if (order()) {
        <table>
          <thead><tr><th scope="col">SKU</th><th scope="col" class="num">To pick</th><th scope="col" class="num">Scanned</th></tr></thead>
          <tbody>
            @for (line of lines(); track line.sku) {
              <tr [attr.data-sku]="line.sku"><td>{{ line.sku }}</td><td class="num">{{ line.toPick }}</td><td class="num">{{ line.picked }}</td></tr>
            }
          </tbody>
        </table>
        <div class="actions">
          <button type="button" [disabled]="!online() || scanned() === 0 || busy()" (click)="ship()">Ship scanned ({{ scanned() }})</button>
        </div>
        @if (!online()) {
          <p class="muted">Shipping needs a connection.</p>
        }
      }
      @if (message(); as text) {
        <p [class]="failed() ? 'problem' : 'done'" role="status">{{ text }}</p>
      }
    </section>
  `,
  styleUrl: './scan-panel.css',
})
export class PickPanel {
  private readonly session = inject(ApiSession);
  readonly scan = input<Scan | undefined>();
  readonly warehouse = input.required<ScanWarehouse>();
  readonly online = input(true);
  protected readonly orders = signal<readonly Order[]>([]);
  protected readonly order = signal<Order | undefined>(undefined);
  protected readonly lines = signal<readonly PickLine[]>([]);
  protected readonly message = signal('');
  protected readonly failed = signal(false);
  protected readonly busy = signal(false);
  protected readonly scanned = computed(() => this.lines().reduce((sum, l) => sum + l.picked, 0));

  constructor() {
    effect(() => {
      const warehouseId = this.warehouse().id;
      untracked(() => void this.loadOrders(warehouseId));
    });
    onEachScan(this.scan, (scan) => this.pick(scan.product.sku));
  }

  private async loadOrders(warehouseId: string): Promise<void> {
    try {
      const lists = await Promise.all(
        (['confirmed', 'partially_shipped'] as const).map((status) =>
          this.session.api((c) =>
            c.GET('/api/orders', { params: { query: { warehouseId, status, limit: 100 } } }),
          ),
        ),
      );
      this.orders.set(lists.flatMap(({ data }) => data.items));
    } catch (err) {
      this.say(`Orders not loaded: ${readableError(err).message}`, true);
    }
  }

  protected choose(event: Event): void {
    const order = this.orders().find((o) => o.id === (event.target as HTMLSelectElement).value);
    this.order.set(order);
    this.lines.set(
      (order?.lines ?? [])
        .map((l) => ({ sku: l.sku, toPick: l.qty - l.shipped, picked: 0 }))
        .filter((l) => l.toPick > 0),
    );
    this.message.set('');
  }

  private pick(sku: string): void {
    const problem = this.whyNotPick(sku);
    if (problem) {
      this.say(problem, true);
      return;
    }
    this.lines.update((lines) =>
      lines.map((l) => (l.sku.toLowerCase() === sku.toLowerCase() ? { ...l, picked: l.picked + 1 } : l)),
    );
    this.message.set('');
  }

  private whyNotPick(sku: string): string | undefined {
    if (!this.order()) return 'Choose an order first.';
    const line = this.lines().find((l) => l.sku.toLowerCase() === sku.toLowerCase());
    if (!line) return `${sku} is not on this order.`;
    if (line.picked >= line.toPick) return `All ${line.toPick} of ${sku} are scanned already.`;
    return undefined;
  }

  protected async ship(): Promise<void> {
    const order = this.order();
    if (!order) return;
    const lines = this.lines()
      .filter((l) => l.picked > 0)
      .map((l) => ({ sku: l.sku, qty: l.picked }));
    this.busy.set(true);
    try {
      const { data } = await this.session.api((c) =>
        c.POST('/api/orders/{id}/ship', { params: { path: { id: order.id } }, body: { lines } }),
      );
      this.say(
        `Shipped ${lines.reduce((s, l) => s + l.qty, 0)} items; the order is ${data.status.replace('_', ' ')}.`,
        false,
      );
      this.order.set(undefined);
      this.lines.set([]);
      await this.loadOrders(this.warehouse().id);
    } catch (err) {
      this.say(`Not shipped: ${readableError(err).message}`, true);
    } finally {
      this.busy.set(false);
    }
  }

  private say(text: string, failed: boolean): void {
    this.message.set(text);
    this.failed.set(failed);
  }
}
