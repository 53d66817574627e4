/**
 * Count: a stock count session. Each scan adds one of that product (or the person types the
 * number); submitting records the count (POST /api/inventory/counts) through the write queue,
 * so a count made offline is sent, once, when the connection returns.
 */
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { onEachScan, type Scan, type ScanWarehouse } from './scan-context';
import { addScanned, type ScanLine, setQty } from './scan-lines';
import { ScanWrites } from './scan-writes';

@Component({
  selector: 'app-count-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="count-title">
      <h2 id="count-title">Count in {{ warehouse().code }}</h2>
      @if (lines().length === 0) {
        <p class="muted">Scan each item on the shelf; every scan adds one.</p>
      } @else {
        <table>
          <thead><tr><th scope="col">Product</th><th scope="col">Counted</th></tr></thead>
          <tbody>
            @for (line of lines(); track line.sku) {
              <tr [attr.data-sku]="line.sku">
                <td><span class="name">{{ line.name }}</span> <span class="muted">{{ line.sku }}</span></td>
                <td>
                  <input type="number" min="0" step="1" inputmode="numeric" [value]="line.qty"
                         [attr.aria-label]="'Counted ' + line.sku" (change)="adjust(line.sku, $event)" />
                </td>
              </tr>
            }
          </tbody>
        </table>
        <div class="actions">
          <button type="button" (click)="submit()">Submit count</button>
          <button type="button" class="secondary" (click)="lines.set([])">Discard</button>
        </div>
      }
    </section>
  `,
  styleUrl: './scan-panel.css',
})
export class CountPanel {
  private readonly writes = inject(ScanWrites);
  readonly scan = input<Scan | undefined>();
  readonly warehouse = input.required<ScanWarehouse>();
  protected readonly lines = signal<readonly ScanLine[]>([]);

  constructor() {
    onEachScan(this.scan, (scan) => this.lines.update((lines) => addScanned(lines, scan.product)));
  }

  protected adjust(sku: string, event: Event): void {
    this.lines.update((lines) => setQty(lines, sku, (event.target as HTMLInputElement).valueAsNumber));
  }

  protected async submit(): Promise<void> {
    const lines = this.lines();
    const warehouse = this.warehouse();
    await this.writes.submit(
      {
        kind: 'count',
        body: { warehouseId: warehouse.id, lines: lines.map((l) => ({ sku: l.sku, counted: l.qty })) },
      },
      `Count of ${lines.length} ${lines.length === 1 ? 'product' : 'products'} in ${warehouse.code}`,
    );
    this.lines.set([]);
  }
}
