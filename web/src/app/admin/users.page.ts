/**
 * /admin/users: everyone who can sign in, with their roles and warehouses; an admin creates a
 * user, edits their name, roles and scope, and disables (or enables again) an account. Disabling
 * ends that person's sessions and live sockets on the server.
 */
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { components } from '@varastokkr/client';
import type { Role } from '../api/api-session';
import { ApiSession } from '../api/api-session';
import { PagedList } from '../api/paged-list';
import { readableError } from '../api/problem-message';
import { Warehouses } from '../api/warehouses';
import { scopeLabel, whenLabel } from './access';
import { AccessFields, clearTypedFields } from './access-fields';

type User = components['schemas']['User'];

/** The user being edited, as the form holds it. */
interface Draft {
  id: string;
  name: string;
  roles: Role[];
  warehouseIds: string[];
}

@Component({
  selector: 'app-users-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AccessFields],
  templateUrl: './users.page.html',
})
export class UsersPage {
  private readonly session = inject(ApiSession);
  protected readonly warehouses = inject(Warehouses);
  protected readonly users = new PagedList<User>(async (cursor) => {
    const { data } = await this.session.api((c) =>
      c.GET('/api/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
    );
    return data;
  });
  protected readonly error = signal('');
  protected readonly notice = signal('');
  protected readonly busy = signal(false);

  protected readonly newRoles = signal<Role[]>(['clerk']);
  protected readonly newWarehouses = signal<string[]>([]);
  protected readonly createErrors = signal<Record<string, string>>({});
  protected readonly createError = signal('');

  protected readonly editing = signal<Draft | undefined>(undefined);
  protected readonly editError = signal('');
  protected readonly scopeLabel = scopeLabel;
  protected readonly whenLabel = whenLabel;

  constructor() {
    void this.users.reload();
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const formElement = event.target as HTMLFormElement;
    const form = new FormData(formElement);
    this.busy.set(true);
    this.createError.set('');
    this.createErrors.set({});
    try {
      const { data } = await this.session.api((c) =>
        c.POST('/api/users', {
          body: {
            email: String(form.get('email') ?? ''),
            name: String(form.get('name') ?? ''),
            password: String(form.get('password') ?? ''),
            roles: this.newRoles(),
            warehouseIds: this.newWarehouses(),
          },
        }),
      );
      this.users.change((users) => [data, ...users]);
      this.notice.set(`${data.email} can now sign in.`);
      clearTypedFields(formElement);
      this.newRoles.set(['clerk']);
      this.newWarehouses.set([]);
    } catch (err) {
      const readable = readableError(err);
      this.createError.set(readable.message);
      this.createErrors.set(readable.fields);
    } finally {
      this.busy.set(false);
    }
  }

  protected edit(user: User): void {
    this.editError.set('');
    this.editing.set({
      id: user.id,
      name: user.name,
      roles: [...user.roles],
      warehouseIds: [...user.warehouseIds],
    });
  }

  protected patchDraft(change: Partial<Draft>): void {
    const draft = this.editing();
    if (draft) this.editing.set({ ...draft, ...change });
  }

  protected async saveEdit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const draft = this.editing();
    if (!draft) return;
    const saved = await this.update(
      draft.id,
      { name: draft.name, roles: draft.roles, warehouseIds: draft.warehouseIds },
      this.editError,
    );
    if (saved) this.editing.set(undefined);
  }

  /** Disabling is a PATCH of the status: the account stays, with its history, and can come back. */
  protected setStatus(user: User, status: User['status']): Promise<User | undefined> {
    return this.update(user.id, { status }, this.error);
  }

  private async update(
    id: string,
    body: components['schemas']['UpdateUser'],
    errorTo: typeof this.error,
  ): Promise<User | undefined> {
    this.busy.set(true);
    errorTo.set('');
    try {
      const { data } = await this.session.api((c) =>
        c.PATCH('/api/users/{id}', { params: { path: { id } }, body }),
      );
      this.users.change((users) => users.map((u) => (u.id === id ? data : u)));
      this.notice.set(`${data.email} saved.`);
      return data;
    } catch (err) {
      errorTo.set(readableError(err).message);
      return undefined;
    } finally {
      this.busy.set(false);
    }
  }

  protected isSelf(user: User): boolean {
    return user.id === this.session.user()?.id;
  }
}
