import { z } from '@hono/zod-openapi';
import { skuSchema } from '../catalog/schemas.ts';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
import { pageQuery } from '../platform/pagination.ts';
import { movementTypes, transferCancelReasons, transferStatuses } from './tables.ts';

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const warehouseSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.warehouse }),
    code: z.string().openapi({ example: 'HEL' }),
    name: z.string().openapi({ example: 'Helsinki' }),
    timezone: z.string().openapi({ example: 'Europe/Helsinki' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Warehouse');
export type WarehouseView = z.infer<typeof warehouseSchema>;

export const createWarehouseSchema = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{2,10}$/, '2 to 10 letters or digits')
      .transform((c) => c.toUpperCase())
      .openapi({ example: 'HEL' }),
    name: z.string().trim().min(1).max(200).openapi({ example: 'Helsinki' }),
    timezone: z
      .string()
      .refine(isTimeZone, 'An IANA time zone, such as Europe/Helsinki')
      .default('UTC')
      .openapi({ example: 'Europe/Helsinki' }),
  })
  .strict()
  .openapi('CreateWarehouse');
export type CreateWarehouse = z.infer<typeof createWarehouseSchema>;

/** A quantity in one request: positive, and small enough that sums stay far from int overflow. */
export const qtySchema = z.number().int().min(1).max(1_000_000).openapi({ example: 2 });
const uuidField = z.uuid().openapi({ example: exampleIds.warehouse });
const warehouseIdField = z.string().openapi({ example: exampleIds.warehouse });
const skuField = z.string().openapi({ example: 'HAM-16OZ' });

export const adjustmentReasons = ['received', 'damaged', 'lost', 'found', 'count', 'other'] as const;
const signOfReason: Partial<Record<(typeof adjustmentReasons)[number], 1 | -1>> = {
  received: 1,
  found: 1,
  damaged: -1,
  lost: -1,
};

export const adjustmentSchema = z
  .object({
    warehouseId: uuidField,
    sku: skuSchema,
    delta: z
      .number()
      .int()
      .min(-1_000_000)
      .max(1_000_000)
      .refine((d) => d !== 0, 'A non-zero change')
      .openapi({ example: 12 }),
    reason: z.enum(adjustmentReasons),
    note: z
      .string()
      .max(1000)
      .nullable()
      .optional()
      .openapi({ example: 'Delivery from Tools Oy, note 4471' }),
  })
  .strict()
  .superRefine((a, ctx) => {
    const sign = signOfReason[a.reason];
    if (sign && Math.sign(a.delta) !== sign)
      ctx.addIssue({
        code: 'custom',
        path: ['delta'],
        message: `A ${a.reason} adjustment ${sign > 0 ? 'adds' : 'removes'} stock: the delta must be ${sign > 0 ? 'positive' : 'negative'}.`,
      });
  })
  .openapi('Adjustment');
export type Adjustment = z.infer<typeof adjustmentSchema>;

export const movementTypeSchema = z.enum(movementTypes);

export const movementSchema = z
  .object({
    id: z.string().openapi({ example: '18342' }),
    warehouseId: warehouseIdField,
    sku: skuField,
    type: movementTypeSchema.openapi({ example: 'adjustment' }),
    reason: z.string().openapi({ example: 'received' }),
    qty: z.number().int().openapi({ description: 'Signed: what on_hand changed by', example: 12 }),
    onHandAfter: z.number().int().openapi({ example: 40 }),
    version: z.number().int().openapi({ description: "The level's version after this movement", example: 7 }),
    reference: z
      .object({ type: z.string(), id: z.string() })
      .nullable()
      .openapi({ example: null, description: 'What caused it (an order, a transfer, a count), if anything' }),
    note: z.string().nullable().openapi({ example: 'Delivery from Tools Oy, note 4471' }),
    actorId: z
      .string()
      .nullable()
      .openapi({ example: `user:${exampleIds.user}` }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Movement');

export const movementQuery = pageQuery.extend({
  warehouseId: z.uuid().optional(),
  sku: z.string().max(64).optional().openapi({ example: 'HAM-16OZ' }),
  type: movementTypeSchema.optional(),
});

export const stockCountSchema = z
  .object({
    warehouseId: uuidField,
    lines: z
      .array(z.object({ sku: skuSchema, counted: z.number().int().min(0).max(100_000_000) }).strict())
      .min(1)
      .max(1000),
    note: z.string().max(1000).nullable().optional().openapi({ example: 'Year-end count, aisle 4' }),
  })
  .strict()
  .openapi('StockCount');
export type StockCount = z.infer<typeof stockCountSchema>;

export const countResultSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.count }),
    warehouseId: warehouseIdField,
    lines: z.array(
      z.object({
        sku: skuField,
        counted: z.number().int().openapi({ example: 38 }),
        onHandBefore: z.number().int().openapi({ example: 40 }),
        variance: z.number().int().openapi({ example: -2 }),
      }),
    ),
    movements: z.array(movementSchema),
    createdAt: z.string().openapi({ example: exampleTime }),
  })
  .openapi('StockCountResult');

export const stockLevelSchema = z
  .object({
    sku: skuField,
    onHand: z.number().int().openapi({ example: 40 }),
    reserved: z.number().int().openapi({ example: 6 }),
    available: z.number().int().openapi({ example: 34 }),
    reorderPoint: z.number().int().nullable().openapi({ example: 10 }),
    reorderQty: z.number().int().nullable().openapi({ example: 50 }),
    preferredVendorId: z.string().nullable().openapi({ example: null }),
    inTransit: z
      .number()
      .int()
      .openapi({ description: 'Shipped here by transfers, not yet received', example: 0 }),
    onOrder: z.number().int().openapi({
      description:
        'On submitted purchase orders, not yet received (inventory position = available + onOrder + inTransit)',
      example: 48,
    }),
    nextExpectedAt: z.string().nullable().openapi({
      description: 'The earliest expected date of a purchase order still bringing this sku',
      example: '2026-01-22T09:30:00.000Z',
    }),
    version: z.number().int().openapi({ example: 7 }),
  })
  .openapi('StockLevel');

export const stockQuery = pageQuery.extend({
  belowReorderPoint: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const reorderSchema = z
  .object({
    reorderPoint: z.number().int().min(0).max(100_000_000).openapi({ example: 10 }),
    reorderQty: z.number().int().min(1).max(100_000_000).openapi({ example: 50 }),
    preferredVendorId: z.uuid().nullable().optional().openapi({ example: exampleIds.vendor }),
  })
  .strict()
  .openapi('ReorderSettings');
export type ReorderSettings = z.infer<typeof reorderSchema>;

const lineSchema = z.object({ sku: skuSchema, qty: qtySchema }).strict();

const MAX_TRANSFER_HOLD_MS = 30 * 24 * 3600 * 1000;

export const createTransferSchema = z
  .object({
    fromWarehouseId: uuidField,
    toWarehouseId: z.uuid().openapi({ example: exampleIds.otherWarehouse }),
    lines: z.array(lineSchema).min(1).max(500),
    note: z.string().max(1000).nullable().optional().openapi({ example: 'Restock Tampere for the weekend' }),
    expiresAt: z.iso
      .datetime({ offset: true })
      .refine((at) => Date.parse(at) > Date.now(), 'Must be in the future')
      .refine((at) => Date.parse(at) <= Date.now() + MAX_TRANSFER_HOLD_MS, 'At most 30 days ahead')
      .optional()
      .openapi({
        description:
          'Not shipped by then, the transfer is cancelled and its stock released; ' +
          'default TRANSFER_EXPIRY_HOURS (7 days) from now',
        example: '2026-01-22T09:30:00.000Z',
      }),
  })
  .strict()
  .openapi('CreateTransfer');
export type CreateTransfer = z.infer<typeof createTransferSchema>;

export const receiveTransferSchema = z
  .object({
    lines: z
      .array(z.object({ sku: skuSchema, qty: z.number().int().min(0).max(1_000_000) }).strict())
      .min(1)
      .max(500)
      .optional(),
  })
  .strict()
  .openapi('ReceiveTransfer');
export type ReceiveTransfer = z.infer<typeof receiveTransferSchema>;

export const transferSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.transfer }),
    fromWarehouseId: warehouseIdField,
    toWarehouseId: z.string().openapi({ example: exampleIds.otherWarehouse }),
    status: z.enum(transferStatuses),
    lines: z.array(
      z.object({
        sku: skuField,
        qty: z.number().int().openapi({ example: 12 }),
        received: z.number().int().openapi({ example: 0 }),
        inTransit: z.number().int().openapi({ example: 0 }),
      }),
    ),
    note: z.string().nullable().openapi({ example: 'Restock Tampere for the weekend' }),
    version: z.number().int().openapi({ example: 1 }),
    createdAt: z.string().openapi({ example: exampleTime }),
    updatedAt: z.string().openapi({ example: exampleTime }),
    shippedAt: z.string().nullable().openapi({ example: null }),
    receivedAt: z.string().nullable().openapi({ example: null }),
    expiresAt: z.string().nullable().openapi({
      description: 'While requested: when it is cancelled unless shipped',
      example: '2026-01-22T09:30:00.000Z',
    }),
    cancelReason: z.enum(transferCancelReasons).nullable().openapi({ example: null }),
  })
  .openapi('Transfer');

export const transferQuery = pageQuery.extend({
  status: z.enum(transferStatuses).optional(),
  warehouseId: z.uuid().optional(),
});
