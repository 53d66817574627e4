/**
 * The principal behind a stored owner (a user or an API key), read fresh: what another service
 * that acts later for its caller (webhooks delivering events) checks the policy against. A
 * disabled user, a revoked key or a key whose user is disabled has no principal.
 */
import { and, eq, isNull, or } from 'drizzle-orm';
import type { Queryable } from '../platform/database.ts';
import type { Principal } from './policy.ts';
import { apiKeys, users } from './tables.ts';

export interface Owner {
  kind: Principal['kind'];
  id: string;
}

export async function ownerPrincipal(q: Queryable, owner: Owner): Promise<Principal | undefined> {
  if (owner.kind === 'user') {
    const [row] = await q
      .select()
      .from(users)
      .where(and(eq(users.id, owner.id), eq(users.status, 'active')));
    return (
      row && {
        kind: 'user',
        id: row.id,
        name: row.name,
        email: row.email,
        roles: row.roles,
        warehouseIds: row.warehouseIds,
      }
    );
  }
  const [row] = await q
    .select({ key: apiKeys })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.id, owner.id),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.userId), eq(users.status, 'active')),
      ),
    );
  return (
    row && {
      kind: 'api_key',
      id: row.key.id,
      name: row.key.name,
      email: null,
      roles: row.key.roles,
      warehouseIds: row.key.warehouseIds,
    }
  );
}
