/**
 * A connection's webhook secret at rest: sealed as identity seals private signing keys (AES-256-GCM
 * under the key-encryption key SIGNING_KEY_ENCRYPTION_KEY, `v1.<kek id>.<iv>.<ciphertext>`), with
 * the connection's id as additional data, so a sealed secret copied to another row does not open.
 * We must read the secret back (HMAC needs it), so it cannot be hashed like an API key.
 */
import { and, eq, notLike } from 'drizzle-orm';
import { currentSealPrefix, openSecret, resealSecret, sealSecret } from '../identity/secret-sealing.ts';
import type { AuthSettings } from '../identity/settings.ts';
import type { Database } from '../platform/database.ts';
import { connections } from './tables.ts';

const boundTo = (connectionId: string) => `varastokkr integration secret ${connectionId}`;

export function sealConnectionSecret(
  settings: AuthSettings,
  connectionId: string,
  secret: string,
): Promise<string> {
  return sealSecret(settings, boundTo(connectionId), secret);
}

/** The secret, or undefined when no configured KEK opens it (the receiver then answers 401). */
export function openConnectionSecret(
  settings: AuthSettings,
  connectionId: string,
  sealed: string,
): Promise<string | undefined> {
  return openSecret(settings, boundTo(connectionId), sealed);
}

/**
 * After a KEK rotation (the new one current, the old one previous), re-seals every connection
 * secret still under another KEK, so the previous one can be dropped. Run hourly beside the
 * signing keys' reseal (the rotate-signing-keys job). Returns how many changed; a secret no
 * configured KEK opens is left as it is (and logged by the receiver when a delivery needs it).
 */
export async function resealConnectionSecrets(db: Database, settings: AuthSettings): Promise<number> {
  const stale = await db
    .select({ id: connections.id, secretSealed: connections.secretSealed })
    .from(connections)
    .where(notLike(connections.secretSealed, `${await currentSealPrefix(settings)}%`));
  let changed = 0;
  for (const row of stale) {
    const secretSealed = await resealSecret(settings, boundTo(row.id), row.secretSealed);
    if (secretSealed === row.secretSealed) continue;
    const resealed = await db
      .update(connections)
      .set({ secretSealed })
      // Only if no one resealed it meanwhile.
      .where(and(eq(connections.id, row.id), eq(connections.secretSealed, row.secretSealed)))
      .returning({ id: connections.id });
    changed += resealed.length;
  }
  return changed;
}
