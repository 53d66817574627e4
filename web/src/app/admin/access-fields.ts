/**
 * The roles and warehouse scope of a user or an API key, as two groups of checkboxes (a fieldset
 * each, so a screen reader names the group with every box). Shared by the user and key forms.
 */
import { ChangeDetectionStrategy, Component, inject, input, model } from '@angular/core';
import type { Role } from '../api/api-session';
import { Warehouses } from '../api/warehouses';
import { ROLES, withChoice } from './access';

/**
 * Empties a form's typed fields after it was sent. Not `form.reset()`: that would also untick
 * the role and warehouse boxes behind Angular's back, while their signals still hold the choice.
 */
export function clearTypedFields(form: HTMLFormElement): void {
  for (const field of form.querySelectorAll<HTMLInputElement>('input:not([type=checkbox])')) field.value = '';
}

@Component({
  selector: 'app-access-fields',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <fieldset>
      <legend>Roles</legend>
      @for (role of allRoles; track role) {
        <label class="choice">
          <input type="checkbox" [name]="idPrefix() + '-role'" [value]="role" [checked]="roles().includes(role)"
                 (change)="pickRole(role, $event)" />
          {{ role }}
        </label>
      }
      @if (error(); as message) {
        <p class="field-error">{{ message }}</p>
      }
    </fieldset>
    <fieldset>
      <legend>Warehouses</legend>
      @if (roles().includes('admin')) {
        <p class="hint">Admins act in every warehouse.</p>
      }
      @for (w of warehouses.list(); track w.id) {
        <label class="choice">
          <input type="checkbox" [name]="idPrefix() + '-warehouse'" [value]="w.id"
                 [checked]="warehouseIds().includes(w.id)" (change)="pickWarehouse(w.id, $event)" />
          {{ w.code }} · {{ w.name }}
        </label>
      } @empty {
        <p class="hint">No warehouses yet.</p>
      }
    </fieldset>
  `,
  styles: `
    :host { display: contents; }
    fieldset { border: 1px solid var(--line); border-radius: 4px; padding: 0.4rem 0.75rem 0.6rem; margin: 0; }
    legend { font-weight: 600; padding: 0 0.25rem; }
    .choice { display: inline-flex; gap: 0.35rem; align-items: center; margin: 0.2rem 1rem 0.2rem 0; }
    .hint { margin: 0.2rem 0; color: var(--muted); }
  `,
})
export class AccessFields {
  protected readonly warehouses = inject(Warehouses);
  protected readonly allRoles = ROLES;
  readonly roles = model<Role[]>([]);
  readonly warehouseIds = model<string[]>([]);
  /** Names the inputs apart when two forms are on one page. */
  readonly idPrefix = input('access');
  /** The API's message for the roles field, if it refused them. */
  readonly error = input<string | undefined>();

  constructor() {
    void this.warehouses.load().catch(() => undefined);
  }

  protected pickRole(role: Role, event: Event): void {
    this.roles.set(withChoice(ROLES, this.roles(), role, (event.target as HTMLInputElement).checked));
  }

  protected pickWarehouse(id: string, event: Event): void {
    const all = this.warehouses.list().map((w) => w.id);
    this.warehouseIds.set(
      withChoice(all, this.warehouseIds(), id, (event.target as HTMLInputElement).checked),
    );
  }
}
