/**
 * /purchasing/vendors/new and /purchasing/vendors/:id: a vendor's terms (contact, currency, lead
 * time, active) and what they sell (supplier items: their own sku, unit cost, minimum order,
 * pack size, lead time override per sku). Read-only for a role that may not change vendors.
 */
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { moneyLabel, toMajorUnits, toMinorUnits } from './purchase-order-lines';
import { type Vendor, Vendors } from './vendors';

type SupplierItem = components['schemas']['SupplierItem'];

/** A form's text field as a number, or null when left empty (the API names what is not a number). */
const optionalNumber = (form: FormData, name: string): number | null => {
  const text = String(form.get(name) ?? '').trim();
  return text === '' ? null : Number(text);
};

@Component({
  selector: 'app-vendor-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './vendor.page.html',
})
export class VendorPage {
  protected readonly session = inject(ApiSession);
  private readonly router = inject(Router);
  private readonly vendors = inject(Vendors);
  /** The route's :id; none on /purchasing/vendors/new. */
  readonly id = input<string>();
  protected readonly vendor = signal<Vendor | undefined>(undefined);
  protected readonly items = signal<readonly SupplierItem[]>([]);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly error = signal('');
  protected readonly notice = signal('');
  protected readonly itemErrors = signal<Record<string, string>>({});
  protected readonly itemError = signal('');
  protected readonly busy = signal(false);
  /** The supplier item in the form (picked from the table to change it). */
  protected readonly itemInForm = signal<SupplierItem | undefined>(undefined);
  protected readonly moneyLabel = moneyLabel;
  protected readonly toMajorUnits = toMajorUnits;

  constructor() {
    effect(() => {
      const id = this.id();
      if (id) untracked(() => void this.load(id));
    });
  }

  private async load(id: string): Promise<void> {
    try {
      const [{ data: vendor }, { data: items }] = await Promise.all([
        this.session.api((c) => c.GET('/api/vendors/{id}', { params: { path: { id } } })),
        this.session.api((c) =>
          c.GET('/api/vendors/{id}/items', { params: { path: { id }, query: { limit: 200 } } }),
        ),
      ]);
      this.vendor.set(vendor);
      this.items.set(items.items);
    } catch (err) {
      this.error.set(readableError(err).message);
    }
  }

  protected async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const email = String(form.get('email') ?? '').trim();
    const terms = {
      name: String(form.get('name') ?? ''),
      email: email === '' ? null : email,
      currency: String(form.get('currency') ?? '')
        .trim()
        .toUpperCase(),
      leadTimeDays: optionalNumber(form, 'leadTimeDays') ?? 0,
    };
    const id = this.id();
    this.busy.set(true);
    this.errors.set({});
    this.error.set('');
    this.notice.set('');
    try {
      const { data } = id
        ? await this.session.api((c) =>
            c.PATCH('/api/vendors/{id}', {
              params: { path: { id } },
              body: { ...terms, active: form.get('active') === 'on' },
            }),
          )
        : await this.session.api((c) => c.POST('/api/vendors', { body: terms }));
      this.vendors.remember(data);
      this.vendor.set(data);
      this.notice.set(id ? 'Vendor saved.' : 'Vendor created. Add what they sell below.');
      if (!id) await this.router.navigate(['/purchasing/vendors', data.id]);
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      this.errors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }

  protected async putItem(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const vendor = this.vendor();
    if (!vendor) return;
    const formElement = event.target as HTMLFormElement;
    const form = new FormData(formElement);
    const sku = String(form.get('itemSku') ?? '').trim();
    const unitCost = toMinorUnits(String(form.get('unitCost') ?? ''));
    this.itemErrors.set({});
    this.itemError.set('');
    if (sku === '') {
      this.itemErrors.set({ sku: 'Which sku does this vendor sell?' });
      return;
    }
    if (unitCost === undefined) {
      this.itemErrors.set({ unitCost: 'Write the unit cost as a number, e.g. 4.20' });
      return;
    }
    const vendorSku = String(form.get('vendorSku') ?? '').trim();
    this.busy.set(true);
    try {
      const { data } = await this.session.api((c) =>
        c.PUT('/api/vendors/{id}/items/{sku}', {
          params: { path: { id: vendor.id, sku } },
          body: {
            vendorSku: vendorSku === '' ? null : vendorSku,
            unitCost,
            minOrderQty: optionalNumber(form, 'minOrderQty') ?? 1,
            packSize: optionalNumber(form, 'packSize') ?? 1,
            leadTimeDays: optionalNumber(form, 'itemLeadTimeDays'),
          },
        }),
      );
      const others = this.items().filter((i) => i.sku !== data.sku);
      this.items.set([...others, data].sort((a, b) => a.sku.localeCompare(b.sku)));
      this.itemInForm.set(undefined);
      // Ready for the next item: fields empty, quantities back to 1 (reset() alone would empty them).
      formElement.reset();
      for (const name of ['minOrderQty', 'packSize'])
        (formElement.elements.namedItem(name) as HTMLInputElement).value = '1';
      this.notice.set(`${data.sku} saved.`);
    } catch (err) {
      const readable = readableError(err);
      this.itemError.set(readable.message);
      this.itemErrors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }
}
