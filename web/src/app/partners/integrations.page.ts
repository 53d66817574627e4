/**
 * /admin/integrations: the shops whose orders come in (Shopify, WooCommerce), each with the URL
 * to give the shop for its order webhooks, and the orders received that could not become an
 * order here (an unknown sku, not enough stock), with the reason, for someone to act on.
 */
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { components } from '@varastokkr/client';
import { whenLabel } from '../admin/access';
import { clearTypedFields } from '../admin/access-fields';
import { ApiSession } from '../api/api-session';
import { PagedList } from '../api/paged-list';
import { readableError } from '../api/problem-message';
import { ScreenAction } from '../api/screen-action';
import { Warehouses } from '../api/warehouses';
import { connectionBody, type ShopKind, shopKinds, sourceField } from './shop-connections';

type Connection = components['schemas']['Connection'];
type Ingestion = components['schemas']['Ingestion'];
type IngestionFilter = 'needs_attention' | 'done';

@Component({
  selector: 'app-integrations-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './integrations.page.html',
  styleUrl: './partners.css',
})
export class IntegrationsPage {
  private readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  /** Every connection: a handful, so one answer without pages. */
  protected readonly connections = new PagedList<Connection>(async () => {
    const { data } = await this.session.api((c) => c.GET('/api/integrations/connections'));
    return data;
  });
  protected readonly ingestionStatus = signal<IngestionFilter>('needs_attention');
  protected readonly ingestions = new PagedList<Ingestion>(async (cursor) => {
    const { data } = await this.session.api((c) =>
      c.GET('/api/integrations/ingestions', {
        params: { query: { status: this.ingestionStatus(), limit: 25, ...(cursor ? { cursor } : {}) } },
      }),
    );
    return data;
  });
  protected readonly kinds = shopKinds;
  protected readonly kind = signal<ShopKind>('shopify');
  protected readonly action = new ScreenAction();
  protected readonly createError = signal('');
  protected readonly createErrors = signal<Record<string, string>>({});
  private readonly codes = computed(() => new Map(this.warehouses.list().map((w) => [w.id, w.code])));
  private readonly sources = computed(() => new Map(this.connections.items().map((c) => [c.id, c.source])));
  protected readonly whenLabel = whenLabel;
  protected readonly sourceField = sourceField;
  /** Where the shop sends its order webhooks: this site, as the shop reaches it. */
  protected readonly origin = location.origin;

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    void this.connections.reload();
    void this.ingestions.reload();
  }

  protected warehouseCode(id: string): string {
    return this.codes().get(id) ?? id.slice(0, 8);
  }

  protected shopOf(ingestion: Ingestion): string {
    return this.sources().get(ingestion.connectionId) ?? 'a removed connection';
  }

  protected showIngestions(status: IngestionFilter): void {
    this.ingestionStatus.set(status);
    void this.ingestions.reload();
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    this.action.busy.set(true);
    this.createError.set('');
    this.createErrors.set({});
    try {
      const body = connectionBody(this.kind(), new FormData(form));
      const { data } = await this.session.api((c) => c.POST('/api/integrations/connections', { body }));
      this.connections.change((rows) => [data, ...rows]);
      this.action.notice.set(`Orders from ${data.source} now come in. Give the shop the receiver URL below.`);
      clearTypedFields(form);
    } catch (err) {
      const readable = readableError(err);
      this.createError.set(readable.message);
      this.createErrors.set(readable.fields);
    } finally {
      this.action.busy.set(false);
    }
  }

  protected remove(connection: Connection): Promise<void> {
    if (!confirm(`Remove ${connection.source}? Its orders stop coming in; orders already made stay.`))
      return Promise.resolve();
    return this.action.run(async () => {
      await this.session.api((c) =>
        c.DELETE('/api/integrations/connections/{id}', { params: { path: { id: connection.id } } }),
      );
      this.connections.change((rows) => rows.filter((c) => c.id !== connection.id));
      this.action.notice.set(`${connection.source} is removed.`);
    });
  }
}
