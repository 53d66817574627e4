/**
 * Orders (/orders): the list the API gives, filtered by status and warehouse (kept in the
 * address, so a filtered list can be bookmarked), a page at a time.
 */
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import {
  type Order,
  type OrderStatus,
  orderStatuses,
  orderUnits,
  orderWarehouses,
  statusLabel,
} from './order-steps';

const PAGE_SIZE = 25;

@Component({
  selector: 'app-orders-list-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  template: `
    <main class="page">
      <header class="page-head"><h1>Orders</h1></header>
      <form class="controls" role="search" aria-label="Filter orders" (submit)="$event.preventDefault()">
        <div class="field">
          <label for="orders-status">Status</label>
          <select id="orders-status" name="status" (change)="filter('status', $event)">
            <option value="" [selected]="!status()">Any status</option>
            @for (s of statuses; track s) {
              <option [value]="s" [selected]="s === status()">{{ label(s) }}</option>
            }
          </select>
        </div>
        <div class="field">
          <label for="orders-warehouse">Warehouse</label>
          <select id="orders-warehouse" name="warehouseId" (change)="filter('warehouseId', $event)">
            <option value="" [selected]="!warehouseId()">Every warehouse</option>
            @for (w of warehouses.list(); track w.id) {
              <option [value]="w.id" [selected]="w.id === warehouseId()">{{ w.code }} · {{ w.name }}</option>
            }
          </select>
        </div>
      </form>
      <p class="error" role="alert">{{ error() }}</p>
      <table aria-label="Orders">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Units</th>
            <th scope="col" class="wide">Warehouses</th>
            <th scope="col" class="wide">Reference</th>
            <th scope="col" class="wide">Placed</th>
          </tr>
        </thead>
        <tbody>
          @for (order of orders(); track order.id) {
            <tr [attr.data-order]="order.id">
              <td class="mono"><a [routerLink]="['/orders', order.id]">{{ order.id.slice(0, 8) }}</a></td>
              <td><span class="status">{{ label(order.status) }}</span></td>
              <td class="num">{{ units(order) }}</td>
              <td class="wide">{{ warehouseCodes(order) }}</td>
              <td class="wide">{{ order.externalRef ?? '' }}{{ order.channel ? ' (' + order.channel + ')' : '' }}</td>
              <td class="wide">{{ order.createdAt.slice(0, 16).replace('T', ' ') }}</td>
            </tr>
          } @empty {
            <tr><td colspan="6" class="empty">{{ loading() ? 'Loading orders…' : 'No order matches.' }}</td></tr>
          }
        </tbody>
      </table>
      <nav class="actions" aria-label="Pages">
        @if (cursor()) {
          <a [routerLink]="[]" [queryParams]="{ cursor: null }" queryParamsHandling="merge">First page</a>
        }
        @if (nextCursor(); as next) {
          <a [routerLink]="[]" [queryParams]="{ cursor: next }" queryParamsHandling="merge">Next page</a>
        }
      </nav>
    </main>
  `,
  styleUrl: '../forms/work-screen.css',
})
export class OrdersListPage {
  private readonly session = inject(ApiSession);
  private readonly router = inject(Router);
  protected readonly warehouses = inject(Warehouses);
  /** Query parameters (bound by the router). */
  readonly status = input<string>();
  readonly warehouseId = input<string>();
  readonly cursor = input<string>();

  protected readonly statuses = orderStatuses;
  protected readonly label = statusLabel;
  protected readonly units = orderUnits;
  protected readonly orders = signal<readonly Order[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  private readonly codes = computed(() => new Map(this.warehouses.list().map((w) => [w.id, w.code])));

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    effect(() => {
      void this.load(this.status(), this.warehouseId(), this.cursor());
    });
  }

  protected warehouseCodes(order: Order): string {
    return orderWarehouses(order)
      .map((id) => this.codes().get(id) ?? id.slice(0, 8))
      .join(', ');
  }

  /** A filter change starts again from the first page. */
  protected filter(name: 'status' | 'warehouseId', event: Event): void {
    const value = (event.target as HTMLSelectElement).value || null;
    void this.router.navigate([], {
      queryParams: { [name]: value, cursor: null },
      queryParamsHandling: 'merge',
    });
  }

  /** Only the latest request's answer is shown (filters change faster than answers come). */
  private latest = 0;

  private async load(
    status: string | undefined,
    warehouseId: string | undefined,
    cursor: string | undefined,
  ) {
    const request = ++this.latest;
    this.loading.set(true);
    this.error.set('');
    try {
      const query = {
        limit: PAGE_SIZE,
        ...(status ? { status: status as OrderStatus } : {}),
        ...(warehouseId ? { warehouseId } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const { data } = await this.session.api((c) => c.GET('/api/orders', { params: { query } }));
      if (request !== this.latest) return;
      this.orders.set(data.items);
      this.nextCursor.set(data.nextCursor ?? null);
    } catch (err) {
      if (request !== this.latest) return;
      this.orders.set([]);
      this.nextCursor.set(null);
      this.error.set(readableError(err).message);
    } finally {
      if (request === this.latest) this.loading.set(false);
    }
  }
}
