/**
 * One product (/products/:sku): its details, edited with the ETag it was read with (If-Match),
 * availability per warehouse, its movements in the ledger with a chart of on hand, and (for
 * those who may read the audit log) who changed it and when.
 *
 * A save that meets a newer version (412: someone changed the product meanwhile) loses nothing:
 * the page reads the product again and shows, field by field, their value and the one typed
 * here; the person then takes theirs (the form shows the new version) or saves their own changes
 * over it (with the new ETag, so a third change in between is caught the same way; fields only
 * the other person changed keep their value).
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
import { type components, ProblemError } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { AuditTrail } from '../audit/audit-trail';
import type { Movement } from './movement-chart';
import { OnHandChart } from './on-hand-chart';
import { draftFrom, ProductFields } from './product-fields';
import {
  changesFrom,
  conflicts,
  DraftError,
  draftFromProduct,
  type FieldConflict,
  majorUnits,
  type Product,
  type ProductDraft,
} from './product-form';

type Availability = components['schemas']['Availability'];

/** The movements read for the table and the chart (the API's largest page). */
const MOVEMENTS = 200;

interface Conflict {
  theirs: Product;
  etag: string;
  mine: ProductDraft;
  fields: FieldConflict[];
}

const etagOf = (response: Response, product: Product) =>
  response.headers.get('etag') ?? `"${product.version}"`;

@Component({
  selector: 'app-product-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ProductFields, OnHandChart, AuditTrail],
  templateUrl: './product.page.html',
  styleUrl: './product.page.css',
})
export class ProductPage {
  protected readonly session = inject(ApiSession);
  private readonly warehouses = inject(Warehouses);
  /** The route's :sku. */
  readonly sku = input.required<string>();

  protected readonly canWrite = computed(() => this.session.can('catalog:write'));
  protected readonly canCost = computed(() => this.session.can('catalog:cost'));
  protected readonly product = signal<Product | undefined>(undefined);
  private etag = '';
  protected readonly draft = signal<ProductDraft | undefined>(undefined);
  protected readonly loadError = signal('');
  protected readonly fieldErrors = signal<Record<string, string>>({});
  protected readonly message = signal('');
  protected readonly saveError = signal('');
  protected readonly saving = signal(false);
  protected readonly conflict = signal<Conflict | undefined>(undefined);
  protected readonly availability = signal<Availability | undefined>(undefined);
  protected readonly movements = signal<readonly Movement[]>([]);
  protected readonly moreMovements = signal(false);
  protected readonly sideError = signal('');
  protected readonly majorUnits = majorUnits;

  private readonly codes = computed(() => {
    const byId = new Map(this.warehouses.list().map((w) => [w.id, w.code]));
    for (const w of this.availability()?.warehouses ?? []) byId.set(w.warehouseId, w.code);
    return byId;
  });

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    effect(() => {
      const sku = this.sku();
      untracked(() => void this.loadAll(sku));
    });
  }

  protected warehouseCode(id: string): string {
    return this.codes().get(id) ?? id.slice(0, 8);
  }

  protected async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const product = this.product();
    if (!product) return;
    const mine = draftFrom(event.target as HTMLFormElement);
    this.resetMessages();
    // After a conflict, the person's changes (against the version they started from) go over
    // the newer version: fields only the other person changed keep their value.
    const etag = this.conflict()?.etag ?? this.etag;
    let body: ReturnType<typeof changesFrom>;
    try {
      body = changesFrom(product, mine, this.canCost());
    } catch (err) {
      if (err instanceof DraftError) this.fieldErrors.set(err.fields);
      this.saveError.set('Check the fields marked below.');
      return;
    }
    if (Object.keys(body).length === 0) {
      this.message.set('Nothing to save: no field changed.');
      return;
    }
    this.draft.set(mine);
    await this.update(body, etag, mine);
  }

  /** Drops what was typed and shows the product as it is now. */
  protected takeTheirs(): void {
    const conflict = this.conflict();
    if (!conflict) return;
    this.show(conflict.theirs, conflict.etag);
    this.message.set('Showing the current version; your changes were discarded.');
  }

  protected async archive(archived: boolean): Promise<void> {
    const product = this.product();
    if (!product) return;
    this.resetMessages();
    if (archived) {
      try {
        await this.session.api((c) =>
          c.DELETE('/api/products/{sku}', {
            params: { path: { sku: product.sku }, header: { 'if-match': this.etag } },
          }),
        );
        await this.loadProduct(product.sku);
        this.message.set('Archived: the product is no longer offered for new orders.');
      } catch (err) {
        await this.refused(err, this.draft() ?? draftFromProduct(product));
      }
    } else {
      await this.update({ archived: false }, this.etag, this.draft() ?? draftFromProduct(product));
    }
  }

  private async update(
    body: ReturnType<typeof changesFrom>,
    etag: string,
    mine: ProductDraft,
  ): Promise<void> {
    const sku = this.sku();
    this.saving.set(true);
    try {
      const { data, response } = await this.session.api((c) =>
        c.PATCH('/api/products/{sku}', { params: { path: { sku }, header: { 'if-match': etag } }, body }),
      );
      this.show(data, etagOf(response, data));
      this.message.set(body.archived === false ? 'Restored.' : 'Saved.');
    } catch (err) {
      await this.refused(err, mine);
    } finally {
      this.saving.set(false);
    }
  }

  /** A 412 becomes the conflict panel (with the version that won); anything else a message. */
  private async refused(err: unknown, mine: ProductDraft): Promise<void> {
    const base = this.product();
    if (err instanceof ProblemError && err.status === 412 && base) {
      try {
        const { data, response } = await this.read(this.sku());
        this.conflict.set({
          theirs: data,
          etag: etagOf(response, data),
          mine,
          fields: conflicts(base, data, mine),
        });
        return;
      } catch (reread) {
        err = reread;
      }
    }
    const readable = readableError(err);
    this.fieldErrors.set(readable.fields);
    this.saveError.set(readable.message);
  }

  private show(product: Product, etag: string): void {
    this.product.set(product);
    this.etag = etag;
    this.draft.set(draftFromProduct(product));
    this.conflict.set(undefined);
    this.fieldErrors.set({});
  }

  private resetMessages(): void {
    this.message.set('');
    this.saveError.set('');
    this.fieldErrors.set({});
  }

  private read(sku: string) {
    return this.session.api((c) => c.GET('/api/products/{sku}', { params: { path: { sku } } }));
  }

  private async loadAll(sku: string): Promise<void> {
    this.product.set(undefined);
    this.loadError.set('');
    this.resetMessages();
    this.conflict.set(undefined);
    await Promise.all([this.loadProduct(sku), this.loadAvailability(sku), this.loadMovements(sku)]);
  }

  private async loadProduct(sku: string): Promise<void> {
    try {
      const { data, response } = await this.read(sku);
      this.show(data, etagOf(response, data));
    } catch (err) {
      this.loadError.set(
        err instanceof ProblemError && err.status === 404
          ? `No product has the sku ${sku}.`
          : readableError(err).message,
      );
    }
  }

  private async loadAvailability(sku: string): Promise<void> {
    if (!this.session.can('availability:read')) return;
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/products/{sku}/availability', { params: { path: { sku } } }),
      );
      this.availability.set(data);
    } catch (err) {
      this.sideError.set(`Availability: ${readableError(err).message}`);
    }
  }

  private async loadMovements(sku: string): Promise<void> {
    if (!this.session.can('stock:read')) return;
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/inventory/movements', { params: { query: { sku, limit: MOVEMENTS } } }),
      );
      this.movements.set(data.items);
      this.moreMovements.set(data.nextCursor !== null);
    } catch (err) {
      this.sideError.set(`Movements: ${readableError(err).message}`);
    }
  }
}
