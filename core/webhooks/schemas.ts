import { z } from '@hono/zod-openapi';
import { eventTypes } from '../platform/events.ts';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
import { pageQuery } from '../platform/pagination.ts';
import { deliveryStatuses } from './tables.ts';

const exampleSubscription = '1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';
const exampleDelivery = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';
const exampleEvent = '7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f';
const exampleSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw0d3Bq7f5x6Y=';

const urlField = z
  .url({ protocol: /^https?$/, error: 'An http(s) URL (https in production)' })
  .max(2048)
  .openapi({ example: 'https://partner.example/hooks/varastokkr' });
const eventsField = z
  .array(z.enum([...eventTypes, '*']))
  .min(1)
  .max(eventTypes.length + 1)
  .refine((events) => new Set(events).size === events.length, 'List each event once')
  .openapi({
    description: 'The event types to receive, or `["*"]` for every one (only about objects you may read).',
    example: ['stock.changed', 'order.created'],
  });
const descriptionField = z.string().trim().max(500).openapi({ example: 'Storefront stock sync' });

export const subscriptionSchema = z
  .object({
    id: z.string().openapi({ example: exampleSubscription }),
    url: z.string().openapi({ example: 'https://partner.example/hooks/varastokkr' }),
    events: z.array(z.string()).openapi({ example: ['stock.changed', 'order.created'] }),
    description: z.string().nullable().openapi({ example: 'Storefront stock sync' }),
    enabled: z.boolean().openapi({ example: true }),
    disabledReason: z.string().nullable().openapi({ example: null }),
    failingSince: z.string().nullable().openapi({
      description:
        'When deliveries started failing (unset by a success); after 5 days the subscription is disabled.',
      example: null,
    }),
    secretRotatedAt: z.string().nullable().openapi({ example: null }),
    ownerKind: z.enum(['user', 'api_key']).openapi({ example: 'api_key' }),
    ownerId: z.string().openapi({ example: exampleIds.apiKey }),
    createdAt: z.string().openapi({ example: exampleTime }),
    updatedAt: z.string().openapi({ example: exampleTime }),
  })
  .openapi('WebhookSubscription');
export type SubscriptionView = z.infer<typeof subscriptionSchema>;

export const createdSubscriptionSchema = subscriptionSchema
  .extend({
    secret: z.string().openapi({
      description: 'The signing secret (Standard Webhooks, `whsec_<base64>`); shown only here.',
      example: exampleSecret,
    }),
  })
  .openapi('CreatedWebhookSubscription');

export const createSubscriptionSchema = z
  .object({
    url: urlField,
    events: eventsField,
    description: descriptionField.optional(),
  })
  .strict()
  .openapi('CreateWebhookSubscription');
export type CreateSubscription = z.infer<typeof createSubscriptionSchema>;

export const updateSubscriptionSchema = z
  .object({
    url: urlField.optional(),
    events: eventsField.optional(),
    enabled: z.boolean().optional().openapi({ example: true }),
    description: descriptionField.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Send at least one field')
  .openapi('UpdateWebhookSubscription');
export type UpdateSubscription = z.infer<typeof updateSubscriptionSchema>;

export const rotatedSecretSchema = z
  .object({
    secret: z.string().openapi({ example: exampleSecret }),
    rotatedAt: z.string().openapi({
      description:
        'From then on deliveries carry two signatures, one per secret, for the grace period (WEBHOOK_SECRET_GRACE_HOURS, 24 h by default).',
      example: exampleTime,
    }),
  })
  .openapi('RotatedWebhookSecret');

export const subscriptionParam = z.object({
  id: z.uuid().openapi({ example: exampleSubscription }),
});
export const deliveryParam = subscriptionParam.extend({
  deliveryId: z.uuid().openapi({ example: exampleDelivery }),
});

const attemptSchema = z
  .object({
    attempt: z.number().int().openapi({ example: 1 }),
    at: z.string().openapi({ example: exampleTime }),
    url: z.string().openapi({ example: 'https://partner.example/hooks/varastokkr' }),
    statusCode: z.number().int().nullable().openapi({ example: 500 }),
    durationMs: z.number().int().openapi({ example: 84 }),
    responseBody: z
      .string()
      .nullable()
      .openapi({ description: 'The first 1 KB of the answer', example: 'oops' }),
    error: z.string().nullable().openapi({ example: 'the receiver answered 500' }),
  })
  .openapi('WebhookAttempt');

export const deliverySchema = z
  .object({
    id: z.string().openapi({ example: exampleDelivery }),
    webhookId: z.string().openapi({
      description:
        'The webhook-id header: the same on every attempt and replay (the receiver dedupes by it).',
      example: `msg_${exampleDelivery}`,
    }),
    subscriptionId: z.string().openapi({ example: exampleSubscription }),
    eventId: z.string().openapi({ example: exampleEvent }),
    eventType: z.string().openapi({ example: 'stock.changed' }),
    status: z.enum(deliveryStatuses).openapi({ example: 'succeeded' }),
    attemptCount: z.number().int().openapi({ example: 2 }),
    nextAttemptAt: z.string().nullable().openapi({ example: null }),
    occurredAt: z.string().openapi({ example: exampleTime }),
    createdAt: z.string().openapi({ example: exampleTime }),
    attempts: z.array(attemptSchema).openapi({ description: 'Every attempt, oldest first' }),
  })
  .openapi('WebhookDelivery');
export type DeliveryView = z.infer<typeof deliverySchema>;

export const deliveryQuery = pageQuery.extend({
  status: z.enum(deliveryStatuses).optional().openapi({ example: 'failed' }),
});

export const replaySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).openapi({ example: '2026-01-15T00:00:00.000Z' }),
    to: z.iso.datetime({ offset: true }).openapi({ example: exampleTime }),
  })
  .strict()
  .refine((v) => Date.parse(v.from) < Date.parse(v.to), { message: 'from must be before to', path: ['from'] })
  .openapi('WebhookReplay');

export const replayedSchema = z
  .object({
    queued: z.number().int().openapi({ description: 'Deliveries queued to be sent again', example: 12 }),
    nextFrom: z.string().nullable().openapi({
      description:
        'Set when the range held more than one call replays (10,000 events): call again with this as `from`.',
      example: null,
    }),
  })
  .openapi('WebhookReplayed');

/** Where a QStash callback belongs: set by us in the callback URL QStash signs. */
export const qstashCallbackQuery = z.object({
  delivery: z.uuid().openapi({ description: 'The delivery the callback is about', example: exampleDelivery }),
  outcome: z.enum(['attempt', 'failure']).openapi({
    description:
      "`attempt`: QStash's callback after an attempt; `failure`: its failure callback (retries exhausted)",
    example: 'attempt',
  }),
});

export const qstashCallbackHeaders = z.object({
  'upstash-signature': z.string().optional().openapi({
    description: "QStash's JWT (HS256) over the URL and the body's SHA-256",
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig',
  }),
});

/** What QStash posts to a callback (the fields we use; the rest are ignored). */
export const qstashCallbackBody = z.object({
  status: z.number().int(),
  /** The receiver's answer, base64. */
  body: z.string().optional(),
  retried: z.number().int().optional(),
  maxRetries: z.number().int().optional(),
  sourceMessageId: z.string().optional(),
  /** Milliseconds, when QStash says. */
  duration: z.number().optional(),
});
export type QStashCallbackBody = z.infer<typeof qstashCallbackBody>;

export const qstashCallbackAnswer = z
  .object({
    recorded: z.boolean().openapi({
      description: 'false: the delivery no longer exists (its subscription was deleted); nothing to do',
      example: true,
    }),
  })
  .openapi('QStashCallbackAnswer');
