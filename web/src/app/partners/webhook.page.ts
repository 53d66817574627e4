/**
 * /admin/webhooks/:id: one subscription's deliveries, newest first, each with every attempt
 * (status code, duration, the start of the answer, the error); a failed one is sent again with
 * one click, and a time range of events is replayed (each with its webhook-id, so the receiver
 * keeps only what it missed).
 */
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { whenLabel } from '../admin/access';
import { ApiSession } from '../api/api-session';
import { PagedList } from '../api/paged-list';
import { readableError } from '../api/problem-message';
import { ScreenAction } from '../api/screen-action';
import {
  type Delivery,
  eventsLabel,
  lastAttemptLabel,
  replayRange,
  type Subscription,
  subscriptionState,
} from './webhook-views';

type DeliveryFilter = '' | Delivery['status'];

@Component({
  selector: 'app-webhook-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink],
  templateUrl: './webhook.page.html',
  styleUrl: './partners.css',
})
export class WebhookPage {
  private readonly session = inject(ApiSession);
  /** The route's :id (bound by the router). */
  readonly id = input.required<string>();
  protected readonly subscription = signal<Subscription | undefined>(undefined);
  protected readonly status = signal<DeliveryFilter>('');
  protected readonly deliveries = new PagedList<Delivery>(async (cursor) => {
    const status = this.status();
    const { data } = await this.session.api((c) =>
      c.GET('/api/webhooks/{id}/deliveries', {
        params: {
          path: { id: this.id() },
          query: { limit: 25, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) },
        },
      }),
    );
    return data;
  });
  protected readonly state = computed(() => {
    const sub = this.subscription();
    return sub ? subscriptionState(sub) : undefined;
  });
  protected readonly action = new ScreenAction();
  protected readonly replayErrors = signal<Record<string, string>>({});
  protected readonly eventsLabel = eventsLabel;
  protected readonly lastAttempt = lastAttemptLabel;
  protected readonly whenLabel = whenLabel;

  constructor() {
    effect(() => {
      void this.load(this.id());
    });
  }

  private async load(id: string): Promise<void> {
    try {
      const { data } = await this.session.api((c) =>
        c.GET('/api/webhooks/{id}', { params: { path: { id } } }),
      );
      this.subscription.set(data);
    } catch (err) {
      this.action.error.set(readableError(err).message);
    }
    await this.deliveries.reload();
  }

  protected show(status: DeliveryFilter): void {
    this.status.set(status);
    void this.deliveries.reload();
  }

  protected retry(delivery: Delivery): Promise<void> {
    return this.action.run(async () => {
      const { data } = await this.session.api((c) =>
        c.POST('/api/webhooks/{id}/deliveries/{deliveryId}/retry', {
          params: { path: { id: this.id(), deliveryId: delivery.id } },
        }),
      );
      this.deliveries.change((rows) => rows.map((d) => (d.id === data.id ? data : d)));
      this.action.notice.set(`The ${delivery.eventType} delivery is being sent again.`);
    });
  }

  protected replay(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const fields = new FormData(event.target as HTMLFormElement);
    const range = replayRange(String(fields.get('from') ?? ''), String(fields.get('to') ?? ''));
    this.replayErrors.set('errors' in range ? range.errors : {});
    if ('errors' in range) return Promise.resolve();
    return this.action.run(async () => {
      const { data } = await this.session.api((c) =>
        c.POST('/api/webhooks/{id}/replay', { params: { path: { id: this.id() } }, body: range }),
      );
      const sent =
        data.queued === 0
          ? 'No event of that range is for this subscription.'
          : `${data.queued} ${data.queued === 1 ? 'delivery is' : 'deliveries are'} being sent again.`;
      // One call replays at most 10,000 events: say where the rest of the range starts.
      const more = data.nextFrom
        ? ` The range holds more: replay again from ${whenLabel(data.nextFrom)}.`
        : '';
      this.action.notice.set(sent + more);
      await this.deliveries.reload();
    });
  }

  /** Refreshes the log: deliveries move from pending to done while the page is open. */
  protected refresh(): void {
    void this.load(this.id());
  }
}
