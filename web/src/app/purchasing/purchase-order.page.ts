/**
 * /purchasing/orders/:id: one purchase order. While draft its lines are edited with the ETag it
 * was read at (If-Match), so an edit made meanwhile by someone else is shown as a conflict
 * instead of being overwritten; then submit, cancel, receive goods line by line (each receipt
 * with its own Idempotency-Key, kept until it succeeds so a retry never counts twice) and close
 * a partly received order short.
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
import { RouterLink } from '@angular/router';
import { ProblemError } from '@varastokkr/client';
import { whenLabel } from '../admin/access';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { LineEditor } from './line-editor';
import {
  actionsFor,
  draftsOf,
  type LineDraft,
  moneyLabel,
  outstanding,
  type PurchaseOrder,
  receiptLines,
  requestLines,
  shortId,
  statusLabel,
} from './purchase-order-lines';
import { Vendors } from './vendors';

/** A state change of the order, each its own POST. */
type Step = 'submit' | 'cancel' | 'close';
const stepDone: Record<Step, string> = {
  submit: 'Submitted to the vendor.',
  cancel: 'Cancelled.',
  close: 'Closed short: nothing more is expected.',
};

@Component({
  selector: 'app-purchase-order-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, LineEditor],
  templateUrl: './purchase-order.page.html',
})
export class PurchaseOrderPage {
  private readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  protected readonly vendors = inject(Vendors);
  /** The route's :id. */
  readonly id = input.required<string>();
  protected readonly order = signal<PurchaseOrder | undefined>(undefined);
  /** The version the screen shows, sent as If-Match with an edit. */
  private etag = '';
  protected readonly drafts = signal<LineDraft[]>([]);
  protected readonly lineErrors = signal<Record<string, string>>({});
  protected readonly conflict = signal(false);
  protected readonly quantities = signal<Record<string, string>>({});
  /** The key of the receipt being entered; a new one only after it was booked. */
  private receiptKey = crypto.randomUUID();
  protected readonly error = signal('');
  protected readonly notice = signal('');
  protected readonly busy = signal(false);

  protected readonly actions = computed(() => {
    const order = this.order();
    return order ? actionsFor(order.status, (a) => this.session.can(a)) : undefined;
  });
  protected readonly statusLabel = statusLabel;
  protected readonly shortId = shortId;
  protected readonly whenLabel = whenLabel;
  protected readonly moneyLabel = moneyLabel;
  protected readonly outstanding = outstanding;

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    void this.vendors.load().catch(() => undefined);
    effect(() => {
      const id = this.id();
      untracked(() => void this.load(id));
    });
  }

  protected async load(id = this.id()): Promise<void> {
    try {
      const { data, response } = await this.session.api((c) =>
        c.GET('/api/purchase-orders/{id}', { params: { path: { id } } }),
      );
      this.show(data, response);
      this.conflict.set(false);
      this.lineErrors.set({});
    } catch (err) {
      this.error.set(readableError(err).message);
    }
  }

  /** A fresh copy from the API: the screen, its version and the draft's rows follow it. */
  private show(order: PurchaseOrder, response: Response): void {
    this.order.set(order);
    this.etag = response.headers.get('etag') ?? `"${order.version}"`;
    this.drafts.set(draftsOf(order.lines));
  }

  protected async saveLines(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const { lines, errors } = requestLines(this.drafts());
    this.lineErrors.set(errors);
    if (Object.keys(errors).length > 0) return;
    await this.run(
      (id) =>
        this.session.api((c) =>
          c.PATCH('/api/purchase-orders/{id}', {
            params: { path: { id }, header: { 'if-match': this.etag } },
            body: { lines },
          }),
        ),
      'Lines saved.',
    );
  }

  protected async step(step: Step): Promise<void> {
    if (
      step !== 'submit' &&
      !confirm(
        step === 'cancel'
          ? 'Cancel this purchase order?'
          : 'Close it short? Nothing more will be received on it.',
      )
    )
      return;
    await this.run((id) => {
      const params = { params: { path: { id } } };
      if (step === 'submit')
        return this.session.api((c) => c.POST('/api/purchase-orders/{id}/submit', params));
      if (step === 'cancel')
        return this.session.api((c) => c.POST('/api/purchase-orders/{id}/cancel', params));
      return this.session.api((c) => c.POST('/api/purchase-orders/{id}/close', params));
    }, stepDone[step]);
  }

  protected setQuantity(sku: string, value: string): void {
    this.quantities.set({ ...this.quantities(), [sku]: value });
  }

  protected async receive(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const lines = receiptLines(this.quantities());
    if (lines.length === 0) {
      this.error.set('Enter the quantity that arrived on at least one line.');
      return;
    }
    const booked = await this.run(
      (id) =>
        this.session.api((c) =>
          c.POST('/api/purchase-orders/{id}/receive', {
            params: { path: { id }, header: { 'idempotency-key': this.receiptKey } },
            body: { lines },
          }),
        ),
      `Received ${lines.reduce((sum, l) => sum + l.qty, 0)} units into stock.`,
    );
    if (booked) {
      this.receiptKey = crypto.randomUUID();
      this.quantities.set({});
    }
  }

  /** One change: busy while it runs, the answer shown (and its ETag kept), a refusal in words. */
  private async run(
    call: (id: string) => Promise<{ data: PurchaseOrder; response: Response }>,
    done: string,
  ): Promise<boolean> {
    this.busy.set(true);
    this.error.set('');
    this.notice.set('');
    try {
      const { data, response } = await call(this.id());
      this.show(data, response);
      this.lineErrors.set({});
      this.notice.set(done);
      return true;
    } catch (err) {
      if (err instanceof ProblemError && err.status === 412) this.conflict.set(true);
      else {
        const readable = readableError(err);
        this.error.set(readable.message);
        this.lineErrors.set(readable.fields);
      }
      return false;
    } finally {
      this.busy.set(false);
    }
  }

  protected warehouseName(id: string): string {
    const w = this.warehouses.list().find((x) => x.id === id);
    return w ? `${w.code} · ${w.name}` : shortId(id);
  }
}
