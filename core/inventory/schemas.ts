import { z } from '@hono/zod-openapi';
import { skuSchema } from '../catalog/schemas.ts';
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
    id: z.string().openapi({ example: '0b9c5d1e-8a4f-4e7b-9a3c-2d1f0e6b7a58' }),
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
const uuidField = z.uuid().openapi({ example: '0b9c5d1e-8a4f-4e7b-9a3c-2d1f0e6b7a58' });

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
    note: z.string().max(1000).nullable().optional(),
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
    id: z.string(),
    warehouseId: z.string(),
    sku: z.string(),
    type: movementTypeSchema,
    reason: z.string(),
    qty: z.number().int().openapi({ description: 'Signed: what on_hand changed by' }),
    onHandAfter: z.number().int(),
    version: z.number().int().openapi({ description: "The level's version after this movement" }),
    reference: z.object({ type: z.string(), id: z.string() }).nullable(),
    note: z.string().nullable(),
    actorId: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Movement');

export const movementQuery = pageQuery.extend({
  warehouseId: z.uuid().optional(),
  sku: z.string().max(64).optional(),
  type: movementTypeSchema.optional(),
});

export const stockCountSchema = z
  .object({
    warehouseId: uuidField,
    lines: z
      .array(z.object({ sku: skuSchema, counted: z.number().int().min(0).max(100_000_000) }).strict())
      .min(1)
      .max(1000),
    note: z.string().max(1000).nullable().optional(),
  })
  .strict()
  .openapi('StockCount');
export type StockCount = z.infer<typeof stockCountSchema>;

export const countResultSchema = z
  .object({
    id: z.string(),
    warehouseId: z.string(),
    lines: z.array(
      z.object({
        sku: z.string(),
        counted: z.number().int(),
        onHandBefore: z.number().int(),
        variance: z.number().int(),
      }),
    ),
    movements: z.array(movementSchema),
    createdAt: z.string(),
  })
  .openapi('StockCountResult');

export const stockLevelSchema = z
  .object({
    sku: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    reorderPoint: z.number().int().nullable(),
    reorderQty: z.number().int().nullable(),
    preferredVendorId: z.string().nullable(),
    inTransit: z.number().int().openapi({ description: 'Shipped here by transfers, not yet received' }),
    version: z.number().int(),
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
    reorderPoint: z.number().int().min(0).max(100_000_000),
    reorderQty: z.number().int().min(1).max(100_000_000),
    preferredVendorId: z.uuid().nullable().optional(),
  })
  .strict()
  .openapi('ReorderSettings');
export type ReorderSettings = z.infer<typeof reorderSchema>;

const lineSchema = z.object({ sku: skuSchema, qty: qtySchema }).strict();

const MAX_TRANSFER_HOLD_MS = 30 * 24 * 3600 * 1000;

export const createTransferSchema = z
  .object({
    fromWarehouseId: uuidField,
    toWarehouseId: uuidField,
    lines: z.array(lineSchema).min(1).max(500),
    note: z.string().max(1000).nullable().optional(),
    expiresAt: z.iso
      .datetime({ offset: true })
      .refine((at) => Date.parse(at) > Date.now(), 'Must be in the future')
      .refine((at) => Date.parse(at) <= Date.now() + MAX_TRANSFER_HOLD_MS, 'At most 30 days ahead')
      .optional()
      .openapi({
        description:
          'Not shipped by then, the transfer is cancelled and its stock released; ' +
          'default TRANSFER_EXPIRY_HOURS (7 days) from now',
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
    id: z.string(),
    fromWarehouseId: z.string(),
    toWarehouseId: z.string(),
    status: z.enum(transferStatuses),
    lines: z.array(
      z.object({
        sku: z.string(),
        qty: z.number().int(),
        received: z.number().int(),
        inTransit: z.number().int(),
      }),
    ),
    note: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    shippedAt: z.string().nullable(),
    receivedAt: z.string().nullable(),
    expiresAt: z
      .string()
      .nullable()
      .openapi({ description: 'While requested: when it is cancelled unless shipped' }),
    cancelReason: z.enum(transferCancelReasons).nullable(),
  })
  .openapi('Transfer');

export const transferQuery = pageQuery.extend({
  status: z.enum(transferStatuses).optional(),
  warehouseId: z.uuid().optional(),
});
