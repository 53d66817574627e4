/** The room connection's state, in words and colour, announced politely to screen readers. */
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ConnectionState } from './live-stock';

const labels: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  'signed-out': 'Signed out',
  'no-access': 'No access to this warehouse',
};

@Component({
  selector: 'app-connection-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<p class="status" role="status" [attr.data-state]="state()">
    <span class="dot" aria-hidden="true"></span>{{ label() }}
  </p>`,
  styles: `
    .status { display: inline-flex; align-items: center; gap: 0.4rem; margin: 0; padding: 0.2rem 0.6rem;
      border-radius: 999px; background: var(--head); font-size: 0.9rem; }
    .dot { width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--muted); }
    [data-state='connected'] .dot { background: var(--ok); }
    [data-state='reconnecting'] .dot, [data-state='connecting'] .dot { background: var(--pending); }
    [data-state='signed-out'] .dot, [data-state='no-access'] .dot { background: var(--warn); }
  `,
})
export class ConnectionStatus {
  readonly state = input.required<ConnectionState>();
  protected readonly label = computed(() => labels[this.state()]);
}
