import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { type Database, pgConstraint, type Queryable } from '../platform/database.ts';
import { expected, returnedRow } from '../platform/invariant.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../platform/problem.ts';
import type { Principal } from './policy.ts';
import { randomSecret, sameHash, sha256 } from './secrets.ts';
import { apiKeys, type Role, users } from './tables.ts';

export interface NewApiKey {
  name: string;
  roles: Role[];
  warehouseIds: string[];
  userId?: string | undefined;
}

type KeyRow = typeof apiKeys.$inferSelect;

export function apiKeyView(row: KeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    roles: row.roles,
    warehouseIds: row.warehouseIds,
    userId: row.userId,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

// vk_<prefix>_<secret>: the prefix is shown in listings and logs and finds the row; the whole
// key is stored only as a SHA-256 hash (it is 256 random bits: no slow hash needed).
const KEY_FORMAT = /^vk_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

function newPrefix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => alphabet[b % alphabet.length]).join(
    '',
  );
}

/** Who created a key, in the column for the creator's kind (null: the seed or a script). */
function creatorColumns(createdBy: Principal | null) {
  return {
    createdByUserId: createdBy?.kind === 'user' ? createdBy.id : null,
    createdByKeyId: createdBy?.kind === 'api_key' ? createdBy.id : null,
  };
}

/** Creates a key; the returned `key` is the only time anyone sees it. */
export async function createApiKey(db: Database, input: NewApiKey, createdBy: Principal | null) {
  const prefix = newPrefix();
  const key = `vk_${prefix}_${randomSecret()}`;
  try {
    const rows = await db
      .insert(apiKeys)
      .values({
        ...input,
        userId: input.userId ?? null,
        prefix,
        keyHash: sha256(key),
        ...creatorColumns(createdBy),
      })
      .returning();
    return { ...apiKeyView(returnedRow(rows)), key };
  } catch (err) {
    if (pgConstraint(err) === 'api_keys_user_id_users_id_fk') {
      throw new ValidationError([{ path: 'userId', message: 'No such user' }]);
    }
    throw err;
  }
}

export async function listApiKeys(db: Database) {
  const rows = await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt)).limit(500);
  return rows.map(apiKeyView);
}

export async function revokeApiKey(db: Queryable, id: string): Promise<void> {
  const revoked = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (revoked.length === 0) {
    const [exists] = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, id));
    if (!exists) throw new NotFoundError('No such API key.');
  }
}

export async function revokeUserApiKeys(q: Queryable, userId: string): Promise<void> {
  await q
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
}

/** The principal behind an X-API-Key header, or 401. Revoked keys and disabled owners are refused. */
export async function principalFromApiKey(db: Database, presented: string): Promise<Principal> {
  const match = KEY_FORMAT.exec(presented);
  const invalid = new UnauthorizedError('The API key is not valid.');
  if (!match) throw invalid;
  const [row] = await db
    .select({ key: apiKeys, ownerStatus: users.status })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.prefix, expected(match[1], 'the prefix KEY_FORMAT captures')));
  if (!row || !sameHash(sha256(presented), row.key.keyHash)) throw invalid;
  if (row.key.revokedAt) throw new UnauthorizedError('The API key has been revoked.');
  if (row.key.userId && row.ownerStatus !== 'active')
    throw new UnauthorizedError('The API key owner is disabled.');
  // Last use, at most once a minute per key: no write on every request.
  await db.execute(sql`
    update identity.api_keys set last_used_at = now()
    where id = ${row.key.id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`);
  return keyPrincipal(row.key);
}

/** The principal an API key acts as. */
export const keyPrincipal = (key: Pick<KeyRow, 'id' | 'name' | 'roles' | 'warehouseIds'>): Principal => ({
  kind: 'api_key',
  id: key.id,
  name: key.name,
  email: null,
  roles: key.roles,
  warehouseIds: key.warehouseIds,
});
