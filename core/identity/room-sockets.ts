/**
 * Live room sockets outlive nothing they depend on: every change that ends a credential or
 * changes a user's rights tells the warehouse rooms at the edge, through the outbox (a job
 * written by the change's own transaction, so it exists if and only if the change committed).
 * The jobs runner delivers it to the edge, which closes or re-checks the sockets concerned.
 */
import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../platform/database.ts';
import { enqueueJob } from '../platform/outbox.ts';
import type { RoomAccessChange } from '../platform/room-contract.ts';
import { sha256 } from './secrets.ts';
import { apiKeys } from './tables.ts';

const tellRooms = (q: Queryable, change: RoomAccessChange) => enqueueJob(q, 'recheck-room-sockets', change);

/**
 * After an admin's (or the user's own) change to a user: disabling ends the user's sockets and
 * those of their API keys (revoked with it); a new password signs the user out everywhere; new
 * roles or warehouses make the rooms ask the policy again.
 */
export async function tellRoomsOfUserChange(
  q: Queryable,
  user: { id: string; roles: string[]; warehouseIds: string[] },
  changes: {
    status?: string | undefined;
    password?: string | undefined;
    roles?: unknown;
    warehouseIds?: unknown;
  },
): Promise<void> {
  if (changes.status === 'disabled') {
    const keys = await q.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, user.id));
    return tellRooms(q, {
      kind: 'ended',
      reason: 'disabled',
      userId: user.id,
      apiKeyIds: keys.map((k) => k.id),
    });
  }
  if (changes.password !== undefined)
    return tellRooms(q, { kind: 'ended', reason: 'signed_out', userId: user.id, apiKeyIds: [] });
  if (changes.roles !== undefined || changes.warehouseIds !== undefined)
    return tellRooms(q, {
      kind: 'rescoped',
      userId: user.id,
      roles: user.roles,
      warehouseIds: user.warehouseIds,
    });
}

/** Logout with this refresh token: its session's sockets end. An unknown token ends nothing. */
export async function tellRoomsOfLogout(q: Queryable, refreshToken: string): Promise<void> {
  const { rows } = await q.execute<{ family_id: string }>(sql`
    select family_id from identity.refresh_tokens where token_hash = ${sha256(refreshToken)}`);
  const sessionId = rows[0]?.family_id;
  if (sessionId) await tellRoomsSessionEnded(q, sessionId, 'signed_out');
}

/** A sign-in session (refresh-token family) revoked: its sockets end. */
export async function tellRoomsSessionEnded(
  q: Queryable,
  sessionId: string,
  reason: 'signed_out' | 'session_ended' = 'session_ended',
): Promise<void> {
  await tellRooms(q, { kind: 'ended', reason, sessionId, apiKeyIds: [] });
}

/** An API key revoked: sockets opened with it end. */
export async function tellRoomsKeyRevoked(q: Queryable, apiKeyId: string): Promise<void> {
  await tellRooms(q, { kind: 'ended', reason: 'key_revoked', apiKeyIds: [apiKeyId] });
}
