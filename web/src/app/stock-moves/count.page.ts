/**
 * A stock count in one warehouse (/warehouses/:id/counts): the skus counted and how many, sent
 * as one count (POST /api/inventory/counts); the API applies the differences as `count`
 * movements and answers with each line's variance, shown here.
 */
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { checkSkuLines, type DraftLine } from '../forms/quantity-lines';
import { SkuLinesEditor } from '../forms/sku-lines-editor';

type CountResult = components['schemas']['StockCountResult'];

const emptyRows = (): DraftLine[] => [{ sku: '', qty: '' }];

@Component({
  selector: 'app-count-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, SkuLinesEditor],
  template: `
    <main class="page">
      <p class="muted"><a [routerLink]="['/warehouses', id(), 'stock']">← Stock board</a></p>
      <header class="page-head">
        <h1>Count stock<span>{{ warehouse() ? ' · ' + warehouse()?.name : '' }}</span></h1>
        <a [routerLink]="['/warehouses', id(), 'adjust']">Adjust stock</a>
      </header>
      <p class="muted">Enter what is on the shelf; the difference to the books is booked as a count.</p>
      <form (submit)="submit($event)" novalidate aria-label="Count">
        <app-sku-lines-editor [(rows)]="rows" [errors]="fieldErrors()" qtyLabel="Counted" caption="Counted skus" />
        <div class="controls">
          <label class="field note">
            <span>Note (optional)</span>
            <input name="note" type="text" maxlength="1000" />
          </label>
        </div>
        <button type="submit" [disabled]="busy()">Submit count</button>
        <p class="error" role="alert">{{ error() }}</p>
      </form>
      @if (result(); as r) {
        <h2 id="count-result">Count booked</h2>
        <table aria-labelledby="count-result">
          <thead>
            <tr>
              <th scope="col">Sku</th>
              <th scope="col" class="num">Counted</th>
              <th scope="col" class="num">Before</th>
              <th scope="col" class="num">Variance</th>
            </tr>
          </thead>
          <tbody>
            @for (line of r.lines; track line.sku) {
              <tr [attr.data-sku]="line.sku">
                <td class="mono">{{ line.sku }}</td>
                <td class="num">{{ line.counted }}</td>
                <td class="num">{{ line.onHandBefore }}</td>
                <td class="num">{{ line.variance > 0 ? '+' : '' }}{{ line.variance }}</td>
              </tr>
            }
          </tbody>
        </table>
      }
    </main>
  `,
  styleUrl: '../forms/work-screen.css',
})
export class CountPage {
  private readonly session = inject(ApiSession);
  private readonly warehouses = inject(Warehouses);
  /** The route's :id. */
  readonly id = input.required<string>();
  protected readonly warehouse = computed(() => this.warehouses.list().find((w) => w.id === this.id()));
  protected readonly rows = signal<DraftLine[]>(emptyRows());
  protected readonly result = signal<CountResult | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly fieldErrors = signal<Record<string, string>>({});

  constructor() {
    void this.warehouses.load().catch(() => undefined);
  }

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const checked = checkSkuLines(this.rows(), { min: 0 });
    this.fieldErrors.set(checked.errors);
    if (Object.keys(checked.errors).length > 0) {
      this.error.set('Check the counted lines.');
      return;
    }
    const note = String(new FormData(form).get('note') ?? '').trim();
    const body = {
      warehouseId: this.id(),
      lines: checked.lines.map((l) => ({ sku: l.sku, counted: l.qty })),
      ...(note ? { note } : {}),
    };
    this.busy.set(true);
    this.error.set('');
    try {
      const { data } = await this.session.api((c) => c.POST('/api/inventory/counts', { body }));
      this.result.set(data);
      this.rows.set(emptyRows());
      form.reset();
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      // The API names `lines.0.counted`; the editor's field is the line's quantity.
      this.fieldErrors.set(
        Object.fromEntries(
          Object.entries(readable.fields).map(([path, m]) => [path.replace(/\.counted$/, '.qty'), m]),
        ),
      );
    } finally {
      this.busy.set(false);
    }
  }
}
