/**
 * /purchasing/replenishment: per warehouse, the reorder points and quantities that real demand
 * suggests, each with the inputs it came from (demand and its spread, lead time, service level,
 * pack and minimum), set for the rows chosen in one call; and a run of replenishment now, which
 * drafts purchase order lines for every level below its reorder point.
 */
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
  untracked,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import {
  changesSettings,
  isApplicable,
  methodLabel,
  type RunResult,
  runSummary,
  type Suggestion,
} from './replenishment-summary';
import { Vendors } from './vendors';

@Component({
  selector: 'app-replenishment-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './replenishment.page.html',
})
export class ReplenishmentPage {
  protected readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  protected readonly vendors = inject(Vendors);
  protected readonly warehouseId = signal('');
  protected readonly suggestions = signal<readonly Suggestion[]>([]);
  protected readonly loaded = signal(false);
  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly error = signal('');
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly run = signal<RunResult | undefined>(undefined);
  protected readonly applicable = computed(() => this.suggestions().filter(isApplicable));
  protected readonly allSelected = computed(
    () => this.applicable().length > 0 && this.applicable().every((s) => this.selected().has(s.sku)),
  );
  protected readonly isApplicable = isApplicable;
  protected readonly changesSettings = changesSettings;
  protected readonly methodLabel = methodLabel;
  protected readonly runOrders = computed(() => [
    ...new Set(this.run()?.lines.map((l) => l.purchaseOrderId) ?? []),
  ]);

  constructor() {
    void this.vendors.load().catch(() => undefined);
    void this.warehouses
      .load()
      .then((all) => {
        if (!this.warehouseId() && all[0]) this.warehouseId.set(all[0].id);
      })
      .catch((err: unknown) => this.error.set(readableError(err).message));
    effect(() => {
      const id = this.warehouseId();
      if (id) untracked(() => void this.load(id));
    });
  }

  private async load(warehouseId: string): Promise<void> {
    this.loaded.set(false);
    this.selected.set(new Set());
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/replenishment/suggestions', { params: { query: { warehouseId } } }),
      );
      if (warehouseId !== this.warehouseId()) return;
      this.suggestions.set(data.items);
      this.error.set('');
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.loaded.set(true);
    }
  }

  protected toggle(sku: string, chosen: boolean): void {
    const next = new Set(this.selected());
    if (chosen) next.add(sku);
    else next.delete(sku);
    this.selected.set(next);
  }

  protected toggleAll(chosen: boolean): void {
    this.selected.set(new Set(chosen ? this.applicable().map((s) => s.sku) : []));
  }

  protected async apply(): Promise<void> {
    const skus = [...this.selected()];
    if (skus.length === 0) return;
    this.busy.set(true);
    this.error.set('');
    this.notice.set('');
    try {
      const { data } = await this.session.api((c) =>
        c.POST('/api/replenishment/suggestions/apply', { body: { warehouseId: this.warehouseId(), skus } }),
      );
      const applied = new Map(data.items.map((s) => [s.sku, s]));
      this.suggestions.set(this.suggestions().map((s) => applied.get(s.sku) ?? s));
      this.selected.set(new Set());
      this.notice.set(
        `Reorder settings set for ${data.items.length} ${data.items.length === 1 ? 'sku' : 'skus'}.`,
      );
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.busy.set(false);
    }
  }

  protected async runNow(): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    this.notice.set('');
    try {
      const { data } = await this.session.api((c) =>
        c.POST('/api/replenishment/run', { body: { warehouseId: this.warehouseId() } }),
      );
      this.run.set(data);
      this.notice.set(runSummary(data));
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.busy.set(false);
    }
  }

  protected vendorName(id: string | null): string {
    return id ? this.vendors.nameOf(id) : '–';
  }

  protected numberOr(value: number | null, unit = ''): string {
    return value === null ? '–' : `${value}${unit}`;
  }
}
