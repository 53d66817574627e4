/**
 * /purchasing/orders/new: a draft purchase order for one vendor and one warehouse. Sent with an
 * Idempotency-Key kept until it succeeds, so pressing Create again after a lost answer drafts
 * it once; then on to the draft's own page.
 */
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { LineEditor } from './line-editor';
import { emptyLine, type LineDraft, requestLines } from './purchase-order-lines';
import { Vendors } from './vendors';

@Component({
  selector: 'app-new-purchase-order-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LineEditor],
  template: `
    <main class="screen">
      <h1>New purchase order</h1>
      <form class="form-grid" (submit)="create($event)" novalidate>
        <label>
          Vendor
          <select name="vendorId" required [attr.aria-invalid]="errors()['vendorId'] ? true : null">
            <option value="">Choose a vendor</option>
            @for (v of activeVendors(); track v.id) {
              <option [value]="v.id">{{ v.name }} ({{ v.currency }}, {{ v.leadTimeDays }} days)</option>
            }
          </select>
          @if (errors()['vendorId']; as message) { <span class="field-error">{{ message }}</span> }
        </label>
        <label>
          Warehouse
          <select name="warehouseId" required [attr.aria-invalid]="errors()['warehouseId'] ? true : null">
            @for (w of warehouses.list(); track w.id) {
              <option [value]="w.id">{{ w.code }} · {{ w.name }}</option>
            }
          </select>
          @if (errors()['warehouseId']; as message) { <span class="field-error">{{ message }}</span> }
        </label>
        <app-line-editor [(lines)]="lines" [errors]="errors()" />
        <label>
          Note
          <textarea name="note" rows="2"></textarea>
        </label>
        <div class="actions"><button type="submit" [disabled]="busy()">Create draft</button></div>
        <p class="error" role="alert">{{ error() }}</p>
      </form>
    </main>
  `,
})
export class NewPurchaseOrderPage {
  private readonly session = inject(ApiSession);
  private readonly router = inject(Router);
  protected readonly warehouses = inject(Warehouses);
  private readonly vendors = inject(Vendors);
  protected readonly activeVendors = computed(() => this.vendors.list().filter((v) => v.active));
  protected readonly lines = signal<LineDraft[]>([emptyLine()]);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  /** One key per purchase order being drafted: a retry of the same one is not a second order. */
  private idempotencyKey = crypto.randomUUID();

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    void this.vendors.load().catch((err: unknown) => this.error.set(readableError(err).message));
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const { lines, errors } = requestLines(this.lines());
    this.errors.set(errors);
    this.error.set('');
    if (Object.keys(errors).length > 0) return;
    this.busy.set(true);
    try {
      const note = String(form.get('note') ?? '').trim();
      const { data } = await this.session.api((c) =>
        c.POST('/api/purchase-orders', {
          params: { header: { 'idempotency-key': this.idempotencyKey } },
          body: {
            vendorId: String(form.get('vendorId') ?? ''),
            warehouseId: String(form.get('warehouseId') ?? ''),
            lines,
            ...(note ? { note } : {}),
          },
        }),
      );
      this.idempotencyKey = crypto.randomUUID();
      await this.router.navigate(['/purchasing/orders', data.id]);
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      this.errors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }
}
