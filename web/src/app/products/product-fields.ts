/**
 * The product form's fields, shared by "New product" and the product page's edit form: each
 * with its label, and the API's (or the form's) message for it right beside it, tied to the
 * input with aria-describedby. The parent owns the <form> and reads it with `draftFrom`.
 */
import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { DRAFT_FIELDS, type ProductDraft } from './product-form';

/** The values of a form holding these fields. */
export function draftFrom(form: HTMLFormElement): ProductDraft {
  const data = new FormData(form);
  const text = (name: keyof ProductDraft) => String(data.get(name) ?? '');
  return {
    sku: text('sku'),
    name: text('name'),
    description: text('description'),
    barcode: text('barcode'),
    category: text('category'),
    unit: text('unit'),
    price: text('price'),
    cost: text('cost'),
    currency: text('currency'),
    attributes: text('attributes'),
  };
}

/** The API names money by its parts (`price.amount`, `price.currency`); the form has one field each. */
export function fieldMessage(errors: Record<string, string>, field: keyof ProductDraft): string | undefined {
  if (field === 'currency') return errors['price.currency'] ?? errors['cost.currency'] ?? errors.currency;
  return (
    errors[field] ??
    errors[`${field}.amount`] ??
    Object.entries(errors).find(([p]) => p.startsWith(`${field}.`))?.[1]
  );
}

@Component({
  selector: 'app-product-fields',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @for (field of shown(); track field[0]) {
      @let name = field[0];
      @let id = prefix() + '-' + name;
      @let message = messageFor(name);
      <div class="field" [class.wide]="name === 'description' || name === 'attributes'">
        <label [for]="id">{{ field[1] }}</label>
        @if (name === 'description' || name === 'attributes') {
          <textarea [id]="id" [name]="name" rows="3" [value]="initial()[name]"
                    [attr.aria-invalid]="message ? true : null"
                    [attr.aria-describedby]="message ? id + '-error' : null"></textarea>
        } @else {
          <input [id]="id" [name]="name" [value]="initial()[name]" autocomplete="off"
                 [attr.inputmode]="name === 'price' || name === 'cost' || name === 'barcode' ? 'decimal' : null"
                 [attr.required]="name === 'sku' || name === 'name' ? true : null"
                 [attr.aria-invalid]="message ? true : null"
                 [attr.aria-describedby]="message ? id + '-error' : null" />
        }
        @if (message) {
          <p class="field-error" [id]="id + '-error'">{{ message }}</p>
        }
      </div>
    }
  `,
  styles: `
    :host { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.6rem 1rem; }
    .field { display: grid; gap: 0.2rem; align-content: start; min-width: 0; }
    .field.wide { grid-column: 1 / -1; }
    label { font-weight: 600; }
    input, textarea { padding: 0.45rem 0.6rem; border: 1px solid #9aa3b5; border-radius: 4px; font: inherit; min-width: 0; width: 100%; }
    textarea { font-family: ui-monospace, monospace; font-size: 0.9rem; }
    [aria-invalid='true'] { border-color: var(--warn); }
  `,
})
export class ProductFields {
  /** Prefix of the inputs' ids (two forms may be on one page). */
  readonly prefix = input.required<string>();
  readonly initial = input.required<ProductDraft>();
  readonly errors = input<Record<string, string>>({});
  /** The sku is typed when creating only: it never changes. */
  readonly withSku = input(false);
  /** Cost prices are for those who may see them (catalog:cost). */
  readonly withCost = input(false);

  protected shown() {
    const fields: (readonly [keyof ProductDraft, string])[] = DRAFT_FIELDS.filter(
      ([name]) => name !== 'cost' || this.withCost(),
    );
    return this.withSku() ? [['sku', 'Sku'] as const, ...fields] : fields;
  }

  protected messageFor(field: keyof ProductDraft): string | undefined {
    return fieldMessage(this.errors(), field);
  }
}
