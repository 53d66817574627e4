/**
 * Where GraphQL's answers come from, for one request: everything but availability is read through
 * the edge's own REST routes with the caller's credentials (catalog reads answered at the edge from
 * its cache, the rest forwarded and signed to core), so each field gets exactly the policy its
 * REST endpoint applies. Availability is batched: one call per warehouse room in scope for all the
 * skus a query asks about, the scope decided by core/identity/policy.ts as REST does.
 */

import { may, type Principal } from '../../core/identity/policy.ts';
import type { WarehouseAvailability } from '../../core/inventory/availability.ts';
import { AppError, ForbiddenError } from '../../core/platform/problem.ts';
import { verifyAccessToken } from '../auth.ts';
import { roomAvailability, warehouseDirectory } from '../availability.ts';
import type { EdgeBindings, EdgeConfig } from '../env.ts';
import { BatchLoader } from './batch-loader.ts';
import type { Query, Sources as SchemaSources } from './schema.ts';

/** Serves a request on the edge app itself (its routes, then the gateway to core). */
export type EdgeFetch = (request: Request) => Promise<Response>;

/** What one GraphQL request read, reported in the answer's `extensions.reads`. */
export interface ReadCounts {
  /** Requests through the edge's REST routes (catalog at the edge; the rest forwarded to core). */
  rest: number;
  /** Calls to warehouse rooms (Durable Objects). */
  rooms: number;
}

export interface SourcesOptions {
  env: EdgeBindings;
  cfg: EdgeConfig;
  /** The incoming request: its credentials, client address and URL. */
  incoming: Request;
  requestId: string;
  fetchEdge: EdgeFetch;
  /** Work to finish after the answer (the catalog change log's read-ahead). */
  waitUntil(promise: Promise<unknown>): void;
}

type Json = Record<string, unknown>;

/** The per-request data sources and their batch loaders (made fresh for every request). */
export class Sources implements SchemaSources {
  readonly reads: ReadCounts = { rest: 0, rooms: 0 };
  private principalRead: Promise<Principal> | undefined;
  private readonly products = new BatchLoader<string, Json>((skus) => this.restEach(skus, productPath));
  private readonly rooms = new Map<string, BatchLoader<string, WarehouseAvailability>>();

  constructor(private readonly opts: SourcesOptions) {}

  /** A GET through the edge's REST routes as the caller; a refusal is thrown as its AppError. */
  async rest<T>(pathAndQuery: string): Promise<T> {
    const { incoming, requestId } = this.opts;
    const headers = new Headers({ accept: 'application/json', 'x-request-id': requestId });
    for (const name of ['authorization', 'x-api-key', 'cf-connecting-ip']) {
      const value = incoming.headers.get(name);
      if (value) headers.set(name, value);
    }
    this.reads.rest++;
    const url = new URL(pathAndQuery, incoming.url).toString();
    const res = await this.opts.fetchEdge(new Request(url, { headers }));
    const body = (await res.json().catch(() => ({}))) as Json;
    if (res.ok) return body as T;
    const text = (k: string, fallback: string) => (typeof body[k] === 'string' ? String(body[k]) : fallback);
    const slug = text('type', 'about:blank').split('/').pop() ?? 'error';
    throw new AppError(res.status, slug, text('title', res.statusText), text('detail', text('title', '')));
  }

  /** A GET of a REST path with these query parameters. */
  get(path: string, query: Query = {}): Promise<Json> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined) params.set(k, String(v));
    const search = params.size > 0 ? `?${params}` : '';
    return this.rest<Json>(`${path}${search}`);
  }

  /** A product by sku, through the edge's cached catalog read (null when there is none). */
  product(sku: string): Promise<Json | undefined> {
    return this.products.get(sku);
  }

  /** REST has no batch read for these: one GET each, all at once; a 404 is no entry. */
  private async restEach(keys: string[], path: (key: string) => string): Promise<Map<string, Json>> {
    const found = new Map<string, Json>();
    await Promise.all(
      keys.map(async (key) => {
        try {
          found.set(key, await this.rest<Json>(path(key)));
        } catch (err) {
          if (!(err instanceof AppError && err.status === 404)) throw err;
        }
      }),
    );
    return found;
  }

  /**
   * The caller as the policy sees it: a token's verified claims (as REST availability at the edge
   * reads them), or for an API key what core says of it (`GET /api/auth/me`).
   */
  principal(): Promise<Principal> {
    this.principalRead ??= this.readPrincipal();
    return this.principalRead;
  }

  private async readPrincipal(): Promise<Principal> {
    const token = /^Bearer (\S+)$/.exec(this.opts.incoming.headers.get('authorization') ?? '')?.[1];
    if (!token) return this.rest<Principal>('/api/auth/me');
    const claims = await verifyAccessToken(this.opts.cfg, token);
    const roles = claims.roles as Principal['roles'];
    return { kind: 'user', id: claims.sub, name: '', email: null, roles, warehouseIds: claims.warehouseIds };
  }

  /**
   * A sku's availability in each warehouse the caller may read (or in the one asked for: 403
   * outside the scope), in code order. Skus asked for together share one call per room.
   */
  async availability(sku: string, warehouseId?: string | null): Promise<WarehouseAvailability[]> {
    const principal = await this.principal();
    if (warehouseId && !may(principal, 'availability:read', warehouseId))
      throw new ForbiddenError('This warehouse is outside your scope.');
    const env = this.opts.env;
    const directory = await warehouseDirectory({ env, waitUntil: (p) => this.opts.waitUntil(p) });
    const wanted = directory.filter(
      (w) => (!warehouseId || w.id === warehouseId) && may(principal, 'availability:read', w.id),
    );
    const entries = await Promise.all(wanted.map((w) => this.room(w).get(sku)));
    return entries.filter((e): e is WarehouseAvailability => e !== undefined);
  }

  /** A warehouse's id and code from the edge's directory (kept per isolate: no read). */
  async warehouse(id: string): Promise<{ id: string; code: string } | undefined> {
    const directory = await warehouseDirectory({
      env: this.opts.env,
      waitUntil: (p) => this.opts.waitUntil(p),
    });
    return directory.find((w) => w.id === id);
  }

  private room(warehouse: { id: string; code: string }): BatchLoader<string, WarehouseAvailability> {
    let loader = this.rooms.get(warehouse.id);
    if (!loader) {
      loader = new BatchLoader((skus) => {
        this.reads.rooms++;
        return roomAvailability(this.opts.env, warehouse, skus);
      });
      this.rooms.set(warehouse.id, loader);
    }
    return loader;
  }
}

const productPath = (sku: string) => `/api/products/${encodeURIComponent(sku)}`;
