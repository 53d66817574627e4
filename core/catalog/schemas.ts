import { z } from '@hono/zod-openapi';
import { exampleIds } from '../platform/openapi.ts';
import { barcodeProblem } from './barcodes.ts';

/** Letters, digits, `.`, `_` and `-`, starting with a letter or digit, 1 to 64 characters. */
export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SKU_RULE = '1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit';

/** Limits on free attributes: enough for sizes, colours and specs, not a document store. */
export const ATTRIBUTE_LIMITS = { maxBytes: 16_384, maxDepth: 5, maxKeys: 100 } as const;

export const skuSchema = z.string().trim().regex(SKU_PATTERN, SKU_RULE).openapi({ example: 'HAM-16OZ' });

export const barcodeSchema = z
  .string()
  .superRefine((code, ctx) => {
    const problem = barcodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({
    example: '6414893012340',
    description: 'EAN-13, UPC-A and EAN-8 check digits are verified; other codes are stored as given',
  });

export const moneySchema = z
  .object({
    amount: z.number().int().min(0).max(2_147_483_647).openapi({ example: 1299 }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'An ISO 4217 code such as EUR')
      .openapi({ example: 'EUR' }),
  })
  .strict()
  .openapi('Money', { description: 'Integer minor units and an ISO 4217 currency' });
export type Money = z.infer<typeof moneySchema>;

function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

function keyCount(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const own = Array.isArray(value) ? 0 : Object.keys(value).length;
  const children = Array.isArray(value) ? value : Object.values(value);
  return own + children.reduce<number>((n, v) => n + keyCount(v), 0);
}

export const attributesSchema = z
  .record(z.string().max(100), z.unknown())
  .superRefine((attrs, ctx) => {
    const { maxBytes, maxDepth, maxKeys } = ATTRIBUTE_LIMITS;
    if (new TextEncoder().encode(JSON.stringify(attrs)).length > maxBytes)
      ctx.addIssue({ code: 'custom', message: `At most ${maxBytes} bytes of JSON` });
    else if (depthOf(attrs) > maxDepth)
      ctx.addIssue({ code: 'custom', message: `Nested at most ${maxDepth} levels deep` });
    else if (keyCount(attrs) > maxKeys)
      ctx.addIssue({ code: 'custom', message: `At most ${maxKeys} keys in all` });
  })
  .openapi({
    example: { size: 'M', colour: 'navy' },
    description: `A JSON object: at most ${ATTRIBUTE_LIMITS.maxBytes} bytes, ${ATTRIBUTE_LIMITS.maxDepth} levels, ${ATTRIBUTE_LIMITS.maxKeys} keys`,
  });

const productFields = {
  name: z.string().trim().min(1).max(200).openapi({ example: 'Claw hammer 16 oz' }),
  description: z
    .string()
    .max(5000)
    .nullable()
    .openapi({ example: 'Steel claw hammer with a fibreglass handle.' }),
  barcode: barcodeSchema.nullable(),
  category: z.string().trim().min(1).max(100).nullable().openapi({ example: 'tools' }),
  unit: z.string().trim().min(1).max(20).openapi({ example: 'each' }),
  price: moneySchema.nullable(),
  cost: moneySchema.nullable(),
  attributes: attributesSchema,
};

export const createProductSchema = z
  .object({
    sku: skuSchema,
    name: productFields.name,
    description: productFields.description.optional(),
    barcode: productFields.barcode.optional(),
    category: productFields.category.optional(),
    unit: productFields.unit.default('each'),
    price: productFields.price.optional(),
    cost: productFields.cost.optional(),
    attributes: productFields.attributes.default({}),
  })
  .strict()
  .openapi('CreateProduct');
export type CreateProduct = z.infer<typeof createProductSchema>;

export const updateProductSchema = z
  .object({
    name: productFields.name.optional(),
    description: productFields.description.optional(),
    barcode: productFields.barcode.optional(),
    category: productFields.category.optional(),
    unit: productFields.unit.optional(),
    price: productFields.price.optional(),
    cost: productFields.cost.optional(),
    attributes: productFields.attributes.optional(),
    archived: z.boolean().optional().openapi({ description: 'false restores an archived product' }),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'Change at least one field' })
  .openapi('UpdateProduct');
export type UpdateProduct = z.infer<typeof updateProductSchema>;

export const productSchema = z
  .object({
    id: z.string().openapi({ example: exampleIds.product }),
    sku: z.string().openapi({ example: 'HAM-16OZ' }),
    name: z.string().openapi({ example: 'Claw hammer 16 oz' }),
    description: z.string().nullable().openapi({ example: 'Steel claw hammer with a fibreglass handle.' }),
    barcode: z.string().nullable().openapi({ example: '6414893012340' }),
    category: z.string().nullable().openapi({ example: 'tools' }),
    unit: z.string().openapi({ example: 'each' }),
    price: moneySchema.nullable(),
    cost: moneySchema
      .nullable()
      .optional()
      .openapi({
        description: 'Shown to admins and managers only',
        example: { amount: 640, currency: 'EUR' },
      }),
    attributes: z.record(z.string(), z.unknown()).openapi({ example: { size: 'M', colour: 'navy' } }),
    archived: z.boolean(),
    version: z.number().int().openapi({ description: 'Also the ETag; send it back as If-Match', example: 3 }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Product');
export type ProductView = z.infer<typeof productSchema>;

export const skuParam = z.object({ sku: z.string().min(1).max(64).openapi({ example: 'HAM-16OZ' }) });

export const listProductsQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'sku, name or barcode; prefix and fuzzy', example: 'hammer' }),
  category: z.string().trim().min(1).max(100).optional().openapi({ example: 'tools' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});
export type ListProductsQuery = z.infer<typeof listProductsQuery>;
