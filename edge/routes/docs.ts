/** GET /openapi.json (the whole API: the edge's routes merged over core's) and GET /docs (its reader). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { createOpenApiRouter } from '../../core/platform/http.ts';
import { apiInfo, problemResponses, publicRoute } from '../../core/platform/openapi.ts';
import { docsPage } from '../docs-page.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';
import { mergedOpenApi } from '../openapi.ts';
import { edgeDocumentConfig } from '../openapi-merge.ts';

const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string().openapi({ example: '3.1.0' }),
    info: z.looseObject({
      title: z.string().openapi({ example: apiInfo.title }),
      version: z.string().openapi({ example: apiInfo.version }),
    }),
    paths: z.record(z.string(), z.unknown()).openapi({ example: {} }),
  })
  .openapi('OpenApiDocument');

const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  tags: ['meta'],
  summary: 'This document: the OpenAPI 3.1 description of the whole API',
  description:
    "The edge's own routes merged over the documents of the core services it routes to; the same as `openapi.json` in the repository. Open to anyone; cached for a minute. `/docs` renders it.",
  ...publicRoute,
  responses: {
    200: {
      description: 'OpenAPI 3.1 document',
      content: { 'application/json': { schema: openApiDocumentSchema } },
    },
    ...problemResponses(502),
  },
});

/** The docs routes; `edge` is the whole edge app, whose own routes the document describes. */
export function docsRoutes(edge: OpenAPIHono<EdgeEnv>) {
  return createOpenApiRouter<EdgeEnv>()
    .openapi(openApiRoute, async (c) => {
      const edgeDoc = edge.getOpenAPI31Document(edgeDocumentConfig);
      const doc = await mergedOpenApi(edgeConfig(c.env), edgeDoc as never, c.var.requestId);
      // The schema above shows a document's outline; the whole document is more than it names.
      return c.json(doc as z.infer<typeof openApiDocumentSchema>, 200);
    })
    .get('/docs', (c) => c.html(docsPage));
}
