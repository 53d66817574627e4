/**
 * The frame around every signed-in screen: the app's name, its navigation, the warehouse
 * picker (for people with more than one) and who is signed in.
 */
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';
import { ApiSession } from '../api/api-session';
import { Warehouses } from '../api/warehouses';

/** Every screen in the main navigation, with the policy action that makes it worth showing. */
const navigation = [
  { path: '/products', label: 'Products', action: 'catalog:read' },
  { path: '/orders', label: 'Orders', action: 'orders:read' },
  { path: '/transfers', label: 'Transfers', action: 'transfers:read' },
  { path: '/purchasing', label: 'Purchasing', action: 'purchase-orders:read' },
  { path: '/scan', label: 'Scan', action: 'stock:adjust' },
  { path: '/admin/users', label: 'Users', action: 'users:manage' },
  { path: '/admin/api-keys', label: 'API keys', action: 'api-keys:manage' },
  { path: '/admin/webhooks', label: 'Webhooks', action: 'webhooks:manage' },
  { path: '/admin/integrations', label: 'Integrations', action: 'integrations:manage' },
  { path: '/admin/jobs', label: 'Jobs', action: 'jobs:manage' },
  { path: '/analytics', label: 'Analytics', action: 'analytics:read' },
] as const;

@Component({
  selector: 'app-shell',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet, RouterLink, RouterLinkActive],
  templateUrl: './app-shell.html',
  styleUrl: './app-shell.css',
})
export class AppShell {
  protected readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  private readonly router = inject(Router);
  private readonly url = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      map(() => this.router.url),
    ),
    { initialValue: this.router.url },
  );
  /** The warehouse in the address (/warehouses/:id/...), else the first one. */
  protected readonly warehouseId = computed(
    () => /^\/warehouses\/([^/?#]+)/.exec(this.url())?.[1] ?? this.warehouses.list()[0]?.id,
  );

  /** The screens this user's role may use (the API still decides each call). */
  protected readonly links = computed(() => navigation.filter((link) => this.session.can(link.action)));

  constructor() {
    void this.warehouses.load().catch(() => undefined);
  }

  /** The picker keeps the screen and changes the warehouse. */
  protected pickWarehouse(event: Event): void {
    const id = (event.target as HTMLSelectElement).value;
    void this.router.navigate(['/warehouses', id, 'stock']);
  }
}
