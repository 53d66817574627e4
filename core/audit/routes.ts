/** The audit routes: /api/audit, who changed what and when. */
import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { warehouseScope } from '../identity/policy.ts';
import { jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageSchema } from '../platform/pagination.ts';
import { listAuditEntries } from './audit-reads.ts';
import { auditEntrySchema, auditQuery } from './schemas.ts';

const listAuditRoute = createRoute({
  method: 'get',
  path: '/api/audit',
  operationId: 'listAuditEntries',
  tags: ['audit'],
  summary: 'The audit log, newest first',
  description:
    'Every write made through the API: who (user or API key, roles, address and user agent), what (entity, action, the changed fields before and after; secrets redacted), when, and under which request id. Filter by entity, actor and time. Admins read everything; managers the catalog (products, vendors) and the stock, orders, transfers, purchase orders and warehouses of their warehouses.',
  ...secured('audit:read'),
  request: { query: auditQuery },
  responses: {
    200: jsonContent(pageSchema(auditEntrySchema), 'A page of audit entries'),
    ...authProblems,
    ...problemResponses(422),
  },
});

export const auditRoutes = createRouter().openapi(listAuditRoute, async (c) => {
  const page = await listAuditEntries(c.var.db, c.req.valid('query'), warehouseScope(c.var.principal));
  return c.json(page, 200);
});
