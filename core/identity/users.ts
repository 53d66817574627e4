import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { Batcher, perKey } from '../platform/batcher.ts';
import { type Database, isUniqueViolation, type NamedStatement, queryNamed } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../platform/problem.ts';
import { revokeUserApiKeys } from './api-keys.ts';
import type { PasswordHasher } from './passwords.ts';
import type { Principal } from './policy.ts';
import { revokeUserTokens } from './refresh-tokens.ts';
import { tellRoomsOfUserChange } from './room-sockets.ts';
import type { AuthSettings } from './settings.ts';
import { type Role, users } from './tables.ts';

type UserRow = typeof users.$inferSelect;

export function userView(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    warehouseIds: row.warehouseIds,
    status: row.status as 'active' | 'disabled',
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
export type UserView = ReturnType<typeof userView>;

export interface NewUser {
  email: string;
  password: string;
  name: string;
  roles: Role[];
  warehouseIds: string[];
}

export function assertPasswordLength(password: string, settings: AuthSettings, path = 'password'): void {
  if (password.length < settings.passwordMinLength) {
    throw new ValidationError([{ path, message: `At least ${settings.passwordMinLength} characters` }]);
  }
}

export async function createUser(
  db: Database,
  passwords: PasswordHasher,
  settings: AuthSettings,
  input: NewUser,
) {
  assertPasswordLength(input.password, settings);
  const passwordHash = await passwords.hash(input.password);
  try {
    const rows = await db
      .insert(users)
      .values({
        email: input.email,
        name: input.name,
        passwordHash,
        roles: input.roles,
        warehouseIds: input.warehouseIds,
      })
      .returning();
    return userView(returnedRow(rows));
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('A user with this email exists already.');
    throw err;
  }
}

export async function getUser(db: Database, id: string): Promise<UserView> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw new NotFoundError('No such user.');
  return userView(row);
}

const cursorSchema = z.object({ email: z.string(), id: z.string() });

export async function listUsers(db: Database, page: { limit: number; cursor?: string | undefined }) {
  const after = page.cursor ? decodeCursor(page.cursor, cursorSchema) : undefined;
  const emailKey = sql`lower(${users.email})`;
  const rows = await db
    .select()
    .from(users)
    .where(
      after
        ? or(gt(emailKey, after.email), and(eq(emailKey, after.email), gt(users.id, after.id)))
        : undefined,
    )
    .orderBy(asc(emailKey), asc(users.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit).map(userView);
  const last = items.at(-1);
  const nextCursor =
    rows.length > page.limit && last ? encodeCursor({ email: last.email.toLowerCase(), id: last.id }) : null;
  return { items, nextCursor };
}

export interface UserChanges {
  name?: string | undefined;
  roles?: Role[] | undefined;
  warehouseIds?: string[] | undefined;
  status?: 'active' | 'disabled' | undefined;
  password?: string | undefined;
}

/**
 * An admin's change to a user. Nobody changes their own roles, scopes or status (no
 * self-promotion, and no admin locking themselves out). Disabling signs the user out everywhere:
 * refresh tokens and the user's API keys are revoked; access tokens stop at the next request.
 */
export async function updateUser(
  db: Database,
  passwords: PasswordHasher,
  settings: AuthSettings,
  actor: Principal,
  id: string,
  changes: UserChanges,
): Promise<UserView> {
  const selfGuarded = (['roles', 'warehouseIds', 'status'] as const).filter((f) => changes[f] !== undefined);
  if (actor.kind === 'user' && actor.id === id && selfGuarded.length > 0) {
    throw new ForbiddenError(`You cannot change your own ${selfGuarded.join(', ')}.`);
  }
  if (changes.password !== undefined) assertPasswordLength(changes.password, settings);
  const passwordHash = changes.password === undefined ? undefined : await passwords.hash(changes.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({
        name: changes.name,
        roles: changes.roles,
        warehouseIds: changes.warehouseIds,
        status: changes.status,
        passwordHash,
        updatedAt: new Date(),
      })
      .where(eq(users.id, id))
      .returning();
    if (!row) throw new NotFoundError('No such user.');
    if (changes.status === 'disabled' || passwordHash) await revokeUserTokens(tx, id);
    if (changes.status === 'disabled') await revokeUserApiKeys(tx, id);
    await tellRoomsOfUserChange(tx, row, changes);
    return userView(row);
  });
}

/** The principal for a verified access token: read fresh, so disabling or re-scoping is immediate. */
export async function principalForToken(
  db: Database,
  userId: string,
  sessionId: string,
): Promise<Principal | undefined> {
  return principalLoader(db).submit({ userId, sessionId });
}

interface SessionRef {
  userId: string;
  sessionId: string;
}

/** Every authenticated request runs it, so it is kept prepared (see queryNamed). */
const SESSION_PRINCIPALS: NamedStatement = {
  name: 'identity.session-principals',
  text: `
    select q.n, u.id, u.email, u.name, u.roles, u.warehouse_ids,
           exists (select 1 from identity.refresh_tokens r
                   where r.family_id = q.session_id and r.status <> 'revoked') as session_live
    from unnest($1::uuid[], $2::uuid[]) with ordinality as q(user_id, session_id, n)
    join identity.users u on u.id = q.user_id and u.status = 'active'`,
};

/** Many sessions' principals in one query: concurrent requests share one round trip. */
async function principalsForSessions(db: Database, refs: SessionRef[]): Promise<(Principal | undefined)[]> {
  const result = await queryNamed<{
    n: string;
    id: string;
    email: string;
    name: string;
    roles: Role[];
    warehouse_ids: string[];
    session_live: boolean;
  }>(db, SESSION_PRINCIPALS, [refs.map((r) => r.userId), refs.map((r) => r.sessionId)]);
  const byIndex = new Map(result.rows.map((r) => [Number(r.n) - 1, r]));
  return refs.map((_, i) => {
    const row = byIndex.get(i);
    if (!row?.session_live) return undefined;
    return {
      kind: 'user',
      id: row.id,
      email: row.email,
      name: row.name,
      roles: row.roles,
      warehouseIds: row.warehouse_ids,
    };
  });
}

const principalLoader = perKey(
  (db: Database) =>
    new Batcher<SessionRef, Principal | undefined>((refs) => principalsForSessions(db, refs), {
      name: 'sessions',
      maxBatch: 128,
      maxInFlight: 3,
    }),
);
