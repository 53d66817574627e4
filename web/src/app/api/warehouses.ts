/** The warehouses the signed-in user may see, loaded once per session and shared by every screen. */
import { Injectable, inject, signal } from '@angular/core';
import type { components } from '@varastokkr/client';
import { ApiSession } from './api-session';

export type Warehouse = components['schemas']['Warehouse'];

@Injectable({ providedIn: 'root' })
export class Warehouses {
  private readonly session = inject(ApiSession);
  private loading: Promise<readonly Warehouse[]> | undefined;
  private loadedFor: string | undefined;
  readonly list = signal<readonly Warehouse[]>([]);

  /** Every page of GET /api/warehouses (scoped by the API to the user's warehouses). */
  load(): Promise<readonly Warehouse[]> {
    const userId = this.session.user()?.id;
    if (this.loading && this.loadedFor === userId) return this.loading;
    this.loadedFor = userId;
    this.loading = this.fetchAll().then(
      (all) => {
        this.list.set(all);
        return all;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }

  private async fetchAll(): Promise<Warehouse[]> {
    const all: Warehouse[] = [];
    let cursor: string | undefined;
    do {
      const { data } = await this.session.api((c) =>
        c.GET('/api/warehouses', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
      );
      all.push(...data.items);
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }
}
