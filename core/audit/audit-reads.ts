/**
 * The audit log as GET /api/audit reads it: newest first, filtered, a page at a time. Admins
 * read every entry; managers the catalog's (products, vendors: no warehouse) and those about
 * their warehouses among what they work with (stock, orders, transfers, purchase orders,
 * warehouses). Users, API keys, webhooks and shop connections are admins' business alone.
 */

import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { arrayParam, type Queryable } from '../platform/database.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import type { AuditEntryView, AuditQuery } from './schemas.ts';

/** Entry types a manager sees whatever their warehouses: catalog-wide, and theirs to change. */
const MANAGER_CATALOG_TYPES = ['product', 'vendor'];
/** Entry types a manager sees when they are about one of their warehouses. */
const MANAGER_WAREHOUSE_TYPES = ['stock', 'order', 'transfer', 'purchase_order', 'warehouse'];

const cursorSchema = z.object({ id: z.string().regex(/^\d{1,19}$/) });

/** snake_case column names as the API's camelCase field names. */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function toView(r: Record<string, unknown>): AuditEntryView {
  const actor = (r.actor ?? {}) as Record<string, unknown>;
  const changes = (r.changes ?? {}) as Record<string, { before: unknown; after: unknown }>;
  return {
    at: String(r.at),
    actor: {
      kind: (actor.kind as AuditEntryView['actor']['kind']) ?? 'system',
      id: (actor.id as string | undefined) ?? null,
      name: (actor.name as string | undefined) ?? null,
      roles: (actor.roles as string[] | undefined) ?? [],
      ip: (actor.ip as string | undefined) ?? null,
      userAgent: (actor.userAgent as string | undefined) ?? null,
    },
    action: String(r.action),
    entityType: r.entity_type as AuditEntryView['entityType'],
    entityId: String(r.entity_id),
    changes: Object.fromEntries(Object.entries(changes).map(([k, v]) => [camel(k), v])),
    requestId: (r.request_id as string | null) ?? null,
  };
}

export async function listAuditEntries(
  q: Queryable,
  query: AuditQuery,
  scope: 'all' | readonly string[],
): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor(query.cursor, cursorSchema) : undefined;
  const visible =
    scope === 'all'
      ? sql`true`
      : sql`(entity_type = any(${arrayParam(MANAGER_CATALOG_TYPES)}::text[])
            or (entity_type = any(${arrayParam(MANAGER_WAREHOUSE_TYPES)}::text[])
                and warehouse_ids && ${arrayParam(scope)}::uuid[]))`;
  const { rows } = await q.execute(sql`
    select id::text as id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, actor, action, entity_type, entity_id, changes, request_id
    from audit.entries
    where ${visible}
      and (${query.entityType ?? null}::text is null or entity_type = ${query.entityType ?? null})
      and (${query.entityId ?? null}::text is null or entity_id = ${query.entityId ?? null})
      and (${query.actorId ?? null}::text is null or actor_id = ${query.actorId ?? null})
      and (${query.from ?? null}::timestamptz is null or at >= ${query.from ?? null}::timestamptz)
      and (${query.to ?? null}::timestamptz is null or at < ${query.to ?? null}::timestamptz)
      and (${after?.id ?? null}::bigint is null or id < ${after?.id ?? null}::bigint)
    order by id desc
    limit ${query.limit + 1}`);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ id: String(last.id) }) : null,
  };
}
