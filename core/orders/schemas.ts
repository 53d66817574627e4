import { z } from '@hono/zod-openapi';
import { moneySchema, skuSchema } from '../catalog/schemas.ts';
import { qtySchema } from '../inventory/schemas.ts';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
import { pageQuery } from '../platform/pagination.ts';
import { cancelReasons, orderStatuses } from './order-model.ts';

const lineInput = z
  .object({
    sku: skuSchema,
    qty: qtySchema,
    unitPrice: moneySchema.optional().openapi({
      description:
        "Defaults to the catalog's price. Another price needs orders:price-override (admin, manager): 403 naming the line otherwise",
    }),
  })
  .strict();

const MAX_RESERVATION_MS = 30 * 24 * 3600 * 1000;

export const createOrderSchema = z
  .object({
    lines: z.array(lineInput).min(1).max(200),
    warehouseId: z
      .uuid()
      .optional()
      .openapi({ description: 'Serve from this warehouse only', example: exampleIds.warehouse }),
    allowPartial: z
      .boolean()
      .default(false)
      .openapi({ description: 'Take what is available, drop the rest' }),
    allowBackorder: z.boolean().default(false).openapi({
      description:
        'Keep short lines backordered; they are allocated first come, first served as stock arrives',
    }),
    reservationExpiresAt: z.iso
      .datetime({ offset: true })
      .refine((at) => Date.parse(at) > Date.now(), 'Must be in the future')
      .refine((at) => Date.parse(at) <= Date.now() + MAX_RESERVATION_MS, 'At most 30 days ahead')
      .optional()
      .openapi({
        description:
          'Hold the stock for a pending order (awaiting payment) until then: confirm it with ' +
          '`POST /api/orders/{id}/confirm` before, or it is cancelled and its stock released. ' +
          'At most PENDING_HOLD_MAX_HOURS_PARTNER (24 h) ahead for partners, _STAFF (30 days) for staff; ' +
          "a caller's pending orders hold at most PENDING_HOLD_MAX_UNITS_* units (409 `pending-hold-limit`)",
        example: '2026-01-31T12:00:00Z',
      }),
    externalRef: z.string().trim().min(1).max(200).optional().openapi({ example: 'WEB-58213' }),
    channel: z.string().trim().min(1).max(50).optional().openapi({ example: 'web' }),
    customer: z
      .record(z.string(), z.unknown())
      .refine((c) => JSON.stringify(c).length <= 8192, 'At most 8 KiB')
      .optional()
      .openapi({ example: { name: 'Matti Meikäläinen', email: 'matti@example.com' } }),
  })
  .strict()
  .openapi('CreateOrder');
export type CreateOrder = z.infer<typeof createOrderSchema>;

export const patchOrderSchema = z
  .object({ lines: z.array(lineInput).min(1).max(200) })
  .strict()
  .openapi('PatchOrder');
export type PatchOrder = z.infer<typeof patchOrderSchema>;

export const shipOrderSchema = z
  .object({
    lines: z
      .array(z.object({ sku: skuSchema, qty: qtySchema }).strict())
      .min(1)
      .max(200)
      .optional(),
  })
  .strict()
  .openapi('ShipOrder');
export type ShipOrder = z.infer<typeof shipOrderSchema>;

export const orderSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.order }),
    status: z.enum(orderStatuses).openapi({ example: 'confirmed' }),
    warehouseId: z.string().nullable().openapi({ example: null }),
    lines: z.array(
      z.object({
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
        qty: z.number().int().openapi({ example: 2 }),
        requestedQty: z.number().int().openapi({ example: 2 }),
        unitPrice: moneySchema.nullable(),
        allocated: z.number().int().openapi({ example: 2 }),
        backordered: z.number().int().openapi({ example: 0 }),
        shipped: z.number().int().openapi({ example: 0 }),
      }),
    ),
    allocations: z.array(
      z.object({
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
        warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
        qty: z.number().int().openapi({ example: 2 }),
        shipped: z.number().int().openapi({ example: 0 }),
      }),
    ),
    allowPartial: z.boolean(),
    allowBackorder: z.boolean(),
    externalRef: z.string().nullable().openapi({ example: 'WEB-58213' }),
    channel: z.string().nullable().openapi({ example: 'web' }),
    customer: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: { name: 'Matti Meikäläinen', email: 'matti@example.com' } }),
    reservationExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'While pending: when the hold lapses', example: null }),
    cancelReason: z.enum(cancelReasons).nullable().openapi({ example: null }),
    ownerKind: z.enum(['user', 'api_key']).nullable().openapi({
      description: 'Who placed it: a user or an API key (null: placed before owners were kept)',
      example: 'api_key',
    }),
    ownerId: z.string().nullable().openapi({ example: exampleIds.apiKey }),
    version: z.number().int().openapi({ example: 1 }),
    createdAt: z.string().openapi({ example: exampleTime }),
    updatedAt: z.string().openapi({ example: exampleTime }),
  })
  .openapi('Order');
export type OrderView = z.infer<typeof orderSchema>;

export const orderQuery = pageQuery.extend({
  status: z.enum(orderStatuses).optional(),
  warehouseId: z.uuid().optional(),
});
