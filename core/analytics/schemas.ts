import { z } from '@hono/zod-openapi';
import { exampleIds } from '../platform/openapi.ts';
import { ValidationError } from '../platform/problem.ts';
import { addDays, daysBetween } from './formulas.ts';

/** The longest window a KPI query answers (two years and a day). */
export const MAX_WINDOW_DAYS = 732;

const day = z.iso.date();
const warehouseId = z.uuid().optional().openapi({
  description: 'One warehouse; without it, every warehouse in your scope',
  example: exampleIds.warehouse,
});

/** A from..to window of the warehouses' local dates, both ends included (see resolveWindow). */
const windowFields = {
  from: day.optional().openapi({
    description:
      "First day (YYYY-MM-DD, the warehouse's local date); by default the window ends today and is 30 days long (365 for abc)",
    example: '2026-01-01',
  }),
  to: day
    .optional()
    .openapi({ description: 'Last day, included; default today (UTC)', example: '2026-01-31' }),
  warehouseId,
};

export const summaryQuery = z.object(windowFields);
export const salesQuery = z.object({
  ...windowFields,
  interval: z.enum(['day', 'week']).default('day').openapi({ description: 'Bucket size', example: 'week' }),
});
export const abcQuery = z.object(windowFields);
export const deadStockQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .openapi({ description: 'No movement of any kind for at least this many days', example: 90 }),
  warehouseId,
});

/** The window asked for, defaults filled in: 422 naming from or to when it is backwards or too long. */
export function resolveWindow(
  q: { from?: string | undefined; to?: string | undefined },
  defaultDays: number,
) {
  const to = q.to ?? new Date().toISOString().slice(0, 10);
  const from = q.from ?? addDays(to, -(defaultDays - 1));
  if (from > to) throw new ValidationError([{ path: 'from', message: 'from must not be after to' }]);
  if (daysBetween(from, to) > MAX_WINDOW_DAYS)
    throw new ValidationError([{ path: 'to', message: `at most ${MAX_WINDOW_DAYS} days after from` }]);
  return { from, to };
}

const moneyFields = {
  currency: z.string().openapi({ example: 'EUR' }),
  amount: z.number().int().openapi({ description: 'Integer minor units', example: 1_284_500 }),
};
/** Null for a product without a cost (inline: a nullable reference does not survive the client's types). */
const moneyOrNull = () =>
  z
    .object(moneyFields)
    .nullable()
    .openapi({ description: 'At cost, in the cost currency; null without a cost' });
const money = z.object(moneyFields).openapi('AnalyticsMoney', {
  description: 'Integer minor units of one currency; never summed across currencies',
});
const moneyList = (example: number) =>
  z.array(money).openapi({ example: [{ currency: 'EUR', amount: example }] });
const ratio = (description: string, example: number) =>
  z.number().nullable().openapi({ description, example });
const period = {
  warehouseIds: z.array(z.string()).openapi({ example: [exampleIds.warehouse] }),
  from: z.string().openapi({ example: '2026-01-01' }),
  to: z.string().openapi({ example: '2026-01-30' }),
};

export const summarySchema = z
  .object({
    ...period,
    days: z.number().int().openapi({ example: 30 }),
    unitsSold: z.number().int().openapi({ description: 'Units shipped on orders', example: 1200 }),
    unitsReceived: z.number().int().openapi({ description: 'Receipts and transfers in', example: 900 }),
    revenue: moneyList(1_560_000),
    costOfGoodsSold: moneyList(780_000),
    inventoryValue: moneyList(1_284_500),
    onHandStart: z
      .number()
      .int()
      .openapi({ description: 'On hand at the end of the day before from', example: 700 }),
    onHandEnd: z.number().int().openapi({ description: 'On hand at the end of to', example: 400 }),
    onHandNow: z.number().int().openapi({ example: 400 }),
    unvaluedOnHand: z
      .number()
      .int()
      .openapi({ description: 'On hand of products without a cost', example: 0 }),
    turnover: ratio('unitsSold / ((onHandStart + onHandEnd) / 2)', 2.1818),
    daysOfCover: ratio('onHandEnd / (unitsSold / days)', 10),
    sellThrough: ratio('unitsSold / (onHandStart + unitsReceived)', 0.75),
    stockouts: z.object({
      count: z
        .number()
        .int()
        .openapi({ description: 'Runs of on hand = 0 that began in the window', example: 3 }),
      minutes: z.number().openapi({ description: 'Minutes of the window spent at 0', example: 4320 }),
      ongoing: z.number().int().openapi({ description: 'Levels at 0 now', example: 1 }),
    }),
    lowStockCount: z
      .number()
      .int()
      .openapi({ description: 'Levels at or below their reorder point now', example: 4 }),
  })
  .openapi('AnalyticsSummary');

export const salesSchema = z
  .object({
    ...period,
    interval: z.enum(['day', 'week']).openapi({ example: 'week' }),
    points: z.array(
      z.object({
        start: z.string().openapi({ example: '2026-01-05' }),
        end: z.string().openapi({ example: '2026-01-11' }),
        unitsSold: z.number().int().openapi({ example: 280 }),
        revenue: moneyList(364_000),
      }),
    ),
  })
  .openapi('AnalyticsSales');

const abcClass = z.enum(['A', 'B', 'C']);
export const abcSchema = z
  .object({
    ...period,
    thresholds: z.object({
      a: z.number().openapi({ example: 0.8 }),
      b: z.number().openapi({ example: 0.95 }),
      x: z.number().openapi({ example: 0.5 }),
      y: z.number().openapi({ example: 1 }),
    }),
    periods: z.number().int().openapi({ description: '7-day periods the demand CV is over', example: 53 }),
    classes: z.array(
      z.object({
        currency: z.string().openapi({ example: 'EUR' }),
        class: abcClass.openapi({ example: 'A' }),
        skus: z.number().int().openapi({ example: 12 }),
        value: z.number().int().openapi({ example: 9_600_000 }),
      }),
    ),
    items: z.array(
      z.object({
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
        class: abcClass.nullable().openapi({ description: 'Null: the product has no cost', example: 'A' }),
        xyz: z.enum(['X', 'Y', 'Z']).openapi({ example: 'X' }),
        unitsSold: z.number().int().openapi({ example: 5200 }),
        value: moneyOrNull(),
        share: ratio('Of its currency total', 0.2275),
        cumulativeShare: ratio('Of its currency total, up to and including this sku', 0.2275),
        demandCv: ratio('Coefficient of variation of 7-day demand', 0.21),
        onHand: z.number().int().openapi({ description: 'On hand now', example: 120 }),
        daysOfCover: ratio('onHand / (unitsSold / days of the window)', 8.4),
      }),
    ),
  })
  .openapi('AnalyticsAbc');

export const deadStockSchema = z
  .object({
    days: z.number().int().openapi({ example: 90 }),
    items: z.array(
      z.object({
        warehouseId: z.string().openapi({ example: exampleIds.warehouse }),
        sku: z.string().openapi({ example: 'HAM-16OZ' }),
        onHand: z.number().int().openapi({ example: 40 }),
        lastMovementDay: z.string().openapi({ example: '2025-09-30' }),
        daysSinceMovement: z.number().int().openapi({ example: 107 }),
        value: moneyOrNull(),
      }),
    ),
  })
  .openapi('AnalyticsDeadStock');
