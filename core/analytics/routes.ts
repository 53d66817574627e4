/** The analytics service's endpoints (see ../shared/API.md "Analytics"): KPIs from the daily rollups. */
import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { assertMay, warehouseScope } from '../identity/policy.ts';
import { readWarehouseZones, type WarehouseZone } from '../inventory/ledger-reads.ts';
import { jsonContent, problemResponses } from '../platform/openapi.ts';
import { ForbiddenError, NotFoundError } from '../platform/problem.ts';
import { classify } from './abc.ts';
import { deadStock } from './dead-stock.ts';
import { abcThresholds, xyzThresholds } from './formulas.ts';
import { salesSeries } from './sales-series.ts';
import {
  abcQuery,
  abcSchema,
  deadStockQuery,
  deadStockSchema,
  resolveWindow,
  salesQuery,
  salesSchema,
  summaryQuery,
  summarySchema,
} from './schemas.ts';
import { summarize } from './summary.ts';

const tags = ['analytics'];
const freshness =
  'Read from daily rollups of the ledger that the rollup-analytics job keeps up to date every minute.';

const summaryRoute = createRoute({
  method: 'get',
  path: '/api/analytics/summary',
  operationId: 'getAnalyticsSummary',
  tags,
  summary: 'KPIs of a period: units sold, revenue, cost, turnover, days of cover, stockouts',
  description: `Units sold (order shipments), revenue and cost of goods sold per currency, inventory value at cost now, turnover, days of cover, sell-through, stockouts (runs of on hand = 0 and their minutes) and levels at or below their reorder point, over from..to (local dates of each warehouse, both included). ${freshness} Admins, and managers for their warehouses.`,
  ...secured('analytics:read'),
  request: { query: summaryQuery },
  responses: { 200: jsonContent(summarySchema, 'The KPIs'), ...authProblems, ...problemResponses(404, 422) },
});

const salesRoute = createRoute({
  method: 'get',
  path: '/api/analytics/sales',
  operationId: 'getAnalyticsSales',
  tags,
  summary: 'Units sold and revenue per day or week',
  description: `Every day (or week, starting Monday) of from..to with its units sold and revenue per currency, empty ones as zeros. ${freshness} Admins, and managers for their warehouses.`,
  ...secured('analytics:read'),
  request: { query: salesQuery },
  responses: { 200: jsonContent(salesSchema, 'The series'), ...authProblems, ...problemResponses(404, 422) },
});

const abcRoute = createRoute({
  method: 'get',
  path: '/api/analytics/abc',
  operationId: 'getAnalyticsAbc',
  tags,
  summary: 'Skus classed A/B/C by value and X/Y/Z by demand variability',
  description: `Value = units sold over from..to (default the last 365 days) x unit cost, ranked within each cost currency: A while the value before a sku is under 80 % of the total, B under 95 %, else C. XYZ by the coefficient of variation of 7-day demand: X <= 0.5 < Y <= 1 < Z (no demand: Z). ${freshness} Admins, and managers for their warehouses.`,
  ...secured('analytics:read'),
  request: { query: abcQuery },
  responses: { 200: jsonContent(abcSchema, 'The classes'), ...authProblems, ...problemResponses(404, 422) },
});

const deadStockRoute = createRoute({
  method: 'get',
  path: '/api/analytics/dead-stock',
  operationId: 'listDeadStock',
  tags,
  summary: 'Stock that has not moved for some days',
  description: `Levels with stock on hand whose last movement of any kind was at least \`days\` (90) local days ago, with their value at cost; the longest unmoved first. ${freshness} Admins, and managers for their warehouses.`,
  ...secured('analytics:read'),
  request: { query: deadStockQuery },
  responses: {
    200: jsonContent(deadStockSchema, 'The dead stock'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

/** The warehouses a query covers: the one asked for (in scope, existing), or every one in scope. */
async function zonesFor(c: Context<AppEnv>, warehouseId: string | undefined): Promise<WarehouseZone[]> {
  const p = c.var.principal;
  if (warehouseId) {
    assertMay(p, 'analytics:read', warehouseId);
    const zones = await readWarehouseZones(c.var.db.$client, [warehouseId]);
    if (zones.length === 0) throw new NotFoundError('No such warehouse.');
    return zones;
  }
  const scope = warehouseScope(p);
  if (scope !== 'all' && scope.length === 0) throw new ForbiddenError('No warehouse is in your scope.');
  return readWarehouseZones(c.var.db.$client, scope === 'all' ? null : scope);
}

const ids = (zones: readonly WarehouseZone[]) => zones.map((z) => z.id);

export const analyticsRoutes = createRouter()
  .openapi(summaryRoute, async (c) => {
    const q = c.req.valid('query');
    const { from, to } = resolveWindow(q, 30);
    const zones = await zonesFor(c, q.warehouseId);
    return c.json(await summarize(c.var.db.$client, zones, from, to), 200);
  })
  .openapi(salesRoute, async (c) => {
    const q = c.req.valid('query');
    const { from, to } = resolveWindow(q, 30);
    const window = { warehouseIds: ids(await zonesFor(c, q.warehouseId)), from, to };
    const points = await salesSeries(c.var.db.$client, window, q.interval);
    return c.json({ ...window, interval: q.interval, points }, 200);
  })
  .openapi(abcRoute, async (c) => {
    const q = c.req.valid('query');
    const { from, to } = resolveWindow(q, 365);
    const window = { warehouseIds: ids(await zonesFor(c, q.warehouseId)), from, to };
    const result = await classify(c.var.db.$client, window);
    return c.json({ ...window, thresholds: { ...abcThresholds, ...xyzThresholds }, ...result }, 200);
  })
  .openapi(deadStockRoute, async (c) => {
    const q = c.req.valid('query');
    const zones = await zonesFor(c, q.warehouseId);
    return c.json({ days: q.days, items: await deadStock(c.var.db.$client, zones, q.days) }, 200);
  });
