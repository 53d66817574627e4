/**
 * The live stock board of one warehouse (/warehouses/:id/stock): every level, updated in place as
 * the room reports changes, with a search box and a below-reorder filter. Rows are virtually
 * scrolled (only those on screen are in the DOM), so 10,000 levels stay smooth.
 */
import { ScrollingModule } from '@angular/cdk/scrolling';
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
import { ApiSession } from '../api/api-session';
import { Warehouses } from '../api/warehouses';
import { ConnectionStatus } from './connection-status';
import { type ConnectionState, LiveStock } from './live-stock';
import { filterRows, isBelowReorder, type StockRow } from './stock-rows';

/** Each row's height in px (the virtual scroller needs a fixed one). */
const ROW_HEIGHT = 40;

@Component({
  selector: 'app-stock-board-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ScrollingModule, ConnectionStatus, RouterLink],
  templateUrl: './stock-board.page.html',
  styleUrl: './stock-board.page.css',
})
export class StockBoardPage {
  private readonly session = inject(ApiSession);
  private readonly warehouses = inject(Warehouses);
  /** The route's :id. */
  readonly id = input.required<string>();
  protected readonly rowHeight = ROW_HEIGHT;
  /** Adjustments and counts are offered to roles that may make them. */
  protected readonly canAdjust = this.session.can('stock:adjust');
  protected readonly search = signal('');
  protected readonly belowReorderOnly = signal(false);
  private readonly live = signal<LiveStock | undefined>(undefined);

  protected readonly warehouse = computed(() => this.warehouses.list().find((w) => w.id === this.id()));
  protected readonly connection = computed<ConnectionState>(() => this.live()?.connection() ?? 'connecting');
  protected readonly loaded = computed(() => this.live()?.loaded() ?? false);
  protected readonly error = computed(() => this.live()?.error() ?? '');
  protected readonly allRows = computed(() => this.live()?.table().rows ?? []);
  protected readonly rows = computed(() =>
    filterRows(this.allRows(), { search: this.search(), belowReorderOnly: this.belowReorderOnly() }),
  );
  protected readonly highlighted = computed(() => this.live()?.highlighted() ?? new Set<string>());

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    // A new :id (the warehouse picker) closes the old room and opens the new one.
    effect((onCleanup) => {
      const id = this.id();
      const live = untracked(() => new LiveStock(this.session, id));
      this.live.set(live);
      onCleanup(() => live.close());
    });
  }

  protected readonly bySku = (_: number, row: StockRow) => row.sku;
  protected readonly isBelowReorder = isBelowReorder;

  protected onSearch(event: Event): void {
    this.search.set((event.target as HTMLInputElement).value);
  }

  protected onBelowReorder(event: Event): void {
    this.belowReorderOnly.set((event.target as HTMLInputElement).checked);
  }
}
