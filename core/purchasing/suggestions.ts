/**
 * Reorder points and quantities from real demand: per sku of a warehouse, daily shipments over a
 * window give the mean and deviation of demand; the preferred vendor gives the lead time, pack
 * size, minimum and unit cost. The arithmetic is reorder-formulas.ts.
 */
import type { InventoryClient } from '../inventory/client.ts';
import { readShipmentDemand } from '../inventory/reorder-reads.ts';
import type { Database } from '../platform/database.ts';
import { ValidationError } from '../platform/problem.ts';
import {
  dailyDemand,
  economicOrderQuantity,
  reorderPoint,
  serviceLevelZ,
  vendorQuantity,
} from './reorder-formulas.ts';
import { supplierItems, vendors } from './tables.ts';

export interface SuggestionInputs {
  windowDays: number;
  serviceLevel: number;
  /** Cost of placing one order (minor units); EOQ needs it. */
  orderCost: number | null;
  /** Yearly cost of holding a unit, as a fraction of its unit cost. */
  holdingRate: number;
}

export interface Suggestion {
  sku: string;
  vendorId: string | null;
  avgDailyDemand: number;
  demandStdDev: number;
  leadTimeDays: number | null;
  z: number;
  unitCost: number | null;
  packSize: number;
  minOrderQty: number;
  suggestedReorderPoint: number | null;
  suggestedReorderQty: number | null;
  /** How the quantity was found: economic order quantity, or a lead time's demand. */
  qtyMethod: 'eoq' | 'lead_time_demand' | null;
  current: { reorderPoint: number | null; reorderQty: number | null };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function suggestReorders(
  db: Database,
  warehouseId: string,
  inputs: SuggestionInputs,
): Promise<Suggestion[]> {
  const demand = await readShipmentDemand(db.$client, warehouseId, inputs.windowDays);
  const vendorRows = await db.select().from(vendors);
  const itemRows = await db.select().from(supplierItems);
  const vendorById = new Map(vendorRows.map((v) => [v.id, v]));
  const itemOf = (vendorId: string, sku: string) =>
    itemRows.find((i) => i.vendorId === vendorId && i.sku === sku);
  const z = serviceLevelZ(inputs.serviceLevel);
  return demand.map((d) => {
    const { mean, stdDev } = dailyDemand(d.total, d.sumOfSquares, inputs.windowDays);
    const vendor = d.preferredVendorId ? vendorById.get(d.preferredVendorId) : undefined;
    const item = vendor ? itemOf(vendor.id, d.sku) : undefined;
    const leadTimeDays = vendor ? (item?.leadTimeDays ?? vendor.leadTimeDays) : null;
    const packSize = item?.packSize ?? 1;
    const minOrderQty = item?.minOrderQty ?? 1;
    const unitCost = item?.unitCost ?? null;
    const point = leadTimeDays === null ? null : reorderPoint(mean, stdDev, leadTimeDays, z);
    const eoq = economicOrderQuantity(
      mean * 365,
      inputs.orderCost,
      unitCost === null ? null : unitCost * inputs.holdingRate,
    );
    const leadDemand = leadTimeDays === null ? null : mean * leadTimeDays;
    const rawQty = eoq ?? leadDemand;
    return {
      sku: d.sku,
      vendorId: vendor?.id ?? null,
      avgDailyDemand: round(mean),
      demandStdDev: round(stdDev),
      leadTimeDays,
      z: round(z),
      unitCost,
      packSize,
      minOrderQty,
      suggestedReorderPoint: point,
      suggestedReorderQty: rawQty === null ? null : vendorQuantity(rawQty, packSize, minOrderQty),
      qtyMethod: eoq !== null ? 'eoq' : leadDemand !== null ? 'lead_time_demand' : null,
      current: { reorderPoint: d.reorderPoint, reorderQty: d.reorderQty },
    };
  });
}

/** Sets the suggested reorder point and quantity of these skus (422 naming a sku without a suggestion). */
export async function applySuggestions(
  db: Database,
  inventory: InventoryClient,
  input: { warehouseId: string; skus: string[] },
  inputs: SuggestionInputs,
): Promise<Suggestion[]> {
  const all = await suggestReorders(db, input.warehouseId, inputs);
  const bySku = new Map(all.map((s) => [s.sku.toLowerCase(), s]));
  const chosen = input.skus.map((sku, i) => {
    const s = bySku.get(sku.toLowerCase());
    if (!s || s.suggestedReorderPoint === null || s.suggestedReorderQty === null)
      throw new ValidationError([
        {
          path: `skus.${i}`,
          message: s
            ? 'No suggestion: the sku has no preferred vendor to take a lead time from.'
            : 'No stock level for this sku in the warehouse.',
        },
      ]);
    return s;
  });
  for (const s of chosen)
    await inventory.setReorder(input.warehouseId, s.sku, {
      reorderPoint: s.suggestedReorderPoint ?? 0,
      reorderQty: s.suggestedReorderQty ?? 1,
      preferredVendorId: s.vendorId,
    });
  return chosen.map((s) => ({
    ...s,
    current: { reorderPoint: s.suggestedReorderPoint, reorderQty: s.suggestedReorderQty },
  }));
}
