/**
 * On hand over time for one product (all the caller's warehouses together), drawn as inline SVG
 * from the movements listed on the product page. The numbers are in the movement table below
 * it too, so the chart's text alternative is a one-line summary.
 */
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { CHART_BOX, drawSeries, type Movement, onHandSeries } from './movement-chart';

const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
/** Within two days the axis names the hour too (else both ends may read the same day). */
const TWO_DAYS_MS = 2 * 24 * 3600 * 1000;

@Component({
  selector: 'app-on-hand-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (drawing().path) {
      <svg [attr.viewBox]="'0 0 ' + box.width + ' ' + box.height" role="img" [attr.aria-label]="summary()">
        @for (tick of drawing().ticks; track tick.value) {
          <line class="grid" [attr.x1]="box.left" [attr.x2]="box.width - box.right" [attr.y1]="tick.y" [attr.y2]="tick.y" />
          <text class="axis" [attr.x]="box.left - 6" [attr.y]="tick.y + 4" text-anchor="end">{{ tick.value }}</text>
        }
        <path class="line" [attr.d]="drawing().path" />
        <text class="axis" [attr.x]="box.left" [attr.y]="box.height - 6">{{ fromLabel() }}</text>
        <text class="axis" [attr.x]="box.width - box.right" [attr.y]="box.height - 6" text-anchor="end">{{ toLabel() }}</text>
      </svg>
    } @else {
      <p class="empty">No movements yet.</p>
    }
  `,
  styles: `
    :host { display: block; }
    svg { width: 100%; height: auto; max-height: 16rem; display: block; }
    .grid { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
    .line { fill: none; stroke: var(--link); stroke-width: 2; vector-effect: non-scaling-stroke; }
    .axis { fill: var(--muted); font-size: 13px; }
    .empty { color: var(--muted); margin: 0; }
  `,
})
export class OnHandChart {
  readonly movements = input.required<readonly Movement[]>();
  protected readonly box = CHART_BOX;
  private readonly series = computed(() => onHandSeries(this.movements()));
  protected readonly drawing = computed(() => drawSeries(this.series()));
  protected readonly fromLabel = computed(() => this.dateLabel(this.drawing().from));
  protected readonly toLabel = computed(() => this.dateLabel(this.drawing().to));
  protected readonly summary = computed(() => {
    const series = this.series();
    const first = series[0];
    const last = series.at(-1);
    if (!first || !last) return 'No movements';
    return `On hand from ${first.onHand} on ${this.fromLabel()} to ${last.onHand} on ${this.toLabel()}, over ${series.length - 1} movements`;
  });

  private dateLabel(at: number | undefined): string {
    const { from, to } = this.drawing();
    if (at === undefined || from === undefined || to === undefined) return '';
    return (to - from < TWO_DAYS_MS ? dayAndTime : day).format(at);
  }
}
