import { z } from '@hono/zod-openapi';
import { moneySchema, skuSchema } from '../catalog/schemas.ts';
import { qtySchema } from '../inventory/schemas.ts';
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
    warehouseId: z.uuid().optional().openapi({ description: 'Serve from this warehouse only' }),
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
    externalRef: z.string().trim().min(1).max(200).optional(),
    channel: z.string().trim().min(1).max(50).optional().openapi({ example: 'web' }),
    customer: z
      .record(z.string(), z.unknown())
      .refine((c) => JSON.stringify(c).length <= 8192, 'At most 8 KiB')
      .optional(),
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
    id: z.string(),
    status: z.enum(orderStatuses),
    warehouseId: z.string().nullable(),
    lines: z.array(
      z.object({
        sku: z.string(),
        qty: z.number().int(),
        requestedQty: z.number().int(),
        unitPrice: moneySchema.nullable(),
        allocated: z.number().int(),
        backordered: z.number().int(),
        shipped: z.number().int(),
      }),
    ),
    allocations: z.array(
      z.object({
        sku: z.string(),
        warehouseId: z.string(),
        qty: z.number().int(),
        shipped: z.number().int(),
      }),
    ),
    allowPartial: z.boolean(),
    allowBackorder: z.boolean(),
    externalRef: z.string().nullable(),
    channel: z.string().nullable(),
    customer: z.record(z.string(), z.unknown()).nullable(),
    reservationExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'While pending: when the hold lapses' }),
    cancelReason: z.enum(cancelReasons).nullable(),
    ownerKind: z
      .enum(['user', 'api_key'])
      .nullable()
      .openapi({ description: 'Who placed it: a user or an API key (null: placed before owners were kept)' }),
    ownerId: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Order');
export type OrderView = z.infer<typeof orderSchema>;

export const orderQuery = pageQuery.extend({
  status: z.enum(orderStatuses).optional(),
  warehouseId: z.uuid().optional(),
});
