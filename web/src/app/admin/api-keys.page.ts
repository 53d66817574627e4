/**
 * /admin/api-keys: the partner keys (a storefront's, a marketplace's), each with its prefix,
 * roles, scope and last use; an admin creates one and revokes one. A new key is shown exactly
 * once, right after it is made: only its hash is stored, so this page cannot show it again.
 */
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { components } from '@varastokkr/client';
import { ApiSession, type Role } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { scopeLabel, whenLabel } from './access';
import { AccessFields, clearTypedFields } from './access-fields';
import { ShownOnce } from './shown-once';

type ApiKey = components['schemas']['ApiKey'];

@Component({
  selector: 'app-api-keys-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AccessFields, ShownOnce],
  templateUrl: './api-keys.page.html',
})
export class ApiKeysPage {
  private readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  protected readonly keys = signal<readonly ApiKey[]>([]);
  protected readonly loaded = signal(false);
  protected readonly error = signal('');
  protected readonly busy = signal(false);
  protected readonly newRoles = signal<Role[]>(['partner']);
  protected readonly newWarehouses = signal<string[]>([]);
  protected readonly createErrors = signal<Record<string, string>>({});
  protected readonly createError = signal('');
  /** The key just made: in memory only, gone when the page is left or reloaded. */
  protected readonly created = signal<{ name: string; key: string } | undefined>(undefined);
  protected readonly scopeLabel = scopeLabel;
  protected readonly whenLabel = whenLabel;

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const { data } = await this.session.api((c) => c.GET('/api/api-keys'));
      this.keys.set(data.items);
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.loaded.set(true);
    }
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const formElement = event.target as HTMLFormElement;
    const name = String(new FormData(formElement).get('name') ?? '');
    this.busy.set(true);
    this.createError.set('');
    this.createErrors.set({});
    try {
      const { data } = await this.session.api((c) =>
        c.POST('/api/api-keys', {
          body: { name, roles: this.newRoles(), warehouseIds: this.newWarehouses() },
        }),
      );
      const { key, ...listed } = data;
      this.created.set({ name: data.name, key });
      this.keys.set([listed, ...this.keys()]);
      clearTypedFields(formElement);
      this.newRoles.set(['partner']);
      this.newWarehouses.set([]);
    } catch (err) {
      const readable = readableError(err);
      this.createError.set(readable.message);
      this.createErrors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(key: ApiKey): Promise<void> {
    if (!confirm(`Revoke the key "${key.name}"? Whatever uses it stops working at once.`)) return;
    this.busy.set(true);
    this.error.set('');
    try {
      await this.session.api((c) => c.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } }));
      const revokedAt = new Date().toISOString();
      this.keys.set(this.keys().map((k) => (k.id === key.id ? { ...k, revokedAt } : k)));
    } catch (err) {
      this.error.set(readableError(err).message);
    } finally {
      this.busy.set(false);
    }
  }
}
