/**
 * The scanner (/scan), made for a phone on the warehouse floor: a code from the camera, a
 * keyboard-wedge scanner (types the code and presses Enter) or the keyboard, then what the
 * chosen mode does with it: look the product up, count it, pick it for an order or receive it.
 * Writes wait in IndexedDB while offline (ScanWrites) and the screen says how many wait.
 */
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  type ElementRef,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { CameraScanner } from './camera-scanner';
import { CountPanel } from './count-panel';
import { LookupPanel } from './lookup-panel';
import { keepScannerOffline } from './offline-shell';
import { PickPanel } from './pick-panel';
import { ReceivePanel } from './receive-panel';
import { type Scan, ScanContext, type ScanWarehouse } from './scan-context';
import { ScanWrites } from './scan-writes';

export type ScanMode = 'lookup' | 'count' | 'pick' | 'receive';

const modes: { id: ScanMode; label: string }[] = [
  { id: 'lookup', label: 'Look up' },
  { id: 'count', label: 'Count' },
  { id: 'pick', label: 'Pick' },
  { id: 'receive', label: 'Receive' },
];

@Component({
  selector: 'app-scan-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [CameraScanner, LookupPanel, CountPanel, PickPanel, ReceivePanel],
  templateUrl: './scan.page.html',
  styleUrl: './scan.page.css',
})
export class ScanPage {
  protected readonly context = inject(ScanContext);
  protected readonly writes = inject(ScanWrites);
  private readonly warehouses = inject(Warehouses);
  private readonly codeInput = viewChild.required<ElementRef<HTMLInputElement>>('code');
  protected readonly modes = modes;
  protected readonly mode = signal<ScanMode>('lookup');
  protected readonly scan = signal<Scan | undefined>(undefined);
  protected readonly problem = signal('');
  /** Codes entered and not yet resolved (a wedge scanner can be faster than the API). */
  protected readonly pendingCodes = signal(0);
  protected readonly online = signal(globalThis.navigator?.onLine ?? true);
  private seq = 0;
  private resolved = Promise.resolve();

  /** The user's warehouses; offline, the one remembered on this device. */
  protected readonly choices = computed<readonly ScanWarehouse[]>(() => {
    const listed = this.warehouses.list();
    if (listed.length > 0) return listed;
    const remembered = this.context.warehouse();
    return remembered ? [remembered] : [];
  });

  constructor() {
    void keepScannerOffline();
    void this.warehouses.load().then(
      (all) => {
        const current = this.context.warehouse();
        const first = all[0];
        if (first && !all.some((w) => w.id === current?.id)) this.context.chooseWarehouse(first);
      },
      () => undefined, // offline: the remembered warehouse stands
    );
    const onlineNow = () => this.online.set(true);
    const offlineNow = () => this.online.set(false);
    globalThis.addEventListener?.('online', onlineNow);
    globalThis.addEventListener?.('offline', offlineNow);
    inject(DestroyRef).onDestroy(() => {
      globalThis.removeEventListener?.('online', onlineNow);
      globalThis.removeEventListener?.('offline', offlineNow);
    });
  }

  protected pickWarehouse(event: Event): void {
    const id = (event.target as HTMLSelectElement).value;
    const chosen = this.choices().find((w) => w.id === id);
    if (chosen) this.context.chooseWarehouse({ id: chosen.id, code: chosen.code, name: chosen.name });
    this.scan.set(undefined);
  }

  protected pickMode(mode: ScanMode): void {
    this.mode.set(mode);
    this.scan.set(undefined); // a new mode starts from nothing scanned
  }

  /** The form's submit: Enter from a keyboard-wedge scanner, or the button. */
  protected async enter(event: Event): Promise<void> {
    event.preventDefault();
    const input = this.codeInput().nativeElement;
    const code = input.value.trim();
    input.value = '';
    input.focus();
    if (code) await this.scanned(code);
  }

  /**
   * One code, from wherever it came: resolved to its product and handed to the mode. A wedge
   * scanner sends codes faster than they resolve: each waits for the one before, so none is
   * lost and they reach the mode in the order scanned.
   */
  protected scanned(code: string): Promise<void> {
    this.pendingCodes.update((n) => n + 1);
    this.resolved = this.resolved.then(() => this.handOver(code));
    return this.resolved;
  }

  private async handOver(code: string): Promise<void> {
    this.problem.set('');
    try {
      const product = await this.context.resolve(code);
      if (product) this.scan.set({ seq: ++this.seq, code, product });
      else this.problem.set(`No product has the code ${code}.`);
    } catch (err) {
      this.problem.set(readableError(err).message);
    } finally {
      this.pendingCodes.update((n) => n - 1);
    }
  }
}
