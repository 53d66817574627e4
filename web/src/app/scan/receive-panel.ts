/**
 * Receive: goods arriving. Against an open purchase order of this warehouse (scan its lines,
 * POST /api/purchase-orders/:id/receive), or, with no PO, a plain adjust in (one `received`
 * adjustment per product). Both go through the write queue with their Idempotency-Keys, so a
 * receipt made offline is sent once when the connection returns.
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
import { addScanned, type ScanLine, setQty } from './scan-lines';
import { ScanWrites } from './scan-writes';

type PurchaseOrder = components['schemas']['PurchaseOrder'];

/** No purchase order: stock comes in as adjustments. */
const NO_PO = 'adjust-in';

@Component({
  selector: 'app-receive-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="receive-title">
      <h2 id="receive-title">Receive in {{ warehouse().code }}</h2>
      <label class="field">
        <span>Purchase order</span>
        <select name="purchaseOrder" (change)="choose($event)">
          <option [value]="noPo" [selected]="!po()">No purchase order (adjust in)</option>
          @for (p of orders(); track p.id) {
            <option [value]="p.id" [selected]="p.id === po()?.id">{{ p.id.slice(0, 8) }} · {{ p.lines.length }} lines · {{ p.status.replace('_', ' ') }}</option>
          }
        </select>
      </label>
      @if (po(); as order) {
        <table>
          <thead><tr><th scope="col">SKU</th><th scope="col" class="num">Ordered</th><th scope="col" class="num">Received</th><th scope="col">Now</th></tr></thead>
          <tbody>
            @for (line of order.lines; track line.sku) {
              <tr [attr.data-sku]="line.sku">
                <td>{{ line.sku }}</td><td class="num">{{ line.qty }}</td><td class="num">{{ line.received }}</td>
                <td><input type="number" min="0" step="1" inputmode="numeric" [value]="qtyOf(line.sku)"
                           [attr.aria-label]="'Receiving now ' + line.sku" (change)="adjust(line.sku, $event)" /></td>
              </tr>
            }
          </tbody>
        </table>
      } @else if (lines().length > 0) {
        <table>
          <thead><tr><th scope="col">Product</th><th scope="col">Quantity</th></tr></thead>
          <tbody>
            @for (line of lines(); track line.sku) {
              <tr [attr.data-sku]="line.sku">
                <td><span class="name">{{ line.name }}</span> <span class="muted">{{ line.sku }}</span></td>
                <td><input type="number" min="0" step="1" inputmode="numeric" [value]="line.qty"
                           [attr.aria-label]="'Receiving ' + line.sku" (change)="adjust(line.sku, $event)" /></td>
              </tr>
            }
          </tbody>
        </table>
      } @else {
        <p class="muted">Scan each item as it comes in.</p>
      }
      @if (receiving() > 0) {
        <div class="actions">
          <button type="button" (click)="submit()">Receive {{ receiving() }}</button>
          <button type="button" class="secondary" (click)="lines.set([])">Discard</button>
        </div>
      }
      @if (message(); as text) {
        <p class="problem" role="alert">{{ text }}</p>
      }
    </section>
  `,
  styleUrl: './scan-panel.css',
})
export class ReceivePanel {
  private readonly session = inject(ApiSession);
  private readonly writes = inject(ScanWrites);
  readonly scan = input<Scan | undefined>();
  readonly warehouse = input.required<ScanWarehouse>();
  readonly online = input(true);
  protected readonly noPo = NO_PO;
  protected readonly orders = signal<readonly PurchaseOrder[]>([]);
  protected readonly po = signal<PurchaseOrder | undefined>(undefined);
  protected readonly lines = signal<readonly ScanLine[]>([]);
  protected readonly message = signal('');
  protected readonly receiving = computed(() => this.lines().reduce((sum, l) => sum + l.qty, 0));

  constructor() {
    effect(() => {
      const warehouseId = this.warehouse().id;
      if (this.online()) untracked(() => void this.loadOrders(warehouseId));
    });
    onEachScan(this.scan, (scan) => this.take(scan));
  }

  private async loadOrders(warehouseId: string): Promise<void> {
    try {
      const lists = await Promise.all(
        (['submitted', 'partially_received'] as const).map((status) =>
          this.session.api((c) =>
            c.GET('/api/purchase-orders', { params: { query: { warehouseId, status, limit: 100 } } }),
          ),
        ),
      );
      this.orders.set(lists.flatMap(({ data }) => data.items));
    } catch (err) {
      this.message.set(`Purchase orders not loaded: ${readableError(err).message}`);
    }
  }

  protected choose(event: Event): void {
    const id = (event.target as HTMLSelectElement).value;
    this.po.set(this.orders().find((p) => p.id === id));
    this.lines.set([]);
    this.message.set('');
  }

  protected qtyOf(sku: string): number {
    return this.lines().find((l) => l.sku === sku)?.qty ?? 0;
  }

  private take(scan: Scan): void {
    const po = this.po();
    const sku = po?.lines.find((l) => l.sku.toLowerCase() === scan.product.sku.toLowerCase())?.sku;
    if (po && !sku) {
      this.message.set(`${scan.product.sku} is not on this purchase order.`);
      return;
    }
    this.message.set('');
    this.lines.update((lines) => addScanned(lines, { ...scan.product, sku: sku ?? scan.product.sku }));
  }

  protected adjust(sku: string, event: Event): void {
    const qty = (event.target as HTMLInputElement).valueAsNumber;
    const known = this.lines().some((l) => l.sku === sku);
    const lines = known ? this.lines() : [...this.lines(), { sku, name: sku, qty: 0 }];
    this.lines.set(setQty(lines, sku, qty));
  }

  protected async submit(): Promise<void> {
    const lines = this.lines().filter((l) => l.qty > 0);
    const warehouse = this.warehouse();
    const po = this.po();
    if (po) {
      await this.writes.submit(
        {
          kind: 'receive',
          purchaseOrderId: po.id,
          body: { lines: lines.map(({ sku, qty }) => ({ sku, qty })) },
        },
        `Receipt of ${this.receiving()} on PO ${po.id.slice(0, 8)}`,
      );
    } else {
      for (const { sku, qty } of lines) {
        await this.writes.submit(
          { kind: 'adjust', body: { warehouseId: warehouse.id, sku, delta: qty, reason: 'received' } },
          `${qty} × ${sku} received in ${warehouse.code}`,
        );
      }
    }
    this.lines.set([]);
    this.po.set(undefined);
    // The PO's received quantities change once the receipt is in: show them fresh next time.
    if (po) await this.writes.flush().then(() => this.loadOrders(warehouse.id));
  }
}
