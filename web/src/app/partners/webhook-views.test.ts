import { describe, expect, test } from 'bun:test';
import {
  type Delivery,
  eventsLabel,
  lastAttemptLabel,
  replayRange,
  type Subscription,
  subscriptionState,
} from './webhook-views';

const subscription: Subscription = {
  id: 's1',
  url: 'https://partner.example/hooks',
  events: ['order.created'],
  description: null,
  enabled: true,
  disabledReason: null,
  failingSince: null,
  secretRotatedAt: null,
  ownerKind: 'user',
  ownerId: 'u1',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

const delivery = (attempts: Delivery['attempts']): Delivery => ({
  id: 'd1',
  webhookId: 'msg_d1',
  subscriptionId: 's1',
  eventId: 'e1',
  eventType: 'order.created',
  status: 'failed',
  attemptCount: attempts.length,
  nextAttemptAt: null,
  occurredAt: '2026-12-01T10:00:00.000Z',
  createdAt: '2026-12-01T10:00:00.000Z',
  attempts,
});
const attempt = {
  attempt: 1,
  at: '2026-12-01T10:00:01.000Z',
  url: 'https://partner.example/hooks',
  responseBody: null,
};

describe('subscriptions', () => {
  test('every event, or the list', () => {
    expect(eventsLabel(['*'])).toBe('Every event');
    expect(eventsLabel(['order.created', 'stock.changed'])).toBe('order.created, stock.changed');
  });

  test('disabled says why, failing says since when, else active', () => {
    expect(subscriptionState(subscription)).toEqual({ tag: 'active', detail: '' });
    expect(subscriptionState({ ...subscription, failingSince: '2026-12-01T11:00:00.000Z' }).tag).toBe(
      'failing',
    );
    expect(
      subscriptionState({
        ...subscription,
        enabled: false,
        disabledReason: 'The receiver answered 410 Gone.',
      }),
    ).toEqual({ tag: 'disabled', detail: 'The receiver answered 410 Gone.' });
    expect(subscriptionState({ ...subscription, enabled: false }).detail).toBe('Turned off by hand.');
  });
});

describe('deliveries', () => {
  test("the last attempt's status code, or its error when there was no answer", () => {
    expect(lastAttemptLabel(delivery([]))).toBe('Not tried yet');
    expect(lastAttemptLabel(delivery([{ ...attempt, statusCode: 500, durationMs: 12, error: null }]))).toBe(
      'HTTP 500 in 12 ms',
    );
    expect(
      lastAttemptLabel(
        delivery([{ ...attempt, statusCode: null, durationMs: 10000, error: 'timed out after 10 s' }]),
      ),
    ).toBe('timed out after 10 s in 10000 ms');
  });

  test('a replay range is two instants in order, each field named when wrong', () => {
    expect(replayRange('2026-12-01T10:00', '2026-12-01T12:00')).toEqual({
      from: new Date('2026-12-01T10:00').toISOString(),
      to: new Date('2026-12-01T12:00').toISOString(),
    });
    expect(replayRange('', 'nonsense')).toEqual({
      errors: { from: 'Pick when the range starts.', to: 'Pick when the range ends.' },
    });
    expect(replayRange('2026-12-01T12:00', '2026-12-01T10:00')).toEqual({
      errors: { from: 'The start must come before the end.' },
    });
  });
});
