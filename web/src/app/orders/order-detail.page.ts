/**
 * One order (/orders/:id): its lines, where its stock is allocated, and the next steps the role
 * may take (confirm, ship some or all, cancel, deliver). A refusal (409, 422) is shown in words,
 * beside the line it names. Below, for those who may read the audit log, its history.
 */
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { AuditTrail } from '../audit/audit-trail';
import { type Order, orderSteps, shipmentLines, shippableBySku, statusLabel } from './order-steps';

type Step = 'confirm' | 'cancel' | 'deliver';

@Component({
  selector: 'app-order-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, AuditTrail],
  templateUrl: './order-detail.page.html',
  styleUrl: '../forms/work-screen.css',
})
export class OrderDetailPage {
  private readonly session = inject(ApiSession);
  private readonly warehouses = inject(Warehouses);
  /** The route's :id. */
  readonly id = input.required<string>();

  protected readonly order = signal<Order | undefined>(undefined);
  protected readonly loadError = signal('');
  protected readonly error = signal('');
  protected readonly done = signal('');
  protected readonly fieldErrors = signal<Record<string, string>>({});
  protected readonly busy = signal(false);
  /** The ship quantities as typed, by line. */
  protected readonly toShip = signal<string[]>([]);

  protected readonly label = statusLabel;
  protected readonly steps = computed(() => {
    const order = this.order();
    return order ? orderSteps(order, (a) => this.session.can(a)) : undefined;
  });
  protected readonly shippable = computed(() => {
    const order = this.order();
    return order ? shippableBySku(order) : new Map<string, number>();
  });
  private readonly codes = computed(() => new Map(this.warehouses.list().map((w) => [w.id, w.code])));

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    effect(() => {
      void this.load(this.id());
    });
  }

  protected warehouseCode(id: string): string {
    return this.codes().get(id) ?? id.slice(0, 8);
  }

  protected typed(index: number, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.toShip.update((all) => {
      const next = [...all];
      next[index] = value;
      return next;
    });
  }

  /** Ships the typed quantities, or (`all`) everything allocated and not yet shipped. */
  protected async ship(all: boolean): Promise<void> {
    const order = this.order();
    if (!order) return;
    let lines: { sku: string; qty: number }[] | undefined;
    if (!all) {
      const checked = shipmentLines(order, this.toShip());
      if (Object.keys(checked.errors).length > 0) {
        this.fieldErrors.set(checked.errors);
        this.error.set(checked.errors.lines ?? 'Check the quantities to ship.');
        this.done.set('');
        return;
      }
      lines = checked.lines;
    }
    const units = lines?.reduce((n, l) => n + l.qty, 0);
    await this.run(
      (id) =>
        this.session.api((c) =>
          c.POST('/api/orders/{id}/ship', { params: { path: { id } }, body: lines ? { lines } : {} }),
        ),
      units === undefined
        ? 'Shipped everything allocated.'
        : `Shipped ${units} ${units === 1 ? 'unit' : 'units'}.`,
    );
  }

  protected async step(step: Step): Promise<void> {
    const said = {
      confirm: 'Order confirmed.',
      cancel: 'Order cancelled; its stock is released.',
      deliver: 'Marked delivered.',
    };
    await this.run((id) => {
      const params = { params: { path: { id } } };
      if (step === 'confirm') return this.session.api((c) => c.POST('/api/orders/{id}/confirm', params));
      if (step === 'cancel') return this.session.api((c) => c.POST('/api/orders/{id}/cancel', params));
      return this.session.api((c) => c.POST('/api/orders/{id}/deliver', params));
    }, said[step]);
  }

  private async run(call: (id: string) => Promise<{ data: Order }>, success: string): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    this.done.set('');
    this.fieldErrors.set({});
    try {
      const { data } = await call(this.id());
      this.show(data);
      this.done.set(success);
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      this.fieldErrors.set(readable.fields);
      // What the refusal was about may have changed under us (shipped or cancelled elsewhere).
      await this.load(this.id(), { keepMessages: true });
    } finally {
      this.busy.set(false);
    }
  }

  private show(order: Order): void {
    this.order.set(order);
    this.toShip.set(order.lines.map(() => ''));
  }

  private async load(id: string, opts: { keepMessages?: boolean } = {}): Promise<void> {
    if (!opts.keepMessages) this.loadError.set('');
    try {
      const { data } = await this.session.api((c) => c.GET('/api/orders/{id}', { params: { path: { id } } }));
      if (id !== this.id()) return;
      // After a refusal the typed quantities stay, so the person can correct them.
      if (opts.keepMessages) this.order.set(data);
      else this.show(data);
    } catch (err) {
      if (id === this.id()) this.loadError.set(readableError(err).message);
    }
  }
}
