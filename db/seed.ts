import { eq, sql } from 'drizzle-orm';
import { products } from '../core/catalog/tables.ts';
import { users } from '../core/identity/tables.ts';
import { createLocalInventoryClient } from '../core/inventory/client.ts';
import { moveStock } from '../core/inventory/movements.ts';
import { warehouses } from '../core/inventory/tables.ts';
import { connectDatabase, type Database } from '../core/platform/database.ts';
import {
  createPurchaseOrder,
  endPurchaseOrder,
  submitPurchaseOrder,
} from '../core/purchasing/purchase-orders.ts';
import { receivePurchaseOrder } from '../core/purchasing/receiving.ts';
import { supplierItems, vendors } from '../core/purchasing/tables.ts';

export interface SeedOptions {
  adminEmail: string;
  adminPassword: string;
  progress?: (line: string) => void;
}

const demoWarehouses = [
  { code: 'HEL', name: 'Helsinki', timezone: 'Europe/Helsinki' },
  { code: 'BER', name: 'Berlin', timezone: 'Europe/Berlin' },
  { code: 'NYC', name: 'New York', timezone: 'America/New_York' },
];

const demoCategories: Record<string, string[]> = {
  tools: ['Hammer', 'Screwdriver set', 'Tape measure', 'Utility knife', 'Spirit level', 'Cordless drill'],
  fasteners: [
    'Wood screws 4x40',
    'Wall plugs 6mm',
    'Hex bolts M8',
    'Washers M8',
    'Cable ties 200mm',
    'Nails 50mm',
  ],
  electrical: ['Extension cord 5m', 'LED bulb E27', 'Wall socket', 'Cable 3x1.5', 'Fuse 16A', 'Torch'],
  paint: ['Wall paint white 10l', 'Primer 5l', 'Roller 25cm', 'Brush set', 'Masking tape', 'Drop cloth'],
  garden: ['Garden hose 25m', 'Pruning shears', 'Rake', 'Watering can', 'Plant pots 5-pack', 'Gloves'],
  safety: ['Safety glasses', 'Ear defenders', 'Dust masks 10-pack', 'Work gloves', 'Hard hat', 'Hi-vis vest'],
};

/** EAN-13 with a correct check digit, from a 12-digit body. */
export function ean13(body12: string): string {
  const sum = [...body12].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return body12 + String((10 - (sum % 10)) % 10);
}

function demoProducts() {
  let n = 0;
  return Object.entries(demoCategories).flatMap(([category, names]) =>
    names.map((name) => {
      n += 1;
      const price = 199 + ((n * 737) % 9800);
      return {
        sku: `${category.slice(0, 3).toUpperCase()}-${String(n).padStart(4, '0')}`,
        name,
        category,
        barcode: ean13(`640${String(n).padStart(9, '0')}`),
        priceAmount: price,
        priceCurrency: 'EUR',
        costAmount: Math.round(price * 0.55),
        costCurrency: 'EUR',
      };
    }),
  );
}

/**
 * Opening stock: one receipt per (warehouse, product), with varied quantities (a few at zero or
 * below their reorder point, so the dashboards have something to show). Written through
 * inventory's move_stock, so the ledger sums up. Runs once: skipped when seed receipts exist.
 */
async function seedStock(db: Database, skus: string[], progress: (line: string) => void) {
  const { rows } = await db.execute(
    sql`select 1 from inventory.movements where reference_type = 'seed' limit 1`,
  );
  if (rows.length > 0) return;
  const sites = await db.select({ id: warehouses.id, code: warehouses.code }).from(warehouses);
  const demo = sites.filter((s) => demoWarehouses.some((d) => d.code === s.code));
  await db.transaction(async (tx) => {
    const lines = demo.flatMap((site, w) =>
      skus.map((sku, i) => ({
        warehouseId: site.id,
        sku,
        qty: (i * 7 + w * 13) % 9 === 0 ? 0 : ((i * 7 + w * 13) % 60) + 3,
      })),
    );
    const result = await moveStock(tx, {
      mode: 'delta',
      lines: lines.filter((l) => l.qty > 0),
      type: 'receipt',
      reason: 'received',
      note: 'opening stock (demo seed)',
      referenceType: 'seed',
      referenceId: 'opening-stock',
      actorId: null,
      requestId: null,
    });
    if (!result.ok) throw new Error('seed: opening stock refused');
    await tx.execute(sql`update inventory.stock_levels set reorder_point = 10, reorder_qty = 50
      where warehouse_id = any(${sql.param(demo.map((d) => d.id))}::uuid[]) and reorder_point is null`);
  });
  progress(`seed: opening stock for ${skus.length} products in ${demo.map((d) => d.code).join(', ')}`);
}

const demoVendors = [
  {
    name: 'Nordic Supply Oy',
    email: 'orders@nordic-supply.example',
    leadTimeDays: 5,
    currency: 'EUR',
    warehouse: 'HEL',
  },
  {
    name: 'Baltic Hardware AS',
    email: 'sales@baltic-hardware.example',
    leadTimeDays: 10,
    currency: 'EUR',
    warehouse: 'BER',
  },
  {
    name: 'Hudson Wholesale Inc',
    email: 'po@hudson-wholesale.example',
    leadTimeDays: 7,
    currency: 'USD',
    warehouse: 'NYC',
  },
];

/**
 * Vendors, what each sells (every product, in packs of 6 or 12, at 55% of the price), each the
 * preferred vendor of its warehouse's levels, and a few purchase orders in different states made
 * through purchasing's own functions (so the received one is in the ledger). Vendors and items
 * are upserts; the orders are made once (skipped when the demo orders exist).
 */
async function seedPurchasing(
  db: Database,
  items: { sku: string; priceAmount: number }[],
  progress: (line: string) => void,
) {
  const sites = await db.select({ id: warehouses.id, code: warehouses.code }).from(warehouses);
  const siteId = (code: string) => sites.find((w) => w.code === code)?.id;
  const vendorIds: Record<string, string> = {};
  for (const v of demoVendors) {
    const [found] = await db.select({ id: vendors.id }).from(vendors).where(eq(vendors.name, v.name));
    const id =
      found?.id ??
      (
        await db
          .insert(vendors)
          .values({ name: v.name, email: v.email, leadTimeDays: v.leadTimeDays, currency: v.currency })
          .returning({ id: vendors.id })
      )[0]?.id;
    if (!id) throw new Error(`seed: vendor ${v.name} not written`);
    vendorIds[v.warehouse] = id;
    await db
      .insert(supplierItems)
      .values(
        items.map((p, i) => ({
          vendorId: id,
          sku: p.sku,
          vendorSku: `${v.name.slice(0, 2).toUpperCase()}-${p.sku}`,
          unitCost: Math.round(p.priceAmount * 0.55),
          packSize: i % 2 === 0 ? 6 : 12,
          minOrderQty: i % 3 === 0 ? 24 : 1,
        })),
      )
      .onConflictDoNothing();
    const site = siteId(v.warehouse);
    if (site)
      await db.execute(sql`update inventory.stock_levels set preferred_vendor_id = ${id}
        where warehouse_id = ${site} and preferred_vendor_id is null`);
  }
  progress(`seed: vendors ${demoVendors.map((v) => v.name).join(', ')} with supplier items`);

  const { rows } = await db.execute(
    sql`select 1 from purchasing.purchase_orders where note like 'demo seed:%' limit 1`,
  );
  if (rows.length > 0) return;
  const inventory = createLocalInventoryClient(db);
  const buyer = { actorId: 'system:seed', requestId: 'seed' };
  const order = async (code: string, note: string, skus: string[], qty: number) => {
    const warehouseId = siteId(code);
    const vendorId = vendorIds[code];
    if (!warehouseId || !vendorId) throw new Error(`seed: no demo warehouse ${code}`);
    const po = await createPurchaseOrder(
      db,
      {
        vendorId,
        warehouseId,
        lines: skus.map((sku) => ({ sku, qty })),
        receiveTolerancePct: 0,
        note: `demo seed: ${note}`,
      },
      buyer,
    );
    return po.id;
  };
  const skus = items.map((p) => p.sku);
  await order('HEL', 'a draft to review', skus.slice(0, 3), 24);
  const submitted = await order('BER', 'submitted, on order', skus.slice(3, 6), 36);
  await submitPurchaseOrder(db, submitted, buyer);
  const partial = await order('HEL', 'partially received', skus.slice(6, 8), 48);
  await submitPurchaseOrder(db, partial, buyer);
  await receivePurchaseOrder(db, inventory, partial, { lines: [{ sku: skus[6] ?? '', qty: 48 }] }, buyer);
  const received = await order('NYC', 'received in full', skus.slice(8, 10), 12);
  await submitPurchaseOrder(db, received, buyer);
  await receivePurchaseOrder(
    db,
    inventory,
    received,
    { lines: skus.slice(8, 10).map((sku) => ({ sku, qty: 12 })) },
    buyer,
  );
  const cancelled = await order('BER', 'cancelled', skus.slice(10, 11), 6);
  await endPurchaseOrder(db, cancelled, 'cancel', buyer);
  progress('seed: purchase orders (draft, submitted, partially received, received, cancelled)');
}

/** Idempotent: a second run adds nothing and changes nothing. */
export async function seedDemoData(url: string, opts: SeedOptions): Promise<void> {
  const progress = opts.progress ?? (() => {});
  const { db, close } = connectDatabase(url, { max: 2, application: 'varastokkr-seed' });
  try {
    const passwordHash = await Bun.password.hash(opts.adminPassword, { algorithm: 'argon2id' });
    await db
      .insert(users)
      .values({ email: opts.adminEmail, name: 'Admin', passwordHash, roles: ['admin'] })
      .onConflictDoNothing();
    progress(`seed: admin ${opts.adminEmail}`);

    await db.insert(warehouses).values(demoWarehouses).onConflictDoNothing({ target: warehouses.code });
    progress(`seed: warehouses ${demoWarehouses.map((w) => w.code).join(', ')}`);

    const items = demoProducts();
    const chunk = 12;
    for (let i = 0; i < items.length; i += chunk) {
      await db
        .insert(products)
        .values(items.slice(i, i + chunk))
        .onConflictDoNothing();
      progress(`seed: products ${Math.min(i + chunk, items.length)}/${items.length}`);
    }

    await seedStock(
      db,
      items.map((p) => p.sku),
      progress,
    );

    await seedPurchasing(db, items, progress);
  } finally {
    await close();
  }
}

if (import.meta.main) {
  const { config } = await import('../core/platform/config.ts');
  const { withDatabase } = await import('./local-database.ts');
  const cfg = config();
  await withDatabase('seed', (url) =>
    seedDemoData(url, {
      adminEmail: cfg.ADMIN_EMAIL,
      adminPassword: cfg.ADMIN_PASSWORD,
      progress: console.log,
    }),
  );
}
