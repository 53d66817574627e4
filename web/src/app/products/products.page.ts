/**
 * The catalog (/products): search by sku, name or barcode and by category, a page at a time
 * (the API's cursors, kept in a stack for "Previous"); and, for those the policy allows, a new
 * product, archiving, CSV import and export, and label sheets for the products ticked. The API
 * stays the authority: these controls are only offered, each call may still be refused.
 */
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { download, okResponse } from './catalog-files';
import { LabelSheet } from './label-sheet';
import { draftFrom, ProductFields } from './product-fields';
import { createBody, DraftError, emptyDraft, majorUnits, type Product } from './product-form';
import { ProductImport } from './product-import';

const PAGE_SIZE = 25;
/** The API's label sheet takes at most this many skus. */
const MAX_LABELS = 240;
/** Typing pauses this long before the list is asked again. */
const SEARCH_DELAY_MS = 250;

@Component({
  selector: 'app-products-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ProductFields, ProductImport, LabelSheet],
  templateUrl: './products.page.html',
  styleUrl: './products.page.css',
})
export class ProductsPage {
  protected readonly session = inject(ApiSession);
  private readonly router = inject(Router);

  protected readonly canWrite = computed(() => this.session.can('catalog:write'));
  protected readonly canExport = computed(() => this.session.can('catalog:cost'));
  protected readonly search = signal('');
  protected readonly category = signal('');
  protected readonly items = signal<readonly Product[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly notice = signal('');
  /** The cursor of each page shown so far (the first page has none); the last is this page's. */
  private readonly cursors = signal<(string | undefined)[]>([undefined]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly pageNumber = computed(() => this.cursors().length);

  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly labelsFor = signal<readonly string[] | undefined>(undefined);
  protected readonly panel = signal<'create' | 'import' | undefined>(undefined);
  protected readonly createErrors = signal<Record<string, string>>({});
  protected readonly createMessage = signal('');
  protected readonly creating = signal(false);
  protected readonly newDraft = emptyDraft();
  protected readonly majorUnits = majorUnits;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private loadSeq = 0;

  constructor() {
    void this.load();
  }

  protected onSearch(event: Event): void {
    this.search.set((event.target as HTMLInputElement).value);
    this.restartSoon();
  }

  protected onCategory(event: Event): void {
    this.category.set((event.target as HTMLInputElement).value);
    this.restartSoon();
  }

  protected submitSearch(event: Event): void {
    event.preventDefault();
    clearTimeout(this.searchTimer);
    this.restart();
  }

  protected next(): void {
    const cursor = this.nextCursor();
    if (!cursor) return;
    this.cursors.update((c) => [...c, cursor]);
    void this.load();
  }

  protected previous(): void {
    if (this.cursors().length < 2) return;
    this.cursors.update((c) => c.slice(0, -1));
    void this.load();
  }

  protected toggle(sku: string, event: Event): void {
    const on = (event.target as HTMLInputElement).checked;
    this.selected.update((set) => {
      const next = new Set(set);
      if (on && next.size < MAX_LABELS) next.add(sku);
      else next.delete(sku);
      return next;
    });
  }

  protected openLabels(): void {
    this.labelsFor.set([...this.selected()]);
  }

  protected async archive(product: Product): Promise<void> {
    this.error.set('');
    try {
      await this.session.api((c) =>
        c.DELETE('/api/products/{sku}', {
          params: { path: { sku: product.sku }, header: { 'if-match': `"${product.version}"` } },
        }),
      );
      this.notice.set(`${product.sku} archived.`);
      this.selected.update((set) => new Set([...set].filter((sku) => sku !== product.sku)));
      await this.load();
    } catch (err) {
      this.error.set(`${product.sku} was not archived: ${readableError(err).message}`);
    }
  }

  protected async exportCsv(): Promise<void> {
    this.error.set('');
    try {
      const response = await okResponse(this.session, '/api/products/export');
      download(await response.blob(), 'products.csv');
    } catch (err) {
      this.error.set(`Export failed: ${readableError(err).message}`);
    }
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.createErrors.set({});
    this.createMessage.set('');
    this.creating.set(true);
    try {
      const body = createBody(draftFrom(event.target as HTMLFormElement), this.canExport());
      const { data } = await this.session.api((c) => c.POST('/api/products', { body }));
      await this.router.navigate(['/products', data.sku]);
    } catch (err) {
      if (err instanceof DraftError) {
        this.createErrors.set(err.fields);
        this.createMessage.set('Check the fields marked below.');
      } else {
        const readable = readableError(err);
        this.createErrors.set(readable.fields);
        this.createMessage.set(readable.message);
      }
    } finally {
      this.creating.set(false);
    }
  }

  protected onImported(): void {
    void this.load();
  }

  private restartSoon(): void {
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.restart(), SEARCH_DELAY_MS);
  }

  private restart(): void {
    this.cursors.set([undefined]);
    void this.load();
  }

  /** This page of the list; an answer to an older search that arrives late is dropped. */
  private async load(): Promise<void> {
    const seq = ++this.loadSeq;
    const q = this.search().trim();
    const category = this.category().trim();
    const cursor = this.cursors().at(-1);
    this.loading.set(true);
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/products', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(q ? { q } : {}),
              ...(category ? { category } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      );
      if (seq !== this.loadSeq) return;
      this.items.set(data.items);
      this.nextCursor.set(data.nextCursor ?? null);
      this.error.set('');
    } catch (err) {
      if (seq === this.loadSeq) this.error.set(readableError(err).message);
    } finally {
      if (seq === this.loadSeq) this.loading.set(false);
    }
  }
}
