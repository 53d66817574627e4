/**
 * /admin/webhooks: where events go. Each subscription with its events and whether it sends (and
 * why not); a new one's signing secret is shown once; an admin turns one off and on, rotates
 * its secret (the old one keeps signing for a grace period) and deletes it. A subscription's
 * deliveries are on its own page.
 */
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { whenLabel } from '../admin/access';
import { clearTypedFields } from '../admin/access-fields';
import { ShownOnce } from '../admin/shown-once';
import { ApiSession } from '../api/api-session';
import { PagedList } from '../api/paged-list';
import { readableError } from '../api/problem-message';
import { ScreenAction } from '../api/screen-action';
import {
  type EventChoice,
  eventsLabel,
  type Subscription,
  subscriptionState,
  WEBHOOK_EVENTS,
} from './webhook-views';

@Component({
  selector: 'app-webhooks-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ShownOnce],
  templateUrl: './webhooks.page.html',
  styleUrl: './partners.css',
})
export class WebhooksPage {
  private readonly session = inject(ApiSession);
  protected readonly subscriptions = new PagedList<Subscription>(async (cursor) => {
    const { data } = await this.session.api((c) =>
      c.GET('/api/webhooks', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } }),
    );
    return data;
  });
  protected readonly events = WEBHOOK_EVENTS;
  protected readonly everyEvent = signal(true);
  protected readonly chosenEvents = signal<readonly EventChoice[]>([]);
  protected readonly action = new ScreenAction();
  protected readonly createError = signal('');
  protected readonly createErrors = signal<Record<string, string>>({});
  /** A secret just made or rotated: in memory only, gone when the page is left or reloaded. */
  protected readonly secret = signal<{ heading: string; value: string } | undefined>(undefined);
  protected readonly eventsLabel = eventsLabel;
  protected readonly state = subscriptionState;
  protected readonly whenLabel = whenLabel;

  constructor() {
    void this.subscriptions.reload();
  }

  protected pickEvent(event: EventChoice, chosen: boolean): void {
    const next = new Set(this.chosenEvents());
    if (chosen) next.add(event);
    else next.delete(event);
    this.chosenEvents.set(this.events.filter((e) => next.has(e)));
  }

  protected async create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const fields = new FormData(form);
    const description = String(fields.get('description') ?? '').trim();
    this.action.busy.set(true);
    this.createError.set('');
    this.createErrors.set({});
    try {
      const { data } = await this.session.api((c) =>
        c.POST('/api/webhooks', {
          body: {
            url: String(fields.get('url') ?? '').trim(),
            events: this.everyEvent() ? ['*'] : [...this.chosenEvents()],
            ...(description ? { description } : {}),
          },
        }),
      );
      const { secret, ...listed } = data;
      this.secret.set({ heading: `The signing secret for ${listed.url}`, value: secret });
      this.subscriptions.change((rows) => [listed, ...rows]);
      clearTypedFields(form);
      this.chosenEvents.set([]);
      this.everyEvent.set(true);
    } catch (err) {
      const readable = readableError(err);
      this.createError.set(readable.message);
      this.createErrors.set(readable.fields);
    } finally {
      this.action.busy.set(false);
    }
  }

  protected setEnabled(sub: Subscription, enabled: boolean): Promise<void> {
    return this.action.run(async () => {
      const { data } = await this.session.api((c) =>
        c.PATCH('/api/webhooks/{id}', { params: { path: { id: sub.id } }, body: { enabled } }),
      );
      this.replace(data);
      this.action.notice.set(
        enabled ? `${sub.url} receives events again.` : `Nothing more is sent to ${sub.url}.`,
      );
    });
  }

  protected rotate(sub: Subscription): Promise<void> {
    if (!confirm(`Make a new signing secret for ${sub.url}? The old one keeps signing for a grace period.`))
      return Promise.resolve();
    return this.action.run(async () => {
      const { data } = await this.session.api((c) =>
        c.POST('/api/webhooks/{id}/rotate-secret', { params: { path: { id: sub.id } } }),
      );
      this.secret.set({ heading: `The new signing secret for ${sub.url}`, value: data.secret });
      this.replace({ ...sub, secretRotatedAt: data.rotatedAt });
    });
  }

  protected remove(sub: Subscription): Promise<void> {
    if (!confirm(`Delete the subscription for ${sub.url} and its delivery log?`)) return Promise.resolve();
    return this.action.run(async () => {
      await this.session.api((c) => c.DELETE('/api/webhooks/{id}', { params: { path: { id: sub.id } } }));
      this.subscriptions.change((rows) => rows.filter((s) => s.id !== sub.id));
      this.action.notice.set(`The subscription for ${sub.url} is deleted.`);
    });
  }

  private replace(sub: Subscription): void {
    this.subscriptions.change((rows) => rows.map((s) => (s.id === sub.id ? sub : s)));
  }
}
