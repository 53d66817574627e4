/** The webhooks service's endpoints: /api/webhooks/*, subscriptions and their deliveries. */
import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { authProblems, publicRoute, secured } from '../identity/authorize.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageQuery, pageSchema } from '../platform/pagination.ts';
import { ConflictError, ValidationError } from '../platform/problem.ts';
import { listDeliveries, replayDeliveries, retryDelivery } from './delivery-log.ts';
import { recordQStashCallback } from './qstash-callback.ts';
import {
  createdSubscriptionSchema,
  createSubscriptionSchema,
  deliveryParam,
  deliveryQuery,
  deliverySchema,
  qstashCallbackAnswer,
  qstashCallbackHeaders,
  qstashCallbackQuery,
  replayedSchema,
  replaySchema,
  rotatedSecretSchema,
  subscriptionParam,
  subscriptionSchema,
  updateSubscriptionSchema,
} from './schemas.ts';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSecret,
  updateSubscription,
} from './subscriptions.ts';
import { refusedWhenSubscribed } from './target-address.ts';

const tags = ['webhooks'];

/** A URL production would never send to is refused now (422 on `url`), not after days of failures. */
function checkSubscribedUrl(url: string | undefined, allowPrivate: boolean): void {
  const refused = url === undefined ? undefined : refusedWhenSubscribed(url, allowPrivate);
  if (refused) throw new ValidationError([{ path: 'url', message: refused }]);
}
const disabled = new ConflictError(
  'The subscription is disabled; enable it (PATCH enabled: true) to send to it again.',
  'webhook-disabled',
);

const createRouteDef = createRoute({
  method: 'post',
  path: '/api/webhooks',
  operationId: 'createWebhook',
  tags,
  summary: 'Subscribe a URL to events (admins, partners)',
  description:
    'Events are POSTed to the URL per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), signed with the secret answered here once. A subscription receives only events about objects its owner may read (a partner: its own orders, stock of the warehouses in its scope, the catalog). Admins and partners; partners manage only their own subscriptions.',
  ...secured('webhooks:manage'),
  request: { body: jsonBody(createSubscriptionSchema) },
  responses: {
    201: jsonContent(createdSubscriptionSchema, 'The subscription, with its secret (shown only now)'),
    ...authProblems,
    ...problemResponses(400, 413, 415, 422),
  },
});

const listRouteDef = createRoute({
  method: 'get',
  path: '/api/webhooks',
  operationId: 'listWebhooks',
  tags,
  summary: 'Webhook subscriptions, newest first',
  description: 'Every subscription for admins; a partner sees its own. Secrets are never shown again.',
  ...secured('webhooks:manage'),
  request: { query: pageQuery },
  responses: {
    200: jsonContent(pageSchema(subscriptionSchema), 'A page of subscriptions'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const readRouteDef = createRoute({
  method: 'get',
  path: '/api/webhooks/{id}',
  operationId: 'getWebhook',
  tags,
  summary: 'Read a webhook subscription',
  description: "One subscription; another partner's is 404.",
  ...secured('webhooks:manage'),
  request: { params: subscriptionParam },
  responses: {
    200: jsonContent(subscriptionSchema, 'The subscription'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const updateRouteDef = createRoute({
  method: 'patch',
  path: '/api/webhooks/{id}',
  operationId: 'updateWebhook',
  tags,
  summary: 'Change a webhook subscription',
  description:
    'Changes only the fields sent. `enabled: true` turns a disabled subscription on again and forgets its failures; deliveries that failed meanwhile can be retried or replayed.',
  ...secured('webhooks:manage'),
  request: { params: subscriptionParam, body: jsonBody(updateSubscriptionSchema) },
  responses: {
    200: jsonContent(subscriptionSchema, 'The subscription'),
    ...authProblems,
    ...problemResponses(400, 404, 415, 422),
  },
});

const deleteRouteDef = createRoute({
  method: 'delete',
  path: '/api/webhooks/{id}',
  operationId: 'deleteWebhook',
  tags,
  summary: 'Delete a webhook subscription',
  description: 'Deletes the subscription and its delivery log; nothing more is sent to it.',
  ...secured('webhooks:manage'),
  request: { params: subscriptionParam },
  responses: {
    204: { description: 'Deleted' },
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const rotateRouteDef = createRoute({
  method: 'post',
  path: '/api/webhooks/{id}/rotate-secret',
  operationId: 'rotateWebhookSecret',
  tags,
  summary: "Replace a subscription's signing secret",
  description:
    'Answers the new secret (shown only now). For a grace period (24 h by default) deliveries carry two `v1,` signatures, by the new and the previous secret, so the receiver can switch without losing an event.',
  ...secured('webhooks:manage'),
  request: { params: subscriptionParam },
  responses: {
    200: jsonContent(rotatedSecretSchema, 'The new secret'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const deliveriesRouteDef = createRoute({
  method: 'get',
  path: '/api/webhooks/{id}/deliveries',
  operationId: 'listWebhookDeliveries',
  tags,
  summary: "A subscription's deliveries with every attempt, newest first",
  description:
    'One delivery per event sent to the subscription: its status (pending, succeeded, failed), the next attempt, and every attempt with its status code, duration, the first 1 KB of the answer and the error. `status=` filters.',
  ...secured('webhooks:manage'),
  request: { params: subscriptionParam, query: deliveryQuery },
  responses: {
    200: jsonContent(pageSchema(deliverySchema), 'A page of deliveries'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const retryRouteDef = createRoute({
  method: 'post',
  path: '/api/webhooks/{id}/deliveries/{deliveryId}/retry',
  operationId: 'retryWebhookDelivery',
  tags,
  summary: 'Send a delivery again now',
  description:
    'Makes the delivery due at once with fresh retries, whatever became of it (a receiver dedupes it by its unchanged webhook-id). 409 while the subscription is disabled.',
  ...secured('webhooks:manage'),
  request: { params: deliveryParam },
  responses: {
    200: jsonContent(deliverySchema, 'The delivery, pending again'),
    ...authProblems,
    ...problemResponses(404, disabled, 422),
  },
});

const replayRouteDef = createRoute({
  method: 'post',
  path: '/api/webhooks/{id}/replay',
  operationId: 'replayWebhook',
  tags,
  summary: 'Send again the events of a time range',
  description:
    'Queues every archived event that occurred in [from, to) (the archive keeps EVENT_ARCHIVE_DAYS, 30 by default) that the subscription wants and its owner may read, at most 10,000 per call: each with the webhook-id it had, so a receiver keeps only what it missed. 409 while the subscription is disabled.',
  ...secured('webhooks:manage'),
  request: { params: subscriptionParam, body: jsonBody(replaySchema) },
  responses: {
    202: jsonContent(replayedSchema, 'How many deliveries were queued'),
    ...authProblems,
    ...problemResponses(400, 404, disabled, 415, 422),
  },
});

const qstashCallbackRouteDef = createRoute({
  method: 'post',
  // QSTASH_CALLBACK_PATH, written out so searching the URL finds the route.
  path: '/api/webhooks/qstash/callback',
  operationId: 'receiveQStashCallback',
  tags,
  summary: "QStash's delivery callbacks (when webhooks go through QStash)",
  description:
    "Called by Upstash QStash, not by people, when QSTASH_TOKEN is set and deliveries are published through it: after each attempt (`outcome=attempt`, QStash's callback) and when it gives up (`outcome=failure`, its failure callback; the message is in its dead-letter queue). The body is QStash's callback JSON: `status` (the receiver's status code), `body` (its answer, base64), `retried`, `maxRetries`, `sourceMessageId`. Believed only when `Upstash-Signature` verifies under QSTASH_CURRENT_SIGNING_KEY or QSTASH_NEXT_SIGNING_KEY for this URL and body (401 otherwise, and nothing is recorded). Each callback is an attempt in the delivery log: 2xx succeeds the delivery, 410 disables the subscription, a failure callback fails it, and a subscription failing for 5 days is disabled (a delivery failed so is cancelled at QStash, ending its retries). 404 when webhooks are not sent through QStash.",
  ...publicRoute,
  request: { query: qstashCallbackQuery, headers: qstashCallbackHeaders },
  responses: {
    200: jsonContent(qstashCallbackAnswer, 'Recorded (or the delivery no longer exists)'),
    ...problemResponses(401, 404, 413, 422),
  },
});

export const webhooksRoutes = createRouter()
  .openapi(createRouteDef, async (c) => {
    checkSubscribedUrl(c.req.valid('json').url, c.var.webhooks.allowPrivateUrls);
    return c.json(
      await createSubscription(
        c.var.db,
        c.var.principal,
        c.req.valid('json'),
        c.var.identity.settings.signingKeyEncryption,
      ),
      201,
    );
  })
  .openapi(listRouteDef, async (c) =>
    c.json(await listSubscriptions(c.var.db, c.var.principal, c.req.valid('query')), 200),
  )
  .openapi(readRouteDef, async (c) =>
    c.json(await getSubscription(c.var.db, c.var.principal, c.req.valid('param').id), 200),
  )
  .openapi(updateRouteDef, async (c) => {
    checkSubscribedUrl(c.req.valid('json').url, c.var.webhooks.allowPrivateUrls);
    return c.json(
      await updateSubscription(c.var.db, c.var.principal, c.req.valid('param').id, c.req.valid('json')),
      200,
    );
  })
  .openapi(deleteRouteDef, async (c) => {
    await deleteSubscription(c.var.db, c.var.principal, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(rotateRouteDef, async (c) =>
    c.json(
      await rotateSecret(
        c.var.db,
        c.var.principal,
        c.req.valid('param').id,
        c.var.identity.settings.signingKeyEncryption,
      ),
      200,
    ),
  )
  .openapi(deliveriesRouteDef, async (c) =>
    c.json(
      await listDeliveries(c.var.db, c.var.principal, c.req.valid('param').id, c.req.valid('query')),
      200,
    ),
  )
  .openapi(retryRouteDef, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(await retryDelivery(c.var.db, c.var.principal, id, deliveryId), 200);
  })
  .openapi(replayRouteDef, async (c) =>
    c.json(
      await replayDeliveries(c.var.db, c.var.principal, c.req.valid('param').id, c.req.valid('json')),
      202,
    ),
  )
  .openapi(qstashCallbackRouteDef, async (c) => {
    const { delivery, outcome } = c.req.valid('query');
    const answer = await recordQStashCallback(c.var.db, c.var.webhooks, {
      deliveryId: delivery,
      outcome,
      signature: c.req.valid('header')['upstash-signature'],
      // The raw text: the signature covers these bytes.
      rawBody: await c.req.text(),
    });
    return c.json(answer, 200);
  });
