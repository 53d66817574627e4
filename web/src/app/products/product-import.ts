/**
 * CSV import: the chosen file goes to POST /api/products/import in parts (csv-import.ts), with a
 * progress bar of the lines sent, then what was created, updated and refused, each refused line
 * by its number in the file. Emits `imported` so the list reloads.
 */
import {
  ChangeDetectionStrategy,
  Component,
  type ElementRef,
  inject,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { okResponse } from './catalog-files';
import { addPartSummary, emptySummary, type ImportSummary, importProgress, planImport } from './csv-import';

@Component({
  selector: 'app-product-import',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="import" (submit)="submit($event)" aria-labelledby="import-title">
      <h2 id="import-title">Import products from CSV</h2>
      <p class="hint">
        Columns: sku, name, description, barcode, category, unit, price, cost, currency, attributes,
        archived (a header row first). Existing skus are updated.
      </p>
      <div class="row">
        <label for="import-file">CSV file</label>
        <input #file id="import-file" name="file" type="file" accept=".csv,text/csv" required />
        <button type="submit" [disabled]="busy()">{{ busy() ? 'Importing…' : 'Import' }}</button>
      </div>
      @if (progress(); as p) {
        <div class="progress">
          <progress max="1" [value]="p.fraction" aria-label="Import progress"></progress>
          <span role="status">{{ p.label }}{{ busy() ? '' : ' imported' }}</span>
        </div>
      }
      @if (error()) {
        <p class="error" role="alert">{{ error() }}</p>
      }
      @if (summary(); as s) {
        <p class="summary" role="status">
          Created {{ s.created }}, updated {{ s.updated }}, unchanged {{ s.unchanged }}.
          @if (s.failedCount > 0) {
            <strong>{{ s.failedCount }} {{ s.failedCount === 1 ? 'line was' : 'lines were' }} refused.</strong>
          }
        </p>
        @if (s.failed.length > 0) {
          <ol class="failed" aria-label="Refused lines">
            @for (f of s.failed; track f.line) {
              <li><span class="line">Line {{ f.line }}</span>: {{ f.message }}</li>
            }
          </ol>
          @if (s.failedCount > s.failed.length) {
            <p class="hint">The first {{ s.failed.length }} are listed.</p>
          }
        }
      }
    </form>
  `,
  styles: `
    .import { display: grid; gap: 0.5rem; }
    h2 { font-size: 1.15rem; margin: 0; }
    .hint { margin: 0; color: var(--muted); font-size: 0.9rem; }
    .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
    label { font-weight: 600; }
    input[type='file'] { max-width: 100%; }
    .progress { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
    progress { flex: 1 1 12rem; height: 1rem; }
    .summary { margin: 0; }
    .failed { margin: 0; padding-left: 1.5rem; max-height: 16rem; overflow-y: auto; overflow-wrap: anywhere; }
    .line { font-weight: 600; font-variant-numeric: tabular-nums; }
  `,
})
export class ProductImport {
  private readonly session = inject(ApiSession);
  readonly imported = output<ImportSummary>();
  private readonly fileInput = viewChild<ElementRef<HTMLInputElement>>('file');
  protected readonly busy = signal(false);
  protected readonly progress = signal<{ label: string; fraction: number } | undefined>(undefined);
  protected readonly summary = signal<ImportSummary | undefined>(undefined);
  protected readonly error = signal('');

  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const file = this.fileInput()?.nativeElement.files?.[0];
    if (!file || file.size === 0) {
      this.error.set('Choose a CSV file first.');
      return;
    }
    this.busy.set(true);
    this.error.set('');
    this.summary.set(undefined);
    try {
      this.summary.set(await this.send(await file.text()));
      this.imported.emit(this.summary() ?? emptySummary());
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.busy.set(false);
    }
  }

  /** Sends the parts one after another (each is applied in its own transactions), counting lines. */
  private async send(text: string): Promise<ImportSummary> {
    const plan = planImport(text);
    let total = emptySummary();
    let sent = 0;
    this.progress.set(importProgress(0, plan.records));
    for (const part of plan.parts) {
      const response = await okResponse(this.session, '/api/products/import', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: part.body,
      });
      total = addPartSummary(total, part, (await response.json()) as ImportSummary);
      sent += part.records;
      this.progress.set(importProgress(sent, plan.records));
      this.summary.set(total);
    }
    return total;
  }
}
