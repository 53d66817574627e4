import { expect, test } from 'bun:test';
import {
  changesSettings,
  isApplicable,
  methodLabel,
  runSummary,
  type Suggestion,
} from './replenishment-summary';

const suggestion = (over: Partial<Suggestion>): Suggestion => ({
  sku: 'A',
  vendorId: 'v',
  avgDailyDemand: 2,
  demandStdDev: 1,
  leadTimeDays: 4,
  z: 1.645,
  unitCost: 100,
  packSize: 1,
  minOrderQty: 1,
  suggestedReorderPoint: 12,
  suggestedReorderQty: 8,
  qtyMethod: 'lead_time_demand',
  current: { reorderPoint: null, reorderQty: null },
  ...over,
});

test('a suggestion without a vendor cannot be applied; one equal to the settings changes nothing', () => {
  expect(isApplicable(suggestion({}))).toBe(true);
  expect(
    isApplicable(suggestion({ vendorId: null, suggestedReorderPoint: null, suggestedReorderQty: null })),
  ).toBe(false);
  expect(changesSettings(suggestion({}))).toBe(true);
  expect(changesSettings(suggestion({ current: { reorderPoint: 12, reorderQty: 8 } }))).toBe(false);
  expect(methodLabel('eoq')).toBe('Economic order quantity');
  expect(methodLabel(null)).toBe('No preferred vendor');
});

test('a run says how many lines on how many orders, and what had no vendor', () => {
  const line = (purchaseOrderId: string, sku: string) => ({
    warehouseId: 'w',
    vendorId: 'v',
    purchaseOrderId,
    sku,
    qty: 5,
  });
  expect(runSummary({ lines: [line('p1', 'A'), line('p1', 'B'), line('p2', 'C')], noVendor: [] })).toBe(
    'Drafted 3 lines on 2 purchase orders.',
  );
  expect(runSummary({ lines: [line('p1', 'A')], noVendor: [{ warehouseId: 'w', sku: 'Z' }] })).toBe(
    'Drafted 1 line on 1 purchase order. 1 sku has no preferred vendor to order from.',
  );
  expect(runSummary({ lines: [], noVendor: [] })).toContain('Nothing to draft');
});
