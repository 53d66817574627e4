/**
 * Webhook subscriptions and deliveries as the partner screens show them: plain functions over
 * the API's answers, tested with bun:test.
 */
import type { components } from '@varastokkr/client';

export type Subscription = components['schemas']['WebhookSubscription'];
export type Delivery = components['schemas']['WebhookDelivery'];
/** What a subscription may ask for: an event type, or `*` for every one. */
export type EventChoice = components['schemas']['CreateWebhookSubscription']['events'][number];
type WebhookEvent = Exclude<EventChoice, '*'>;

/** Every event a subscription may ask for, in the order the form offers them. */
export const WEBHOOK_EVENTS = [
  'order.created',
  'order.confirmed',
  'order.updated',
  'order.cancelled',
  'order.shipped',
  'order.delivered',
  'stock.changed',
  'stock.low',
  'product.created',
  'product.updated',
  'product.archived',
  'transfer.updated',
  'purchase_order.updated',
  'warehouse.created',
  'webhook.disabled',
] as const satisfies readonly WebhookEvent[];
// An event the API adds and this list lacks fails to compile here, so the form never hides one.
const everyEventListed: [Exclude<WebhookEvent, (typeof WEBHOOK_EVENTS)[number]>] extends [never]
  ? true
  : false = true;
void everyEventListed;

/** The events as a cell shows them. */
export function eventsLabel(events: readonly string[]): string {
  return events.includes('*') ? 'Every event' : events.join(', ');
}

/** Whether it sends, and if not, why: what an admin looks at first. */
export function subscriptionState(sub: Subscription): { tag: string; detail: string } {
  if (!sub.enabled) return { tag: 'disabled', detail: sub.disabledReason ?? 'Turned off by hand.' };
  if (sub.failingSince) return { tag: 'failing', detail: `Deliveries fail since ${sub.failingSince}.` };
  return { tag: 'active', detail: '' };
}

/** The last attempt in a few words: its status code or error, and how long it took. */
export function lastAttemptLabel(delivery: Delivery): string {
  const last = delivery.attempts.at(-1);
  if (!last) return 'Not tried yet';
  const outcome = last.statusCode !== null ? `HTTP ${last.statusCode}` : (last.error ?? 'no answer');
  return `${outcome} in ${last.durationMs} ms`;
}

/** The replay range a form's two datetime-local fields give, as the API takes it; errors by field. */
export function replayRange(
  from: string,
  to: string,
): { from: string; to: string } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const parsed = { from: new Date(from), to: new Date(to) };
  if (!from || Number.isNaN(parsed.from.getTime())) errors['from'] = 'Pick when the range starts.';
  if (!to || Number.isNaN(parsed.to.getTime())) errors['to'] = 'Pick when the range ends.';
  if (Object.keys(errors).length > 0) return { errors };
  if (parsed.from >= parsed.to) return { errors: { from: 'The start must come before the end.' } };
  return { from: parsed.from.toISOString(), to: parsed.to.toISOString() };
}
