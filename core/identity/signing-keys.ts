import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Database, Queryable } from '../platform/database.ts';
import type { AuthSettings } from './settings.ts';
import {
  keks,
  needsReseal,
  openPrivateJwk,
  resealSigningKeys,
  sealPrivateJwk,
} from './signing-key-sealing.ts';
import { signingKeys } from './tables.ts';

type KeyRow = typeof signingKeys.$inferSelect;

async function newKey(settings: AuthSettings, status: 'pending' | 'active', now: Date) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
  const meta = { kid, alg: 'ES256', use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), ...meta };
  return {
    kid,
    publicJwk: { ...(await exportJWK(publicKey)), ...meta },
    privateKeySealed: await sealPrivateJwk(await keks(settings), kid, privateJwk),
    status,
    createdAt: now,
    activatedAt: status === 'active' ? now : null,
  };
}

// One rotation at a time across every process that may run it (core bootstrap, the cron job).
const lockRotation = (q: Queryable) =>
  q.execute(sql`select pg_advisory_xact_lock(hashtext('identity.signing_keys'))`);

export interface RotationResult {
  created?: string;
  activated?: string;
  retired?: string;
  deleted: number;
  /** Private keys (re-)encrypted under the current key-encryption key. */
  resealed?: number;
}

/**
 * Moves keys along their life: publish a new key `signingKeyPublishLeadSeconds` before it signs
 * (longer than any JWKS cache, so verifiers know it first), then activate it and retire the old
 * one, which stays published until the last token it signed has expired.
 */
export async function rotateSigningKeys(
  db: Database,
  settings: AuthSettings,
  now = new Date(),
): Promise<RotationResult> {
  return db.transaction(async (tx) => {
    await lockRotation(tx);
    const result: RotationResult = { deleted: 0 };
    const resealed = await resealSigningKeys(tx, settings);
    if (resealed > 0) result.resealed = resealed;
    const rows = await tx
      .select()
      .from(signingKeys)
      .where(inArray(signingKeys.status, ['pending', 'active']));
    const active = rows.find((r) => r.status === 'active');
    const pending = rows.find((r) => r.status === 'pending');
    const leadMs = settings.signingKeyPublishLeadSeconds * 1000;

    if (!active) {
      const key = await newKey(settings, 'active', now);
      await tx.insert(signingKeys).values(key);
      result.created = result.activated = key.kid;
    } else if (pending && pending.createdAt.getTime() <= now.getTime() - leadMs) {
      const expiresAt = new Date(now.getTime() + (settings.accessTokenTtlSeconds + 60) * 1000);
      await tx
        .update(signingKeys)
        .set({ status: 'retired', retiredAt: now, expiresAt })
        .where(eq(signingKeys.kid, active.kid));
      await tx
        .update(signingKeys)
        .set({ status: 'active', activatedAt: now })
        .where(eq(signingKeys.kid, pending.kid));
      result.activated = pending.kid;
      result.retired = active.kid;
    } else if (!pending) {
      const dueAt =
        (active.activatedAt ?? active.createdAt).getTime() + settings.signingKeyRotationDays * 86_400_000;
      if (now.getTime() >= dueAt - leadMs) {
        const key = await newKey(settings, 'pending', now);
        await tx.insert(signingKeys).values(key);
        result.created = key.kid;
      }
    }
    const deleted = await tx
      .delete(signingKeys)
      .where(and(eq(signingKeys.status, 'retired'), lt(signingKeys.expiresAt, now)))
      .returning({ kid: signingKeys.kid });
    result.deleted = deleted.length;
    return result;
  });
}

/** The keys verifiers must know: pending, active, and retired ones whose tokens may still be valid. */
export async function publishedKeys(q: Queryable, now = new Date()): Promise<KeyRow[]> {
  return q
    .select()
    .from(signingKeys)
    .where(
      or(
        inArray(signingKeys.status, ['pending', 'active']),
        and(
          eq(signingKeys.status, 'retired'),
          or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, now)),
        ),
      ),
    );
}

/** Re-encrypts what needs it, one process at a time. */
async function resealUnderLock(db: Database, settings: AuthSettings): Promise<number> {
  return db.transaction(async (tx) => {
    await lockRotation(tx);
    return resealSigningKeys(tx, settings);
  });
}

const CACHE_MS = 30_000;
const RELOAD_COOLDOWN_MS = 2_000;

/**
 * This process's view of the signing keys: the active key to sign with and the published keys to
 * verify with, cached briefly; an unknown `kid` reloads them (at most every two seconds).
 */
export class KeyRing {
  private loadedAt = 0;
  private signer?: { kid: string; key: CryptoKey };
  /** Why the active key could not be decrypted: signing fails with it, verifying goes on. */
  private signerError?: Error;
  private verifiers = new Map<string, CryptoKey>();
  private jwks: JWK[] = [];
  private loading?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly settings: AuthSettings,
  ) {}

  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    await this.fresh();
    if (!this.signer) {
      await rotateSigningKeys(this.db, this.settings); // first start: create the first key
      await this.reload();
    }
    if (this.signerError) throw this.signerError;
    if (!this.signer) throw new Error('no active signing key');
    return this.signer;
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    await this.fresh();
    if (!this.verifiers.has(kid) && Date.now() - this.loadedAt > RELOAD_COOLDOWN_MS) await this.reload();
    return this.verifiers.get(kid);
  }

  async publicJwks(): Promise<{ keys: JWK[] }> {
    await this.fresh();
    return { keys: this.jwks };
  }

  /** Forget the cache (after a rotation in this process). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt > CACHE_MS) await this.reload();
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        let rows = await publishedKeys(this.db);
        const k = await keks(this.settings);
        if (rows.some((row) => needsReseal(k, row))) {
          // Plaintext from before 0013, or a KEK rotation. A row that cannot be opened fails
          // below if it is the active key; verification goes on regardless.
          await resealUnderLock(this.db, this.settings).catch(() => undefined);
          rows = await publishedKeys(this.db);
        }
        const verifiers = new Map<string, CryptoKey>();
        let signer: { kid: string; key: CryptoKey } | undefined;
        let signerError: Error | undefined;
        for (const row of rows) {
          verifiers.set(row.kid, (await importJWK(row.publicJwk as JWK, 'ES256')) as CryptoKey);
          if (row.status === 'active') {
            try {
              const jwk = row.privateJwk
                ? (row.privateJwk as JWK) // still plaintext: the reseal above failed on another row
                : await openPrivateJwk(k, row.kid, row.privateKeySealed ?? '');
              signer = { kid: row.kid, key: (await importJWK(jwk, 'ES256')) as CryptoKey };
            } catch (err) {
              signerError = err as Error;
            }
          }
        }
        this.signerError = signerError;
        this.verifiers = verifiers;
        this.signer = signer;
        this.jwks = rows.map((r) => r.publicJwk as JWK);
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}
