/**
 * The lines of a purchase order being drafted or edited: sku, quantity and unit cost per row
 * (major units; empty takes the vendor's price), rows added and removed, and the API's message
 * for a field shown beside that field (`lines.2.qty`).
 */
import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import { emptyLine, type LineDraft } from './purchase-order-lines';

@Component({
  selector: 'app-line-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <fieldset>
      <legend>Lines</legend>
      @for (line of lines(); track $index; let i = $index) {
        <div class="line" role="group" [attr.aria-label]="'Line ' + (i + 1)">
          <label class="field">
            Sku
            <input type="text" [name]="'sku-' + i" autocomplete="off" [value]="line.sku"
                   [attr.aria-invalid]="errors()['lines.' + i + '.sku'] ? true : null"
                   (input)="change(i, { sku: $any($event.target).value })" />
            @if (errors()['lines.' + i + '.sku']; as message) { <span class="field-error">{{ message }}</span> }
          </label>
          <label class="field qty">
            Quantity
            <input type="number" min="1" step="1" [name]="'qty-' + i" [value]="line.qty"
                   [attr.aria-invalid]="errors()['lines.' + i + '.qty'] ? true : null"
                   (input)="change(i, { qty: $any($event.target).value })" />
            @if (errors()['lines.' + i + '.qty']; as message) { <span class="field-error">{{ message }}</span> }
          </label>
          <label class="field cost">
            Unit cost
            <input type="text" inputmode="decimal" [name]="'cost-' + i" placeholder="vendor price" [value]="line.unitCost"
                   [attr.aria-invalid]="errors()['lines.' + i + '.unitCost'] ? true : null"
                   (input)="change(i, { unitCost: $any($event.target).value })" />
            @if (errors()['lines.' + i + '.unitCost']; as message) { <span class="field-error">{{ message }}</span> }
          </label>
          <button type="button" class="secondary" [attr.aria-label]="'Remove line ' + (i + 1)"
                  [disabled]="lines().length === 1" (click)="remove(i)">Remove</button>
        </div>
      }
      <button type="button" class="secondary" (click)="add()">Add line</button>
    </fieldset>
  `,
  styles: `
    fieldset { border: 1px solid var(--line); border-radius: 4px; padding: 0.4rem 0.75rem 0.75rem; margin: 0; min-width: 0; }
    legend { font-weight: 600; padding: 0 0.25rem; }
    .line { display: grid; grid-template-columns: minmax(8rem, 1fr) 6.5rem 8rem auto; gap: 0.5rem; align-items: end; margin-bottom: 0.6rem; }
    .line input { width: 100%; }
    @media (max-width: 40rem) {
      .line { grid-template-columns: 1fr 1fr; border-bottom: 1px solid var(--line); padding-bottom: 0.6rem; }
      .line .field:first-child { grid-column: 1 / -1; }
    }
  `,
})
export class LineEditor {
  readonly lines = model<LineDraft[]>([emptyLine()]);
  /** The API's (or the form's) message per field path. */
  readonly errors = input<Record<string, string>>({});

  protected change(index: number, patch: Partial<LineDraft>): void {
    this.lines.set(this.lines().map((line, i) => (i === index ? { ...line, ...patch } : line)));
  }

  protected add(): void {
    this.lines.set([...this.lines(), emptyLine()]);
  }

  protected remove(index: number): void {
    this.lines.set(this.lines().filter((_, i) => i !== index));
  }
}
