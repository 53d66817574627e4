/** /api/replenishment/*: drafting purchase orders from shortfalls now, and demand-driven reorder points. */
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { skuSchema } from '../catalog/schemas.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { assertMay } from '../identity/policy.ts';
import { exampleIds, jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { ForbiddenError } from '../platform/problem.ts';
import { runReplenishment } from './replenishment.ts';
import { applySuggestions, type SuggestionInputs, suggestReorders } from './suggestions.ts';

const tags = ['purchasing'];
const warehouseId = z.uuid().openapi({ example: exampleIds.warehouse });

const runSchema = z.object({ warehouseId: warehouseId.optional() }).strict().openapi('ReplenishmentRun');
const runResultSchema = z
  .object({
    lines: z.array(
      z.object({
        warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
        vendorId: z.string().openapi({ example: exampleIds.vendor }),
        purchaseOrderId: z.string().openapi({ example: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d' }),
        qty: z.number().int().openapi({ example: 48 }),
      }),
    ),
    noVendor: z.array(
      z.object({
        warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
      }),
    ),
  })
  .openapi('ReplenishmentResult');

const suggestionInputsQuery = z.object({
  windowDays: z.coerce.number().int().min(7).max(730).default(90).openapi({ example: 90 }),
  serviceLevel: z.coerce.number().gt(0.5).lt(1).default(0.95).openapi({ example: 0.95 }),
  orderCost: z.coerce.number().int().min(0).max(100_000_000).optional().openapi({
    description: 'Cost of placing one order, minor units: with it the quantity is the EOQ',
    example: 2500,
  }),
  holdingRate: z.coerce
    .number()
    .gt(0)
    .max(5)
    .default(0.25)
    .openapi({ description: 'Yearly cost of holding a unit, as a fraction of its unit cost', example: 0.25 }),
});

const suggestionSchema = z
  .object({
    sku: z.string().openapi({ example: 'HAM-16OZ' }),
    vendorId: z.string().nullable().openapi({ example: exampleIds.vendor }),
    avgDailyDemand: z.number().openapi({ example: 4.2 }),
    demandStdDev: z.number().openapi({ example: 1.3 }),
    leadTimeDays: z.number().int().nullable().openapi({ example: 7 }),
    z: z.number().openapi({ description: 'The service level as a z-score', example: 1.645 }),
    unitCost: z.number().int().nullable().openapi({ example: 420 }),
    packSize: z.number().int().openapi({ example: 12 }),
    minOrderQty: z.number().int().openapi({ example: 24 }),
    suggestedReorderPoint: z.number().int().nullable().openapi({ example: 36 }),
    suggestedReorderQty: z.number().int().nullable().openapi({ example: 48 }),
    qtyMethod: z.enum(['eoq', 'lead_time_demand']).nullable().openapi({ example: 'eoq' }),
    current: z.object({
      reorderPoint: z.number().int().nullable().openapi({ example: 10 }),
      reorderQty: z.number().int().nullable().openapi({ example: 50 }),
    }),
  })
  .openapi('ReorderSuggestion');

const runRoute = createRoute({
  method: 'post',
  path: '/api/replenishment/run',
  operationId: 'runReplenishment',
  tags,
  summary: 'Draft purchase orders for shortfalls now (once per shortfall)',
  description:
    'For each level whose inventory position (on hand - reserved + on order + in transit, drafts included) is below its reorder point, a line on the open draft of its preferred vendor for that warehouse, up to the reorder quantity, rounded up to the pack size and at least the minimum order. Runs that overlap or repeat add nothing for a shortfall already drafted. Without warehouseId: every warehouse in your scope. Also runs hourly and after stock.low. Admins and managers.',
  ...secured('replenishment:run'),
  request: { body: { required: false, content: { 'application/json': { schema: runSchema } } } },
  responses: {
    202: jsonContent(runResultSchema, 'What was drafted'),
    ...authProblems,
    ...problemResponses(400, 415, 422),
  },
});

const suggestionsRoute = createRoute({
  method: 'get',
  path: '/api/replenishment/suggestions',
  operationId: 'listReorderSuggestions',
  tags,
  summary: 'Reorder points and quantities suggested by demand, per sku',
  description:
    'Per sku of the warehouse: average daily demand and its deviation from shipments over `windowDays` (90), the lead time of the preferred vendor, reorder point = demand over the lead time + z·σ·√(lead time) for `serviceLevel` (0.95), and a quantity: the economic order quantity when `orderCost` is given and the unit cost is known, else demand over the lead time; rounded to pack size and minimum. Each shows its inputs and the current settings. Admins and managers of the warehouse.',
  ...secured('replenishment:plan'),
  request: { query: suggestionInputsQuery.extend({ warehouseId }) },
  responses: {
    200: jsonContent(z.object({ items: z.array(suggestionSchema) }), 'The suggestions'),
    ...authProblems,
    ...problemResponses(422),
  },
});

const applyRoute = createRoute({
  method: 'post',
  path: '/api/replenishment/suggestions/apply',
  operationId: 'applyReorderSuggestions',
  tags,
  summary: 'Set the suggested reorder points and quantities of some skus',
  description:
    'Computes the suggestions as GET does (same query parameters) and sets them as the reorder settings of these skus, with the vendor as preferred vendor. 422 naming a sku without a suggestion, nothing set. Admins and managers of the warehouse.',
  ...secured('replenishment:plan'),
  request: {
    query: suggestionInputsQuery,
    body: jsonBody(
      z
        .object({ warehouseId, skus: z.array(skuSchema).min(1).max(500) })
        .strict()
        .openapi('ApplySuggestions'),
    ),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(suggestionSchema) }), 'The settings applied'),
    ...authProblems,
    ...problemResponses(400, 415, 422),
  },
});

const inputsOf = (q: z.infer<typeof suggestionInputsQuery>): SuggestionInputs => ({
  windowDays: q.windowDays,
  serviceLevel: q.serviceLevel,
  orderCost: q.orderCost ?? null,
  holdingRate: q.holdingRate,
});

export const replenishmentRoutes = createRouter()
  .openapi(runRoute, async (c) => {
    const body = (await c.req.text()).trim() === '' ? {} : c.req.valid('json');
    const p = c.var.principal;
    if (body.warehouseId) assertMay(p, 'replenishment:run', body.warehouseId);
    const scope = body.warehouseId ? [body.warehouseId] : p.roles.includes('admin') ? null : p.warehouseIds;
    if (scope && scope.length === 0) throw new ForbiddenError('No warehouse is in your scope.');
    const result = await runReplenishment(c.var.db, c.var.inventory, {
      warehouseIds: scope,
      requestId: c.var.requestId,
    });
    return c.json(result, 202);
  })
  .openapi(suggestionsRoute, async (c) => {
    const q = c.req.valid('query');
    assertMay(c.var.principal, 'replenishment:plan', q.warehouseId);
    return c.json({ items: await suggestReorders(c.var.db, q.warehouseId, inputsOf(q)) }, 200);
  })
  .openapi(applyRoute, async (c) => {
    const body = c.req.valid('json');
    assertMay(c.var.principal, 'replenishment:plan', body.warehouseId);
    const items = await applySuggestions(c.var.db, c.var.inventory, body, inputsOf(c.req.valid('query')));
    return c.json({ items }, 200);
  });
