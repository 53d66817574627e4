/**
 * An entity's audit trail (GET /api/audit), for the pages of a product and of an order: who
 * changed what and when, newest first. Shown only to those who may read the log (admins, and
 * managers for their warehouses); it reads again when `changedAt` changes (after a save here).
 */
import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { ApiSession } from '../api/api-session';
import { readableError } from '../api/problem-message';
import { type AuditEntry, actorLabel, changeLines, whenText } from './audit-rows';

/** Entries shown: the latest ones; the log keeps the rest. */
const SHOWN = 50;

@Component({
  selector: 'app-audit-trail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  // Nothing at all, not even the host's box (a page may style it as a panel), without the right.
  host: { '[style.display]': "visible() ? 'block' : 'none'" },
  template: `
    @if (visible()) {
      <section [attr.aria-labelledby]="headingId()">
        <h2 [id]="headingId()">History</h2>
        @if (error()) {
          <p class="error" role="alert">{{ error() }}</p>
        } @else if (entries() === undefined) {
          <p role="status">Loading the history…</p>
        } @else if (entries()?.length === 0) {
          <p class="muted">No recorded changes yet.</p>
        } @else {
          <ol class="entries" aria-label="History, newest first">
            @for (e of entries(); track $index) {
              <li class="audit-entry">
                <p class="head">
                  <span class="action">{{ e.action }}</span> by <span class="who">{{ who(e.actor) }}</span>
                  <span class="muted"> · {{ when(e.at) }} UTC{{ e.actor.ip ? ' · from ' + e.actor.ip : '' }}</span>
                </p>
                <ul class="changes">
                  @for (c of changes(e); track c.field) {
                    <li><span class="name">{{ c.field }}</span>: {{ c.before }} → {{ c.after }}</li>
                  }
                </ul>
              </li>
            }
          </ol>
        }
      </section>
    }
  `,
  styles: `
    h2 { margin-top: 0; }
    .entries { list-style: none; margin: 0; padding: 0; }
    .audit-entry { border-top: 1px solid var(--line); padding: 0.5rem 0; }
    .head { margin: 0 0 0.25rem; }
    .action { font-weight: 600; }
    .changes { margin: 0; padding-left: 1.25rem; overflow-wrap: anywhere; }
    .name { font-weight: 600; }
    .head .muted { color: var(--muted); }
  `,
})
export class AuditTrail {
  private readonly session = inject(ApiSession);
  readonly entityType = input.required<AuditEntry['entityType']>();
  readonly entityId = input.required<string>();
  /** The entity's last change as the page knows it: a new value reads the trail again. */
  readonly changedAt = input<string>('');

  protected readonly entries = signal<AuditEntry[] | undefined>(undefined);
  protected readonly error = signal('');
  protected readonly visible = () => this.session.can('audit:read');
  protected readonly headingId = () => `audit-title-${this.entityType()}`;
  protected readonly when = whenText;
  protected readonly who = actorLabel;
  protected readonly changes = (e: AuditEntry) => changeLines(e.changes);

  constructor() {
    effect(() => {
      const query = { entityType: this.entityType(), entityId: this.entityId() };
      this.changedAt();
      if (this.visible()) void this.load(query);
    });
  }

  private async load(query: { entityType: AuditEntry['entityType']; entityId: string }): Promise<void> {
    this.error.set('');
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/audit', { params: { query: { ...query, limit: SHOWN } } }),
      );
      if (query.entityId === this.entityId()) this.entries.set(data.items);
    } catch (err) {
      this.error.set(`History: ${readableError(err).message}`);
    }
  }
}
