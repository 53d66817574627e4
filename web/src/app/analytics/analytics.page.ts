/**
 * /analytics: one warehouse's KPIs over the last 30, 90 or 365 days (units sold, revenue and
 * cost per currency, stock value, turnover, days of cover, sell-through, stockouts, low stock),
 * with SVG charts of the sales series, the ABC classes and the skus with the fewest days of
 * cover, each chart's numbers also in a table; and the stock that has not moved for 90 days.
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
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import {
  type Abc,
  abcShares,
  lastDays,
  moneyListText,
  moneyText,
  percentText,
  periods,
  ratioText,
  rowBars,
  type Sales,
  type Summary,
  salesBars,
  shortestCover,
} from './kpi-charts';

type DeadStock = components['schemas']['AnalyticsDeadStock'];

/** The charts' drawing areas, in SVG units (they scale to the screen's width). */
export const chart = { width: 600, height: 160, rowHeight: 22 } as const;

@Component({
  selector: 'app-analytics-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './analytics.page.html',
  styleUrl: './analytics.css',
})
export class AnalyticsPage {
  private readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  protected readonly warehouseId = signal('');
  protected readonly days = signal<number>(30);
  protected readonly summary = signal<Summary | undefined>(undefined);
  protected readonly sales = signal<Sales | undefined>(undefined);
  protected readonly abc = signal<Abc | undefined>(undefined);
  protected readonly dead = signal<DeadStock | undefined>(undefined);
  protected readonly error = signal('');
  protected readonly loading = signal(false);
  protected readonly periods = periods;
  protected readonly chart = chart;
  protected readonly money = moneyListText;
  protected readonly moneyOne = moneyText;
  protected readonly ratio = ratioText;
  protected readonly percent = percentText;

  protected readonly salesBars = computed(() => {
    const s = this.sales();
    return s ? salesBars(s, chart.width, chart.height) : [];
  });
  protected readonly shares = computed(() => {
    const a = this.abc();
    return a ? abcShares(a) : [];
  });
  protected readonly cover = computed(() => {
    const items = shortestCover(this.abc()?.items ?? [], 10);
    const bars = rowBars(
      items.map((i) => ({ label: i.sku, value: i.daysOfCover ?? 0 })),
      chart.width - 160,
      chart.rowHeight,
    );
    return items.map((item, n) => ({ item, bar: bars[n] }));
  });

  constructor() {
    void this.warehouses
      .load()
      .then((all) => {
        if (!this.warehouseId() && all[0]) this.warehouseId.set(all[0].id);
      })
      .catch((err: unknown) => this.error.set(readableError(err).message));
    effect(() => {
      const id = this.warehouseId();
      const days = this.days();
      if (id) untracked(() => void this.load(id, days));
    });
  }

  private async load(warehouseId: string, days: number): Promise<void> {
    const period = periods.find((p) => p.days === days) ?? periods[0];
    const window = { warehouseId, ...lastDays(days) };
    this.loading.set(true);
    try {
      const [summary, sales, abc, dead] = await Promise.all([
        this.session.api((c) => c.GET('/api/analytics/summary', { params: { query: window } })),
        this.session.api((c) =>
          c.GET('/api/analytics/sales', { params: { query: { ...window, interval: period.interval } } }),
        ),
        this.session.api((c) => c.GET('/api/analytics/abc', { params: { query: window } })),
        this.session.api((c) =>
          c.GET('/api/analytics/dead-stock', { params: { query: { warehouseId, days: 90 } } }),
        ),
      ]);
      if (warehouseId !== this.warehouseId() || days !== this.days()) return;
      this.summary.set(summary.data);
      this.sales.set(sales.data);
      this.abc.set(abc.data);
      this.dead.set(dead.data);
      this.error.set('');
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.loading.set(false);
    }
  }

  protected pickPeriod(value: string): void {
    this.days.set(Number(value));
  }
}
