/**
 * Labels to print: the API draws an A4 sheet (24 labels a page, pages stacked in one SVG) for the
 * chosen skus; it is shown here as an image and printed with the browser's print dialog. The
 * print stylesheet (here and in styles.css, "Products: label sheet") leaves only the sheet on
 * paper, at its real size, with no page margins.
 */
import {
  ChangeDetectionStrategy,
  Component,
  inject,
  input,
  type OnDestroy,
  type OnInit,
  output,
  signal,
} from '@angular/core';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { okResponse } from './catalog-files';

@Component({
  selector: 'app-label-sheet',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="label-sheet" aria-labelledby="labels-title">
      <div class="screen-only head">
        <h2 id="labels-title">Labels for {{ skus().length }} {{ skus().length === 1 ? 'product' : 'products' }}</h2>
        <label for="labels-symbology">Barcode</label>
        <select id="labels-symbology" name="symbology" (change)="setSymbology($event)">
          <option value="code128">Code 128 (sku)</option>
          <option value="qrcode">QR code (sku)</option>
          <option value="ean13">EAN-13 (barcode)</option>
        </select>
        <button type="button" (click)="print()" [disabled]="!url()">Print</button>
        <button type="button" class="secondary" (click)="closed.emit()">Close</button>
      </div>
      @if (error()) {
        <p class="error screen-only" role="alert">{{ error() }}</p>
      }
      @if (url(); as src) {
        <img class="sheet" [src]="src" [alt]="'Label sheet: ' + skus().join(', ')" />
      } @else if (!error()) {
        <p class="screen-only" role="status">Drawing labels…</p>
      }
    </section>
  `,
  styles: `
    .head { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin-bottom: 0.5rem; }
    h2 { font-size: 1.15rem; margin: 0 auto 0 0; }
    label { font-weight: 600; }
    .secondary { background: var(--surface); color: var(--text); }
    .sheet { display: block; width: 100%; max-width: 210mm; border: 1px solid var(--line); background: #fff; }
    /* Only while a sheet is open (Angular removes a component's styles with its last instance). */
    @page { size: A4; margin: 0; }
    @media print {
      .screen-only { display: none; }
      .sheet { width: 210mm; max-width: none; border: 0; }
    }
  `,
})
export class LabelSheet implements OnInit, OnDestroy {
  private readonly session = inject(ApiSession);
  readonly skus = input.required<readonly string[]>();
  readonly closed = output();
  protected readonly url = signal<string | undefined>(undefined);
  protected readonly error = signal('');
  private symbology = 'code128';

  ngOnInit(): void {
    void this.draw();
  }

  ngOnDestroy(): void {
    this.forget();
  }

  protected setSymbology(event: Event): void {
    this.symbology = (event.target as HTMLSelectElement).value;
    void this.draw();
  }

  protected print(): void {
    window.print();
  }

  private async draw(): Promise<void> {
    this.forget();
    this.error.set('');
    try {
      const response = await okResponse(this.session, '/api/products/labels', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ skus: this.skus(), symbology: this.symbology }),
      });
      this.url.set(URL.createObjectURL(await response.blob()));
    } catch (err) {
      this.error.set(readableError(err).message);
    }
  }

  private forget(): void {
    const old = this.url();
    if (old) URL.revokeObjectURL(old);
    this.url.set(undefined);
  }
}
