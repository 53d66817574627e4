import { z } from '@hono/zod-openapi';

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
