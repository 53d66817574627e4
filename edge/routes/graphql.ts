/**
 * POST /graphql (a query as JSON) and GET /graphql?id=<sha256> (a persisted query), answered at
 * the edge by graphql-js over the edge's own REST routes and the warehouse rooms (../graphql/).
 * Credentials are checked first, as for any /api route; then each field gets what its REST
 * endpoint would give the caller.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createOpenApiRouter } from '../../core/platform/http.ts';
import { problemResponses } from '../../core/platform/openapi.ts';
import { refuseWithoutCredentials } from '../auth.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';
import persistedQueries from '../graphql/persisted-queries.json';
import { type GraphqlAnswer, type GraphqlParams, refused, runGraphql } from '../graphql/run.ts';
import { Sources } from '../graphql/sources.ts';

const exampleQuery = '{ products(first: 2) { items { sku availability { available } } endCursor } }';

const graphqlRequestSchema = z
  .object({
    query: z.string().openapi({ example: exampleQuery }),
    variables: z.record(z.string(), z.unknown()).nullable().optional().openapi({ example: {} }),
    operationName: z.string().nullable().optional().openapi({ example: null }),
  })
  .openapi('GraphqlRequest');

const graphqlResponseSchema = z
  .object({
    data: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .openapi({
        example: {
          products: { items: [{ sku: 'HAM-16OZ', availability: { available: 40 } }], endCursor: null },
        },
      }),
    errors: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      .openapi({
        example: [
          {
            message: 'This warehouse is outside your scope.',
            extensions: { code: 'FORBIDDEN', status: 403 },
          },
        ],
      }),
    extensions: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ example: { cost: 7, depth: 4, reads: { rest: 1, rooms: 2 } } }),
  })
  .openapi('GraphqlResponse');

const graphqlResponses = {
  200: {
    description: 'The answer: `data`, and `errors` for fields that could not be read',
    content: { 'application/json': { schema: graphqlResponseSchema } },
  },
  400: {
    description:
      'Malformed, unknown fields, bad variables, or over the depth or cost limit: `errors`, no `data`',
    content: { 'application/json': { schema: graphqlResponseSchema } },
  },
  403: {
    description: 'Nothing could be read and every error is a refusal (a warehouse outside your scope)',
    content: { 'application/json': { schema: graphqlResponseSchema } },
  },
  404: {
    description: 'Nothing could be read and every error is a not-found (or not yours)',
    content: { 'application/json': { schema: graphqlResponseSchema } },
  },
  ...problemResponses(401),
};

// What core's secured() declares (an action every role has; each field then checks its own).
const security = {
  security: [{ bearerAuth: [] }, { apiKey: [] }] as Record<string, string[]>[],
  'x-action': 'catalog:read',
};
const description =
  "Read-only GraphQL over products, availability per warehouse (from the warehouse rooms, batched), orders, transfers, purchase orders and the analytics summary, with the same credentials, roles and warehouse scopes as the REST API: every field reads what its REST endpoint would give you. Depth at most 8; cost at most 10,000 (a list counts once per item its `first` allows); the answer's `extensions` say the cost and the reads made. The schema is `edge/graphql/schema.graphql`.";

const postRoute = createRoute({
  method: 'post',
  path: '/graphql',
  operationId: 'postGraphql',
  tags: ['graphql'],
  summary: 'Run a GraphQL query (read-only)',
  description,
  ...security,
  request: { body: { content: { 'application/json': { schema: graphqlRequestSchema } }, required: true } },
  responses: graphqlResponses,
});

const getRoute = createRoute({
  method: 'get',
  path: '/graphql',
  operationId: 'getGraphqlPersisted',
  tags: ['graphql'],
  summary: 'Run a persisted GraphQL query by its hash',
  description: `Runs one of the queries committed in \`edge/graphql/persisted-queries.json\` (cacheable URLs, no query text over GET: any other query is refused). ${description}`,
  ...security,
  request: {
    query: z.object({
      id: z.string().openapi({
        description: 'The sha256 (hex) of the query text',
        example: Object.keys(persistedQueries)[0],
      }),
      variables: z.string().optional().openapi({ description: 'JSON object', example: '{"first":10}' }),
      operationName: z.string().optional().openapi({ example: 'ProductsWithAvailability' }),
    }),
  },
  responses: graphqlResponses,
});

const persisted: Record<string, string> = persistedQueries;

/** A POST body as GraphQL params, or the 400 that says what is wrong with it. */
async function postedParams(c: Context<EdgeEnv>, maxBytes: number): Promise<GraphqlParams | GraphqlAnswer> {
  if (!/^application\/json\b/.test(c.req.header('content-type') ?? ''))
    return refused(
      'Send the query as JSON: Content-Type: application/json, { "query": ..., "variables": ... }.',
    );
  const text = await c.req.text();
  if (text.length > maxBytes) return refused(`The body is over ${maxBytes} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return refused('The body is not valid JSON.');
  }
  const parsed = graphqlRequestSchema.safeParse(body);
  if (!parsed.success)
    return refused('The body must be { "query": string, "variables"?: object, "operationName"?: string }.');
  return parsed.data;
}

/** A GET's persisted query and its variables, or the 400 that says what is wrong. */
function persistedParams(c: Context<EdgeEnv>): GraphqlParams | GraphqlAnswer {
  if (c.req.query('query') !== undefined)
    return refused(
      'GET runs persisted queries only (?id=<sha256>); POST the query text instead.',
      'PERSISTED_QUERY_ONLY',
    );
  const id = c.req.query('id') ?? '';
  const query = persisted[id];
  if (!query)
    return refused(`No persisted query has the id "${id.slice(0, 80)}".`, 'PERSISTED_QUERY_NOT_FOUND');
  let variables: unknown = {};
  try {
    variables = JSON.parse(c.req.query('variables') ?? '{}');
  } catch {
    return refused('`variables` is not valid JSON.');
  }
  if (!variables || typeof variables !== 'object' || Array.isArray(variables))
    return refused('`variables` must be a JSON object.');
  return {
    query,
    variables: variables as Record<string, unknown>,
    operationName: c.req.query('operationName'),
  };
}

/** The GraphQL routes; `edge` is the whole edge app, through which fields read REST. */
export function graphqlRoutes(edge: OpenAPIHono<EdgeEnv>) {
  const router = createOpenApiRouter<EdgeEnv>();
  router.openAPIRegistry.registerPath(postRoute);
  router.openAPIRegistry.registerPath(getRoute);

  const answer = async (c: Context<EdgeEnv>, read: () => Promise<GraphqlParams | GraphqlAnswer>) => {
    const cfg = edgeConfig(c.env);
    await refuseWithoutCredentials(cfg, c.req.raw.headers);
    const params = await read();
    const sources = new Sources({
      env: c.env,
      cfg,
      incoming: c.req.raw,
      requestId: c.var.requestId,
      fetchEdge: async (request) => edge.fetch(request, c.env, c.executionCtx),
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    });
    const result =
      'status' in params
        ? params
        : await runGraphql(params, sources, (err) =>
            c.var.log.error('graphql field failed', { err: String(err) }),
          );
    return c.json(result.body, result.status as 200, { 'cache-control': 'private, no-store' });
  };
  // Not validated by the route's schema: a bad body is a GraphQL error, not a problem document.
  router.post('/graphql', (c) => answer(c, () => postedParams(c, edgeConfig(c.env).MAX_BODY_BYTES)));
  router.get('/graphql', (c) => answer(c, async () => persistedParams(c)));
  return router;
}
