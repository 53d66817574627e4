import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { authProblems, secured } from './authorize.ts';
import { tellRoomsKeyRevoked } from './room-sockets.ts';
import { apiKeySchema, createApiKeySchema, createdApiKeySchema, idParam } from './schemas.ts';

const create = createRoute({
  method: 'post',
  path: '/api/api-keys',
  operationId: 'createApiKey',
  tags: ['identity'],
  summary: 'Create a partner API key (admin); the key is shown once',
  description:
    "A key for a partner's server (a storefront, a marketplace), sent as the X-API-Key header. The response carries the key itself once; only its hash is stored. With `userId`, disabling that user stops the key. Admins only.",
  ...secured('api-keys:manage'),
  request: { body: jsonBody(createApiKeySchema) },
  responses: {
    201: jsonContent(createdApiKeySchema, 'The key, shown this once'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/api/api-keys',
  operationId: 'listApiKeys',
  tags: ['identity'],
  summary: 'List API keys by prefix, with last use (admin)',
  description:
    'Every key with its visible prefix, roles, scope and when it was last used; never the key itself. Admins only.',
  ...secured('api-keys:manage'),
  responses: { 200: jsonContent(z.object({ items: z.array(apiKeySchema) }), 'Every key'), ...authProblems },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api/api-keys/{id}',
  operationId: 'revokeApiKey',
  tags: ['identity'],
  summary: 'Revoke an API key (admin)',
  description:
    'The key stops working at once, and live warehouse sockets opened with it are closed. Admins only.',
  ...secured('api-keys:manage'),
  request: { params: idParam },
  responses: { 204: { description: 'Revoked' }, ...authProblems, ...problemResponses(404, 422) },
});

export const apiKeyRoutes = createRouter()
  .openapi(create, async (c) =>
    c.json(await createApiKey(c.var.db, c.req.valid('json'), c.var.principal), 201),
  )
  .openapi(list, async (c) => c.json({ items: await listApiKeys(c.var.db) }, 200))
  .openapi(revoke, async (c) => {
    const { id } = c.req.valid('param');
    await c.var.db.transaction(async (tx) => {
      await revokeApiKey(tx, id);
      await tellRoomsKeyRevoked(tx, id);
    });
    return c.body(null, 204);
  });
