/** The transfer routes: /api/transfers/*, stock moved between warehouses in three steps. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter } from '../app-env.ts';
import { authProblems, secured } from '../identity/authorize.ts';
import { type Action, assertMay, may, warehouseScope } from '../identity/policy.ts';
import { idempotent } from '../platform/idempotency.ts';
import { exampleIds, jsonBody, jsonContent, problemResponses } from '../platform/openapi.ts';
import { pageSchema } from '../platform/pagination.ts';
import { ConflictError, ForbiddenError } from '../platform/problem.ts';
import { outOfStock } from './out-of-stock.ts';
import { actorOf, idempotencyHeader } from './route-context.ts';
import { createTransferSchema, receiveTransferSchema, transferQuery, transferSchema } from './schemas.ts';
import {
  cancelTransfer,
  createTransfer,
  listTransfers,
  readTransfer,
  receiveTransfer,
  shipTransfer,
  type TransferView,
} from './transfers.ts';

const tags = ['inventory'];
const transferTransition = new ConflictError(
  'A transfer that is in_transit cannot be cancelled.',
  'illegal-transition',
  {
    currentStatus: 'in_transit',
    attempted: 'cancelled',
  },
);

const transferParam = z.object({ id: z.uuid().openapi({ example: exampleIds.transfer }) });

const createTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers',
  operationId: 'createTransfer',
  tags,
  summary: 'Request a transfer: stock is held at the source until shipped, cancelled or expiresAt',
  description:
    'Moves stock between two warehouses in three steps: requested (held at the source), shipped (in transit), received. A transfer not shipped by its expiresAt is cancelled and its stock released. 409 when the source lacks available stock. Staff at the source warehouse.',
  ...secured('transfers:write', idempotent()),
  request: { headers: idempotencyHeader, body: jsonBody(createTransferSchema) },
  responses: {
    201: jsonContent(transferSchema, 'The transfer, requested'),
    ...authProblems,
    ...problemResponses(
      400,
      outOfStock([{ warehouseId: exampleIds.warehouse, sku: 'HAM-16OZ', requested: 12, available: 4 }]),
      413,
      415,
      422,
    ),
  },
});

const transferStepResponses = {
  200: jsonContent(transferSchema, 'The transfer'),
  ...authProblems,
  ...problemResponses(404, transferTransition, 422),
};

const shipTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers/{id}/ship',
  operationId: 'shipTransfer',
  tags,
  summary: 'Ship a requested transfer: in transit (409 `transfer-expired` past its expiresAt)',
  description:
    "The held stock leaves the source's on hand and shows as in transit at the destination. Staff at the source warehouse.",
  ...secured('transfers:write'),
  request: { params: transferParam },
  responses: transferStepResponses,
});

const cancelTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers/{id}/cancel',
  operationId: 'cancelTransfer',
  tags,
  summary: 'Cancel a requested transfer: its stock is released',
  description:
    'Only a requested transfer can be cancelled (409 otherwise); its held stock becomes available again. Staff at the source warehouse.',
  ...secured('transfers:write'),
  request: { params: transferParam },
  responses: transferStepResponses,
});

const receiveTransferRoute = createRoute({
  method: 'post',
  path: '/api/transfers/{id}/receive',
  operationId: 'receiveTransfer',
  tags,
  summary: 'Receive a transfer at its destination, whole or some lines',
  description:
    'Without a body, everything still in transit is received. With `lines`, only those quantities; the transfer stays partially received until every line is. Staff at the destination warehouse.',
  ...secured('transfers:write'),
  request: {
    params: transferParam,
    body: { required: false, content: { 'application/json': { schema: receiveTransferSchema } } },
  },
  responses: {
    200: jsonContent(transferSchema, 'The transfer, received or partially received'),
    ...authProblems,
    ...problemResponses(400, 404, transferTransition, 415, 422),
  },
});

const readTransferRoute = createRoute({
  method: 'get',
  path: '/api/transfers/{id}',
  operationId: 'getTransfer',
  tags,
  summary: 'Read a transfer (either end in your scope)',
  description: 'One transfer by id, for staff at either end; 403 outside your scope.',
  ...secured('transfers:read'),
  request: { params: transferParam },
  responses: {
    200: jsonContent(transferSchema, 'The transfer'),
    ...authProblems,
    ...problemResponses(404, 422),
  },
});

const listTransfersRoute = createRoute({
  method: 'get',
  path: '/api/transfers',
  operationId: 'listTransfers',
  tags,
  summary: 'Transfers touching your warehouses, newest first',
  description:
    'Transfers from or to the warehouses in your scope, newest first, optionally by status or one warehouse.',
  ...secured('transfers:read'),
  request: { query: transferQuery },
  responses: {
    200: jsonContent(pageSchema(transferSchema), 'A page of transfers'),
    ...authProblems,
    ...problemResponses(422),
  },
});

/** 403 unless the caller may act at this end of the transfer (404 first when it does not exist). */
async function transferFor(c: Context<AppEnv>, id: string, action: Action, end: 'from' | 'to' | 'either') {
  const t: TransferView = await readTransfer(c.var.db, id);
  const ends =
    end === 'from'
      ? [t.fromWarehouseId]
      : end === 'to'
        ? [t.toWarehouseId]
        : [t.fromWarehouseId, t.toWarehouseId];
  if (!ends.some((w) => may(c.var.principal, action, w)))
    throw new ForbiddenError('This transfer is outside your scope.');
  return t;
}

export const transferRoutes = createRouter()
  .openapi(createTransferRoute, async (c) => {
    const input = c.req.valid('json');
    assertMay(c.var.principal, 'transfers:write', input.fromWarehouseId);
    return c.json(await createTransfer(c.var.db, input, actorOf(c), c.var.holds.transferExpiryHours), 201);
  })
  .openapi(shipTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    await transferFor(c, id, 'transfers:write', 'from');
    return c.json(await shipTransfer(c.var.db, id, actorOf(c)), 200);
  })
  .openapi(cancelTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    await transferFor(c, id, 'transfers:write', 'from');
    return c.json(await cancelTransfer(c.var.db, id, actorOf(c)), 200);
  })
  .openapi(receiveTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    await transferFor(c, id, 'transfers:write', 'to');
    const body = (await c.req.text()).trim() === '' ? {} : c.req.valid('json');
    return c.json(await receiveTransfer(c.var.db, id, body, actorOf(c)), 200);
  })
  .openapi(readTransferRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await transferFor(c, id, 'transfers:read', 'either'), 200);
  })
  .openapi(listTransfersRoute, async (c) => {
    const query = c.req.valid('query');
    if (query.warehouseId) assertMay(c.var.principal, 'transfers:read', query.warehouseId);
    return c.json(await listTransfers(c.var.db, query, warehouseScope(c.var.principal)), 200);
  });
