import { z } from '@hono/zod-openapi';
import { skuSchema } from '../catalog/schemas.ts';
import { qtySchema } from '../inventory/schemas.ts';
import { exampleIds, exampleTime } from '../platform/openapi.ts';
import { pageQuery } from '../platform/pagination.ts';
import { purchaseOrderStatuses } from './tables.ts';

const exampleVendor = exampleIds.vendor;
const examplePurchaseOrder = '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d';
const leadTime = z.number().int().min(0).max(365);
const costField = z.number().int().min(0).max(100_000_000);

export const vendorSchema = z
  .object({
    id: z.string().openapi({ example: exampleVendor }),
    name: z.string().openapi({ example: 'Nordic Meats Oy' }),
    email: z.string().nullable().openapi({ example: 'orders@nordicmeats.example' }),
    currency: z.string().openapi({ example: 'EUR' }),
    leadTimeDays: z.number().int().openapi({ example: 7 }),
    active: z.boolean().openapi({ example: true }),
    version: z.number().int().openapi({ example: 1 }),
    createdAt: z.string().openapi({ example: exampleTime }),
  })
  .openapi('Vendor');
export type VendorView = z.infer<typeof vendorSchema>;

const currencyField = z
  .string()
  .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as EUR')
  .openapi({ example: 'EUR' });

export const createVendorSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Nordic Meats Oy' }),
    email: z.email().max(320).nullable().optional().openapi({ example: 'orders@nordicmeats.example' }),
    currency: currencyField.default('EUR'),
    leadTimeDays: leadTime.default(7).openapi({ example: 7 }),
  })
  .strict()
  .openapi('CreateVendor');
export type CreateVendor = z.infer<typeof createVendorSchema>;

export const updateVendorSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional().openapi({ example: 'Nordic Meats Oy' }),
    email: z.email().max(320).nullable().optional().openapi({ example: 'orders@nordicmeats.example' }),
    currency: currencyField.optional(),
    leadTimeDays: leadTime.optional().openapi({ example: 5 }),
    active: z.boolean().optional().openapi({ example: false }),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Send at least one field')
  .openapi('UpdateVendor');
export type UpdateVendor = z.infer<typeof updateVendorSchema>;

export const vendorQuery = pageQuery.extend({
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const supplierItemSchema = z
  .object({
    vendorId: z.string().openapi({ example: exampleVendor }),
    sku: z.string().openapi({ example: 'HAM-16OZ' }),
    vendorSku: z.string().nullable().openapi({ example: 'NM-4411' }),
    unitCost: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Minor units of the vendor currency', example: 420 }),
    minOrderQty: z.number().int().openapi({ example: 24 }),
    packSize: z.number().int().openapi({ example: 12 }),
    leadTimeDays: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Overrides the vendor's lead time for this sku", example: null }),
  })
  .openapi('SupplierItem');
export type SupplierItemView = z.infer<typeof supplierItemSchema>;

export const putSupplierItemSchema = z
  .object({
    vendorSku: z.string().trim().min(1).max(100).nullable().optional().openapi({ example: 'NM-4411' }),
    unitCost: costField.nullable().optional().openapi({ example: 420 }),
    minOrderQty: z.number().int().min(1).max(1_000_000).optional().openapi({ example: 24 }),
    packSize: z.number().int().min(1).max(1_000_000).optional().openapi({ example: 12 }),
    leadTimeDays: leadTime.nullable().optional().openapi({ example: null }),
  })
  .strict()
  .openapi('PutSupplierItem');
export type PutSupplierItem = z.infer<typeof putSupplierItemSchema>;

const poLineInput = z
  .object({
    sku: skuSchema,
    qty: qtySchema,
    unitCost: costField.nullable().optional().openapi({
      description: "Minor units; the vendor's unit cost for the sku when left out",
      example: 420,
    }),
  })
  .strict();
export type PurchaseOrderLineInput = z.infer<typeof poLineInput>;

const toleranceField = z.number().int().min(0).max(100).openapi({
  description: 'Receipts may exceed a line by this percent of it (rounded down); 0 by default',
  example: 5,
});

export const createPurchaseOrderSchema = z
  .object({
    vendorId: z.uuid().openapi({ example: exampleVendor }),
    warehouseId: z.uuid().openapi({ example: exampleIds.warehouse }),
    lines: z.array(poLineInput).min(1).max(500),
    receiveTolerancePct: toleranceField.default(0),
    note: z.string().max(1000).nullable().optional().openapi({ example: 'Weekly restock' }),
  })
  .strict()
  .openapi('CreatePurchaseOrder');
export type CreatePurchaseOrder = z.infer<typeof createPurchaseOrderSchema>;

export const updatePurchaseOrderSchema = z
  .object({
    lines: z.array(poLineInput).min(1).max(500).optional(),
    receiveTolerancePct: toleranceField.optional(),
    note: z.string().max(1000).nullable().optional().openapi({ example: 'Weekly restock' }),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'Send at least one field')
  .openapi('UpdatePurchaseOrder');
export type UpdatePurchaseOrder = z.infer<typeof updatePurchaseOrderSchema>;

export const receivePurchaseOrderSchema = z
  .object({
    lines: z
      .array(z.object({ sku: skuSchema, qty: qtySchema }).strict())
      .min(1)
      .max(500),
  })
  .strict()
  .openapi('ReceivePurchaseOrder');
export type ReceivePurchaseOrder = z.infer<typeof receivePurchaseOrderSchema>;

export const purchaseOrderSchema = z
  .object({
    id: z.string().openapi({ example: examplePurchaseOrder }),
    status: z.enum(purchaseOrderStatuses),
    vendorId: z.string().openapi({ example: exampleVendor }),
    warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
    currency: z.string().openapi({ example: 'EUR' }),
    receiveTolerancePct: z.number().int().openapi({ example: 0 }),
    expectedAt: z.string().nullable().openapi({
      description:
        "Set on submitting: now plus the longest lead time of its lines (the vendor's, or the sku's override)",
      example: '2026-01-22T09:30:00.000Z',
    }),
    origin: z.enum(['manual', 'replenishment']).openapi({ example: 'manual' }),
    note: z.string().nullable().openapi({ example: null }),
    lines: z.array(
      z.object({
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
        qty: z.number().int().openapi({ example: 48 }),
        received: z.number().int().openapi({ example: 0 }),
        unitCost: z.number().int().nullable().openapi({ example: 420 }),
      }),
    ),
    version: z.number().int().openapi({ example: 1 }),
    createdAt: z.string().openapi({ example: exampleTime }),
    updatedAt: z.string().openapi({ example: exampleTime }),
    submittedAt: z.string().nullable().openapi({ example: null }),
    closedAt: z.string().nullable().openapi({ example: null }),
  })
  .openapi('PurchaseOrder');
export type PurchaseOrderView = z.infer<typeof purchaseOrderSchema>;

export const purchaseOrderQuery = pageQuery.extend({
  status: z.enum(purchaseOrderStatuses).optional(),
  vendorId: z.uuid().optional(),
  warehouseId: z.uuid().optional(),
});

export const purchaseOrderParam = z.object({ id: z.uuid().openapi({ example: examplePurchaseOrder }) });
export const vendorParam = z.object({ id: z.uuid().openapi({ example: exampleVendor }) });
