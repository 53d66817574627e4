/**
 * Adjusting stock in one warehouse (/warehouses/:id/adjust): a sku in or out with its reason
 * (received, damaged, lost, found, other), and the latest movements of the warehouse below.
 * Taking out what is reserved is the API's 409, shown in words.
 */
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { wholeNumber } from '../forms/quantity-lines';

type Movement = components['schemas']['Movement'];
type Reason = components['schemas']['Adjustment']['reason'];

/** Reasons a person picks here; `count` movements come from the count screen. */
const reasons: { value: Reason; label: string; direction: 'in' | 'out' | 'either' }[] = [
  { value: 'received', label: 'Received', direction: 'in' },
  { value: 'found', label: 'Found', direction: 'in' },
  { value: 'damaged', label: 'Damaged', direction: 'out' },
  { value: 'lost', label: 'Lost', direction: 'out' },
  { value: 'other', label: 'Other', direction: 'either' },
];

@Component({
  selector: 'app-adjust-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './adjust.page.html',
  styleUrl: '../forms/work-screen.css',
})
export class AdjustPage {
  private readonly session = inject(ApiSession);
  private readonly warehouses = inject(Warehouses);
  /** The route's :id. */
  readonly id = input.required<string>();
  protected readonly warehouse = computed(() => this.warehouses.list().find((w) => w.id === this.id()));
  protected readonly direction = signal<'in' | 'out'>('in');
  protected readonly reasons = computed(() =>
    reasons.filter((r) => r.direction === 'either' || r.direction === this.direction()),
  );
  protected readonly movements = signal<readonly Movement[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly done = signal('');
  protected readonly fieldErrors = signal<Record<string, string>>({});
  private idempotencyKey = crypto.randomUUID();

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    effect(() => {
      void this.loadMovements(this.id());
    });
  }

  protected setDirection(event: Event): void {
    this.direction.set((event.target as HTMLInputElement).value === 'out' ? 'out' : 'in');
  }

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const sku = String(data.get('sku') ?? '').trim();
    const qty = wholeNumber(String(data.get('qty') ?? ''), { min: 1, max: 1_000_000 });
    const errors: Record<string, string> = {};
    if (!sku) errors.sku = 'Enter a sku.';
    if ('error' in qty) errors.delta = qty.error;
    this.fieldErrors.set(errors);
    this.done.set('');
    if (Object.keys(errors).length > 0 || 'error' in qty) {
      this.error.set('Check the sku and the quantity.');
      return;
    }
    const delta = this.direction() === 'out' ? -qty.value : qty.value;
    const note = String(data.get('note') ?? '').trim();
    const body = {
      warehouseId: this.id(),
      sku,
      delta,
      reason: String(data.get('reason')) as Reason,
      ...(note ? { note } : {}),
    };
    this.busy.set(true);
    this.error.set('');
    try {
      const { data: movement } = await this.session.api((c) =>
        c.POST('/api/inventory/adjustments', {
          body,
          params: { header: { 'idempotency-key': this.idempotencyKey } },
        }),
      );
      this.idempotencyKey = crypto.randomUUID();
      this.done.set(`${movement.sku}: ${delta > 0 ? '+' : ''}${delta}, on hand now ${movement.onHandAfter}.`);
      form.reset();
      this.direction.set('in');
      void this.loadMovements(this.id());
    } catch (err) {
      if (!(err instanceof TypeError)) this.idempotencyKey = crypto.randomUUID();
      const readable = readableError(err);
      this.error.set(readable.message);
      this.fieldErrors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }

  private async loadMovements(warehouseId: string): Promise<void> {
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/inventory/movements', { params: { query: { warehouseId, limit: 10 } } }),
      );
      if (warehouseId === this.id()) this.movements.set(data.items);
    } catch {
      // The form works without the list; the stock board shows the levels.
    }
  }
}
