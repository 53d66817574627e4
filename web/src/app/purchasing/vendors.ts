/** Every vendor, loaded once per visit to the purchasing screens and shared by them (names for ids, pickers). */
import { Injectable, inject, signal } from '@angular/core';
import type { components } from '@varastokkr/client';
import { ApiSession } from '../api/api-session';

export type Vendor = components['schemas']['Vendor'];

@Injectable({ providedIn: 'root' })
export class Vendors {
  private readonly session = inject(ApiSession);
  readonly list = signal<readonly Vendor[]>([]);

  /** Every page of GET /api/vendors (a purchasing department has tens, not thousands). */
  async load(): Promise<readonly Vendor[]> {
    const all: Vendor[] = [];
    let cursor: string | undefined;
    do {
      const { data } = await this.session.api((c) =>
        c.GET('/api/vendors', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
      );
      all.push(...data.items);
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
    this.list.set(all);
    return all;
  }

  /** The vendor's name, for a table cell (the id while the list is loading). */
  nameOf(id: string): string {
    return this.list().find((v) => v.id === id)?.name ?? id.slice(0, 8);
  }

  /** Replaces one vendor in the shared list after it was created or edited. */
  remember(vendor: Vendor): void {
    const others = this.list().filter((v) => v.id !== vendor.id);
    this.list.set([...others, vendor].sort((a, b) => a.name.localeCompare(b.name)));
  }
}
