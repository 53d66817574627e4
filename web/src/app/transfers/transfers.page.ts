/**
 * Transfers between warehouses (/transfers): the list (by status), a form to request one (its
 * stock is reserved at the source at once), and shipping and receiving them, for roles that may.
 */
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { Router } from '@angular/router';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { statusLabel } from '../orders/order-steps';
import { TransferForm } from './transfer-form';
import {
  receiptLines,
  type Transfer,
  type TransferStatus,
  transferStatuses,
  transferSteps,
  transferSummary,
} from './transfer-steps';

type Step = 'ship' | 'receive' | 'cancel';

@Component({
  selector: 'app-transfers-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [TransferForm],
  templateUrl: './transfers.page.html',
  styleUrl: '../forms/work-screen.css',
})
export class TransfersPage {
  protected readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  private readonly router = inject(Router);
  /** Query parameters (bound by the router). */
  readonly status = input<string>();
  readonly cursor = input<string>();

  protected readonly statuses = transferStatuses;
  protected readonly label = statusLabel;
  protected readonly summary = transferSummary;
  protected readonly transfers = signal<readonly Transfer[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(true);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  protected readonly done = signal('');
  /** The transfer whose partial receipt is open, and its quantities as typed. */
  protected readonly receiving = signal<string | undefined>(undefined);
  protected readonly toReceive = signal<string[]>([]);
  protected readonly fieldErrors = signal<Record<string, string>>({});
  private readonly codes = computed(() => new Map(this.warehouses.list().map((w) => [w.id, w.code])));
  private latest = 0;

  constructor() {
    void this.warehouses.load().catch(() => undefined);
    effect(() => {
      void this.load(this.status(), this.cursor());
    });
  }

  protected code(id: string): string {
    return this.codes().get(id) ?? id.slice(0, 8);
  }

  protected steps(transfer: Transfer) {
    return transferSteps(transfer, (a) => this.session.can(a));
  }

  protected filter(event: Event): void {
    const status = (event.target as HTMLSelectElement).value || null;
    void this.router.navigate([], { queryParams: { status, cursor: null }, queryParamsHandling: 'merge' });
  }

  protected nextPage(cursor: string | null): void {
    void this.router.navigate([], { queryParams: { cursor }, queryParamsHandling: 'merge' });
  }

  protected created(transfer: Transfer): void {
    this.done.set(
      `Transfer ${transfer.id.slice(0, 8)} requested; its stock is reserved at ${this.code(transfer.fromWarehouseId)}.`,
    );
    this.error.set('');
    void this.load(this.status(), this.cursor());
  }

  protected startReceipt(transfer: Transfer): void {
    const open = this.receiving() !== transfer.id;
    this.receiving.set(open ? transfer.id : undefined);
    this.toReceive.set(transfer.lines.map(() => ''));
    this.fieldErrors.set({});
  }

  protected typed(index: number, event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    this.toReceive.update((all) => all.map((v, i) => (i === index ? value : v)));
  }

  protected async receivePart(event: SubmitEvent, transfer: Transfer): Promise<void> {
    event.preventDefault();
    const checked = receiptLines(transfer, this.toReceive());
    this.fieldErrors.set(checked.errors);
    if (Object.keys(checked.errors).length > 0) {
      this.error.set(checked.errors.lines ?? 'Check the quantities to receive.');
      this.done.set('');
      return;
    }
    await this.step(transfer, 'receive', checked.lines);
  }

  /** Ship or cancel a requested transfer, or receive (all, or `lines`) of one in transit. */
  protected async step(
    transfer: Transfer,
    step: Step,
    lines?: { sku: string; qty: number }[],
  ): Promise<void> {
    this.busy.set(true);
    this.error.set('');
    this.done.set('');
    const params = { params: { path: { id: transfer.id } } };
    try {
      const { data } = await this.session.api((c) =>
        step === 'ship'
          ? c.POST('/api/transfers/{id}/ship', params)
          : step === 'receive'
            ? c.POST('/api/transfers/{id}/receive', { ...params, body: lines ? { lines } : {} })
            : c.POST('/api/transfers/{id}/cancel', params),
      );
      this.receiving.set(undefined);
      this.fieldErrors.set({});
      this.transfers.update((all) => all.map((t) => (t.id === data.id ? data : t)));
      this.done.set(`Transfer ${data.id.slice(0, 8)} is now ${statusLabel(data.status).toLowerCase()}.`);
    } catch (err) {
      const readable = readableError(err);
      this.error.set(readable.message);
      this.fieldErrors.set(readable.fields);
      void this.load(this.status(), this.cursor());
    } finally {
      this.busy.set(false);
    }
  }

  private async load(status: string | undefined, cursor: string | undefined): Promise<void> {
    const request = ++this.latest;
    this.loading.set(true);
    try {
      const query = {
        limit: 25,
        ...(status ? { status: status as TransferStatus } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const { data } = await this.session.api((c) => c.GET('/api/transfers', { params: { query } }));
      if (request !== this.latest) return;
      this.transfers.set(data.items);
      this.nextCursor.set(data.nextCursor ?? null);
    } catch (err) {
      if (request === this.latest) this.error.set(readableError(err).message);
    } finally {
      if (request === this.latest) this.loading.set(false);
    }
  }
}
