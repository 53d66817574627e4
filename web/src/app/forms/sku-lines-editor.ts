/**
 * Rows of sku and quantity (a transfer's lines, a count), with a row added on demand and each
 * field's error beside it (the paths are the API's: `lines.0.qty`).
 */
import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import type { DraftLine } from './quantity-lines';

@Component({
  selector: 'app-sku-lines-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <table [attr.aria-label]="caption()">
      <thead>
        <tr>
          <th scope="col">Sku</th>
          <th scope="col" class="num">{{ qtyLabel() }}</th>
          <th scope="col"><span class="visually-hidden">Remove</span></th>
        </tr>
      </thead>
      <tbody>
        @for (row of rows(); track $index; let i = $index) {
          <tr>
            <td>
              <input type="text" autocomplete="off" autocapitalize="characters" [value]="row.sku"
                     [attr.aria-label]="'Sku, line ' + (i + 1)" (input)="edit(i, 'sku', $event)"
                     [attr.aria-invalid]="errors()['lines.' + i + '.sku'] ? true : null" />
              @if (errors()['lines.' + i + '.sku']; as message) {
                <p class="field-error">{{ message }}</p>
              }
            </td>
            <td class="num">
              <input type="number" inputmode="numeric" min="0" [value]="row.qty"
                     [attr.aria-label]="qtyLabel() + ', line ' + (i + 1)" (input)="edit(i, 'qty', $event)"
                     [attr.aria-invalid]="errors()['lines.' + i + '.qty'] ? true : null" />
              @if (errors()['lines.' + i + '.qty']; as message) {
                <p class="field-error">{{ message }}</p>
              }
            </td>
            <td>
              @if (rows().length > 1) {
                <button type="button" class="secondary" (click)="remove(i)" [attr.aria-label]="'Remove line ' + (i + 1)">×</button>
              }
            </td>
          </tr>
        }
      </tbody>
    </table>
    @if (errors()['lines']; as message) {
      <p class="field-error">{{ message }}</p>
    }
    <button type="button" class="secondary add" (click)="add()">Add a line</button>
  `,
  styleUrl: './work-screen.css',
  styles: `
    td input[type="text"] { width: 100%; max-width: 16rem; }
    .add { margin-top: 0.5rem; }
  `,
})
export class SkuLinesEditor {
  readonly rows = model.required<DraftLine[]>();
  readonly errors = input<Record<string, string>>({});
  readonly qtyLabel = input('Quantity');
  readonly caption = input('Lines');

  protected edit(index: number, field: keyof DraftLine, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.rows.update((rows) => rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  }

  protected add(): void {
    this.rows.update((rows) => [...rows, { sku: '', qty: '' }]);
  }

  protected remove(index: number): void {
    this.rows.update((rows) => rows.filter((_, i) => i !== index));
  }
}
