/**
 * /purchasing: the purchase orders (filtered by status and warehouse) and the vendors, with the
 * ways in to drafting an order, adding a vendor and the replenishment suggestions, each offered
 * only to a role that may use it.
 */
import { ChangeDetectionStrategy, Component, effect, inject, signal, untracked } from '@angular/core';
import { RouterLink } from '@angular/router';
import { whenLabel } from '../admin/access';
import { ApiSession } from '../api/api-session';
import { PagedList } from '../api/paged-list';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import {
  PURCHASE_ORDER_STATUSES,
  type PurchaseOrder,
  type PurchaseOrderStatus,
  shortId,
  statusLabel,
} from './purchase-order-lines';
import { Vendors } from './vendors';

@Component({
  selector: 'app-purchasing-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './purchasing.page.html',
})
export class PurchasingPage {
  protected readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  protected readonly vendors = inject(Vendors);
  protected readonly statuses = PURCHASE_ORDER_STATUSES;
  protected readonly status = signal<PurchaseOrderStatus | ''>('');
  protected readonly warehouseId = signal('');
  protected readonly orders = new PagedList<PurchaseOrder>(async (cursor) => {
    const status = this.status();
    const warehouseId = this.warehouseId();
    const query = {
      limit: 50,
      ...(status ? { status } : {}),
      ...(warehouseId ? { warehouseId } : {}),
      ...(cursor ? { cursor } : {}),
    };
    const { data } = await this.session.api((c) => c.GET('/api/purchase-orders', { params: { query } }));
    return data;
  });
  protected readonly vendorError = signal('');
  protected readonly statusLabel = statusLabel;
  protected readonly shortId = shortId;
  protected readonly whenLabel = whenLabel;

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    void this.vendors.load().catch((err: unknown) => this.vendorError.set(readableError(err).message));
    effect(() => {
      this.status();
      this.warehouseId();
      untracked(() => void this.orders.reload());
    });
  }

  protected warehouseCode(id: string): string {
    return this.warehouses.list().find((w) => w.id === id)?.code ?? shortId(id);
  }

  protected units(order: PurchaseOrder): string {
    const ordered = order.lines.reduce((sum, l) => sum + l.qty, 0);
    const received = order.lines.reduce((sum, l) => sum + l.received, 0);
    return `${received} of ${ordered}`;
  }
}
