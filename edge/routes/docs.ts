/** GET /openapi.json (the whole API: the edge's routes merged over core's) and GET /docs (its reader). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { createOpenApiRouter } from '../../core/platform/http.ts';
import { docsPage } from '../docs-page.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';
import { mergedOpenApi } from '../openapi.ts';

const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['meta'],
  summary: 'This document: the OpenAPI 3.1 description of the whole API',
  responses: {
    200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: z.object({}) } } },
  },
});

/** The docs routes; `edge` is the whole edge app, whose own routes the document describes. */
export function docsRoutes(edge: OpenAPIHono<EdgeEnv>) {
  return createOpenApiRouter<EdgeEnv>()
    .openapi(openApiRoute, async (c) => {
      const edgeDoc = edge.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Varastokkr API',
          version: '1',
          description:
            'Inventory management: product catalog, stock per warehouse with an exact ledger, orders that never oversell, purchasing, transfers, live warehouse rooms. Errors are RFC 9457 problem+json.',
        },
      });
      return c.json(await mergedOpenApi(edgeConfig(c.env), edgeDoc as never, c.var.requestId), 200);
    })
    .get('/docs', (c) => c.html(docsPage));
}
