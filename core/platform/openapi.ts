import { z } from '@hono/zod-openapi';
import {
  type AppError,
  BadGatewayError,
  ConflictError,
  ForbiddenError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  PreconditionRequiredError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './problem.ts';

/** The document's own fields, the same in core's /openapi.json and the edge's merged one. */
export const apiInfo = {
  title: 'Varastokkr API',
  version: '1',
  description:
    'Inventory management: product catalog, stock per warehouse with an exact ledger, orders that never oversell, purchasing, transfers, live warehouse rooms. Errors are RFC 9457 problem+json.',
  license: { name: 'MIT', identifier: 'MIT' },
  contact: { name: 'Varastokkr maintainers (security reports: see SECURITY.md)' },
};

// Relative: the edge serves this document, so its reader (/docs) and clients resolve the API
// against wherever they fetched it from, in development and in any deployment alike.
export const apiServers = [
  {
    url: '/',
    description:
      'The origin this document is served from: the edge (http://127.0.0.1:8787 under `bun run dev`)',
  },
];

/** Every tag an operation may carry, in the order a reader meets them. */
export const apiTags = [
  { name: 'identity', description: 'Signing in, access and refresh tokens, users and partner API keys.' },
  { name: 'catalog', description: 'Products, barcodes, printable labels, CSV import and export.' },
  {
    name: 'inventory',
    description: 'Warehouses, stock levels, the movement ledger, stock counts, transfers and availability.',
  },
  { name: 'orders', description: 'Orders: reserved on placing, allocated across warehouses, shipped.' },
  {
    name: 'purchasing',
    description: 'Vendors, purchase orders and receiving, replenishment drafted from shortfalls and demand.',
  },
  {
    name: 'webhooks',
    description:
      'Signed outbound webhooks (Standard Webhooks): subscriptions, their deliveries, retries and replays.',
  },
  {
    name: 'analytics',
    description:
      'KPIs from daily rollups of the ledger: sales, turnover, days of cover, stockouts, ABC/XYZ, dead stock.',
  },
  { name: 'operations', description: 'Background jobs: what failed or waits, and running it again.' },
  {
    name: 'integrations',
    description: 'Shops connected to push their orders in (Shopify, WooCommerce), and the orders received.',
  },
  {
    name: 'audit',
    description: 'Who changed what and when: every write, hash-chained so a rewrite is detectable.',
  },
  { name: 'health', description: 'Whether the edge, core, the database and the Durable Objects answer.' },
  { name: 'meta', description: 'This document.' },
  {
    name: 'graphql',
    description: 'A read-only GraphQL API at the edge, with the same credentials, roles and scopes as REST.',
  },
];

/** Spread into a createRoute() config of a route anyone may call (no credentials). */
export const publicRoute: { security: Record<string, string[]>[] } = { security: [] };

/** Ids the examples share, so the example order's warehouse is the example warehouse. */
export const exampleIds = {
  user: '3f2b8c1a-6d4e-4f5a-9b7c-1e2d3c4b5a69',
  apiKey: '7a1c9e3b-2f4d-4c6a-8e5b-9d0f1a2b3c4d',
  product: 'c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f',
  warehouse: '0b9c5d1e-8a4f-4e7b-9a3c-2d1f0e6b7a58',
  otherWarehouse: 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9',
  order: '9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a',
  transfer: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
  count: '6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e',
  vendor: '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f',
} as const;
/** A moment the examples share (ISO 8601, as every timestamp in the API). */
export const exampleTime = '2026-01-15T09:30:00.000Z';
const exampleRequestId = '5f0c6a8e-3c1d-4b7a-9e2f-8d4c1b6a7e90';

/** RFC 9457 problem document, as every error response in the API. */
export const problemSchema = z
  .looseObject({
    type: z.string().openapi({ example: 'https://varastokkr.dev/problems/validation' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().optional().openapi({ example: 'The request has invalid fields; see errors.' }),
    requestId: z.string().optional().openapi({ example: exampleRequestId }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({
        description: 'For validation problems: the offending fields.',
        example: [{ path: 'sku', message: 'Required' }],
      }),
  })
  .openapi('Problem', {
    description:
      'RFC 9457 problem details. A problem type may add members of its own (extensions), such as `retryAfter` (429), `limitBytes` (413) or `expected` (415).',
  });

/** Per status: what it means, and a problem the API really answers with. */
const problems: Record<number, { description: string; error: AppError }> = {
  400: { description: 'Malformed request (for example, invalid JSON)', error: new MalformedJsonError() },
  401: { description: 'Missing or invalid credentials', error: new UnauthorizedError() },
  403: {
    description: 'Not allowed for this caller',
    error: new ForbiddenError(),
  },
  404: { description: 'Not found', error: new NotFoundError() },
  409: {
    description: 'Conflicts with the current state',
    error: new ConflictError(
      'The order changed while this request ran; read it again and retry.',
      'order-changed',
    ),
  },
  412: { description: 'If-Match did not match', error: new PreconditionFailedError() },
  413: { description: 'Body too large', error: new PayloadTooLargeError(1_048_576) },
  415: {
    description: 'Wrong content type',
    error: new UnsupportedMediaTypeError('application/json', 'text/plain'),
  },
  422: {
    description: 'Invalid fields (see errors)',
    error: new ValidationError([{ path: 'sku', message: 'Required' }]),
  },
  428: { description: 'If-Match is required', error: new PreconditionRequiredError() },
  429: {
    description: 'Too many attempts; retry after the Retry-After header',
    error: new TooManyRequestsError('Too many failed sign-ins; try again later.', 60),
  },
  502: {
    description: 'A service behind the edge could not be reached',
    error: new BadGatewayError(
      'The API description of http://127.0.0.1:8788 could not be fetched; is core running?',
    ),
  },
  503: {
    description: 'A dependency is unavailable',
    error: new ServiceUnavailableError('The database does not answer.'),
  },
};

/**
 * Problem+json response entries for a route definition, each with an example: a status takes
 * its usual problem; an error (`outOfStock([...])`) is the example for its status, as the route
 * really answers it.
 */
export function problemResponses(...answers: (number | AppError)[]) {
  return Object.fromEntries(
    answers.map((answer) => {
      const status = typeof answer === 'number' ? answer : answer.status;
      const problem = problems[status];
      if (!problem) throw new Error(`No problem description for status ${status}: add one to problems.`);
      const error = typeof answer === 'number' ? problem.error : answer;
      const example = { ...error.toProblem(), requestId: exampleRequestId };
      return [
        status,
        {
          description: problem.description,
          content: { 'application/problem+json': { schema: problemSchema, example } },
        },
      ];
    }),
  );
}

/** A required JSON request body. Required, so a missing or non-JSON body is refused (415/422). */
export function jsonBody<S extends z.ZodType>(schema: S, description?: string) {
  return { required: true, description, content: { 'application/json': { schema } } } as const;
}

export function jsonContent<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}
