/**
 * Requesting a transfer: from and to warehouse and the lines. Its stock is reserved at the
 * source when the API accepts it; a shortage comes back as 409 out-of-stock, shown in words.
 * One Idempotency-Key per filled-in form, so a retried submit cannot request it twice.
 */
import { ChangeDetectionStrategy, Component, inject, output, signal } from '@angular/core';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { checkSkuLines, type DraftLine } from '../forms/quantity-lines';
import { SkuLinesEditor } from '../forms/sku-lines-editor';
import type { Transfer } from './transfer-steps';

const emptyRows = (): DraftLine[] => [{ sku: '', qty: '' }];

@Component({
  selector: 'app-transfer-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SkuLinesEditor],
  template: `
    <form class="transfer-form" (submit)="submit($event)" novalidate aria-labelledby="new-transfer">
      <h2 id="new-transfer">New transfer</h2>
      <div class="controls">
        <label class="field">
          <span>From warehouse</span>
          <select name="fromWarehouseId" [value]="from()" (change)="from.set(value($event))"
                  [attr.aria-invalid]="fieldErrors()['fromWarehouseId'] ? true : null">
            <option value="">Choose…</option>
            @for (w of warehouses.list(); track w.id) {
              <option [value]="w.id">{{ w.code }} · {{ w.name }}</option>
            }
          </select>
        </label>
        <label class="field">
          <span>To warehouse</span>
          <select name="toWarehouseId" [value]="to()" (change)="to.set(value($event))"
                  [attr.aria-invalid]="fieldErrors()['toWarehouseId'] ? true : null">
            <option value="">Choose…</option>
            @for (w of warehouses.list(); track w.id) {
              <option [value]="w.id">{{ w.code }} · {{ w.name }}</option>
            }
          </select>
        </label>
      </div>
      <app-sku-lines-editor [(rows)]="rows" [errors]="fieldErrors()" caption="Transfer lines" />
      <div class="actions">
        <button type="submit" [disabled]="busy()">Request transfer</button>
      </div>
      <p class="error" role="alert">{{ error() }}</p>
    </form>
  `,
  styleUrl: '../forms/work-screen.css',
  styles: `.transfer-form { border: 1px solid var(--line); background: var(--surface); padding: 0 1rem 0.5rem; border-radius: 6px; }`,
})
export class TransferForm {
  private readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  readonly created = output<Transfer>();
  protected readonly from = signal('');
  protected readonly to = signal('');
  protected readonly rows = signal<DraftLine[]>(emptyRows());
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly fieldErrors = signal<Record<string, string>>({});
  private idempotencyKey = crypto.randomUUID();

  protected value(event: Event): string {
    return (event.target as HTMLSelectElement).value;
  }

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const checked = checkSkuLines(this.rows(), { min: 1 });
    const errors: Record<string, string> = { ...checked.errors };
    if (!this.from()) errors.fromWarehouseId = 'Choose the warehouse to send from.';
    if (!this.to()) errors.toWarehouseId = 'Choose the warehouse to send to.';
    this.fieldErrors.set(errors);
    if (Object.keys(errors).length > 0) {
      this.error.set(Object.values(errors)[0] ?? '');
      return;
    }
    this.busy.set(true);
    this.error.set('');
    try {
      const body = { fromWarehouseId: this.from(), toWarehouseId: this.to(), lines: checked.lines };
      const { data } = await this.session.api((c) =>
        c.POST('/api/transfers', { body, params: { header: { 'idempotency-key': this.idempotencyKey } } }),
      );
      this.rows.set(emptyRows());
      this.idempotencyKey = crypto.randomUUID();
      this.created.emit(data);
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      this.fieldErrors.set(readable.fields);
      // A refusal is final for this body, so a corrected form is a new request; only a request
      // that may not have arrived (no answer) is retried under the same key.
      if (!(err instanceof TypeError)) this.idempotencyKey = crypto.randomUUID();
    } finally {
      this.busy.set(false);
    }
  }
}
