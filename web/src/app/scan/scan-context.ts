/**
 * What every scanner mode needs: the warehouse the person stands in, and the product behind a
 * scanned code. Both are remembered on the device (localStorage), so the scanner still knows
 * them with no connection: the last warehouse, and every product it has resolved before.
 */
import { effect, Injectable, inject, signal, untracked } from '@angular/core';
import { ProblemError } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';
import type { ScannedProduct } from './scan-lines';

export type { ScannedProduct };

export interface ScanWarehouse {
  id: string;
  code: string;
  name: string;
}

/** One scan as the modes receive it: `seq` tells two scans of the same code apart. */
export interface Scan {
  seq: number;
  code: string;
  product: ScannedProduct;
}

/**
 * Calls `take` with each new scan a mode receives (call it in a constructor). Only the scan is
 * tracked: what `take` reads does not make it run again.
 */
export function onEachScan(scan: () => Scan | undefined, take: (scan: Scan) => void): void {
  effect(() => {
    const current = scan();
    if (current) untracked(() => take(current));
  });
}

const WAREHOUSE_KEY = 'varastokkr.scanner.warehouse';
const PRODUCTS_KEY = 'varastokkr.scanner.products';
/** Enough for a shift's products without growing without bound. */
const PRODUCTS_KEPT = 2000;

function stored<T>(key: string): T | undefined {
  try {
    const text = globalThis.localStorage?.getItem(key);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, value: unknown): void {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {} // full or forbidden storage: the scanner works, it only forgets sooner
}

@Injectable({ providedIn: 'root' })
export class ScanContext {
  private readonly session = inject(ApiSession);
  private readonly known = new Map<string, ScannedProduct>(
    Object.entries(stored<Record<string, ScannedProduct>>(PRODUCTS_KEY) ?? {}),
  );
  readonly warehouse = signal<ScanWarehouse | undefined>(stored<ScanWarehouse>(WAREHOUSE_KEY));

  chooseWarehouse(warehouse: ScanWarehouse): void {
    this.warehouse.set(warehouse);
    store(WAREHOUSE_KEY, warehouse);
  }

  /**
   * The product a code stands for: a barcode (EAN/UPC), else a sku (Code 128 and QR labels carry
   * the sku). Offline, a product resolved before. Undefined when the API knows neither.
   */
  async resolve(code: string): Promise<ScannedProduct | undefined> {
    const trimmed = code.trim();
    try {
      const product = (await this.byBarcode(trimmed)) ?? (await this.bySku(trimmed));
      if (product) this.remember(trimmed, product);
      return product;
    } catch (err) {
      const remembered = this.known.get(trimmed) ?? this.known.get(trimmed.toLowerCase());
      if (remembered && !(err instanceof ProblemError)) return remembered;
      throw err;
    }
  }

  private async byBarcode(code: string): Promise<ScannedProduct | undefined> {
    if (!/^\d{8,14}$/.test(code)) return undefined;
    return this.found(this.session.api((c) => c.GET('/api/barcodes/{code}', { params: { path: { code } } })));
  }

  private bySku(sku: string): Promise<ScannedProduct | undefined> {
    return this.found(this.session.api((c) => c.GET('/api/products/{sku}', { params: { path: { sku } } })));
  }

  private async found(
    call: Promise<{ data: { sku: string; name: string; barcode?: string | null } }>,
  ): Promise<ScannedProduct | undefined> {
    try {
      const { data } = await call;
      return { sku: data.sku, name: data.name, barcode: data.barcode ?? null };
    } catch (err) {
      if (err instanceof ProblemError && (err.status === 404 || err.status === 422)) return undefined;
      throw err;
    }
  }

  private remember(code: string, product: ScannedProduct): void {
    for (const key of [code, product.sku.toLowerCase(), product.barcode].filter((k): k is string => !!k)) {
      this.known.delete(key);
      this.known.set(key, product);
    }
    while (this.known.size > PRODUCTS_KEPT) this.known.delete(this.known.keys().next().value as string);
    store(PRODUCTS_KEY, Object.fromEntries(this.known));
  }
}
