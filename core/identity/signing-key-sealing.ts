import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { JWK } from 'jose';
import type { Queryable } from '../platform/database.ts';
import { expected } from '../platform/invariant.ts';
import { aesKey, seal, unseal } from './sealing.ts';
import type { AuthSettings } from './settings.ts';

/**
 * Private signing keys at rest: AES-256-GCM under a key-encryption key (KEK) from the environment,
 * stored as `v1.<kek id>.<iv>.<ciphertext>` with the signing key's kid as additional data. The
 * KEK id (a hash prefix of the KEK, not secret) says which KEK sealed a row, so the KEK can
 * rotate: set the new one as SIGNING_KEY_ENCRYPTION_KEY and the old one as
 * SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS, restart; `resealSigningKeys` re-encrypts every row under
 * the new KEK (on the first key use, and hourly with the rotation cron); then drop the previous.
 */
export const KEK_VARIABLE = 'SIGNING_KEY_ENCRYPTION_KEY';
export const PREVIOUS_KEK_VARIABLE = 'SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS';

export interface Kek {
  id: string;
  key: CryptoKey;
  variable: string;
}

export interface Keks {
  current: Kek;
  previous?: Kek | undefined;
}

/** A KEK's id: the first 8 bytes of its SHA-256, hex. */
export function kekId(base64: string): string {
  return createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex').slice(0, 16);
}

export class SigningKeyDecryptionError extends Error {}

async function kek(base64: string, variable: string): Promise<Kek> {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new SigningKeyDecryptionError(`${variable} must be the base64 of 32 bytes.`);
  return { id: kekId(base64), key: await aesKey(raw), variable };
}

const loaded = new WeakMap<AuthSettings['signingKeyEncryption'], Promise<Keks>>();

/** The configured KEKs, imported once per settings object (webhook secrets are sealed under them too). */
export function keks(settings: Pick<AuthSettings, 'signingKeyEncryption'>): Promise<Keks> {
  const config = settings.signingKeyEncryption;
  let found = loaded.get(config);
  if (!found) {
    found = (async () => ({
      current: await kek(config.current, KEK_VARIABLE),
      previous: config.previous ? await kek(config.previous, PREVIOUS_KEK_VARIABLE) : undefined,
    }))();
    loaded.set(config, found);
  }
  return found;
}

const aad = (kid: string) => `varastokkr signing key ${kid}`;

export async function sealPrivateJwk(k: Keks, kid: string, jwk: JWK): Promise<string> {
  return `v1.${k.current.id}.${await seal(k.current.key, JSON.stringify(jwk), aad(kid))}`;
}

/** The private JWK, or an error that names the variable to fix. */
export async function openPrivateJwk(k: Keks, kid: string, sealed: string): Promise<JWK> {
  const [version, id, iv, ct] = sealed.split('.');
  const under = [k.current, k.previous].find((candidate) => candidate?.id === id);
  if (version !== 'v1' || !iv || !ct) {
    throw new SigningKeyDecryptionError(
      `Signing key ${kid}: the stored private key is not in a known format.`,
    );
  }
  if (!under) {
    throw new SigningKeyDecryptionError(
      `Signing key ${kid} was encrypted under key-encryption key id ${id}, but ${KEK_VARIABLE} has id ` +
        `${k.current.id}${k.previous ? ` and ${PREVIOUS_KEK_VARIABLE} ${k.previous.id}` : ''}: set ` +
        `${KEK_VARIABLE} (or, while rotating, ${PREVIOUS_KEK_VARIABLE}) to the key it was encrypted with.`,
    );
  }
  const plain = await unseal(under.key, `${iv}.${ct}`, aad(kid));
  if (plain === undefined) {
    throw new SigningKeyDecryptionError(
      `Signing key ${kid} cannot be decrypted with ${under.variable}: the ciphertext or the key is wrong.`,
    );
  }
  return JSON.parse(plain) as JWK;
}

/** Whether a row must be (re-)encrypted under the current KEK. */
export function needsReseal(k: Keks, row: { privateJwk: unknown; privateKeySealed: string | null }): boolean {
  return row.privateJwk != null || !row.privateKeySealed?.startsWith(`v1.${k.current.id}.`);
}

/**
 * Encrypts rows still in plaintext (from before 0013) and re-encrypts rows sealed under the
 * previous KEK, under the current one. Run under the rotation lock. Returns how many changed.
 */
export async function resealSigningKeys(q: Queryable, settings: AuthSettings): Promise<number> {
  const k = await keks(settings);
  const rows = await q.execute<{
    kid: string;
    private_jwk: JWK | null;
    private_key_sealed: string | null;
  }>(sql`
    select kid, private_jwk, private_key_sealed from identity.signing_keys
    where private_jwk is not null or private_key_sealed is null
       or private_key_sealed not like ${`v1.${k.current.id}.%`}
    for update`);
  for (const row of rows.rows) {
    const jwk =
      row.private_jwk ??
      (await openPrivateJwk(
        k,
        row.kid,
        expected(row.private_key_sealed, 'a sealed key where the plaintext JWK is gone'),
      ));
    await q.execute(sql`
      update identity.signing_keys
      set private_key_sealed = ${await sealPrivateJwk(k, row.kid, jwk)}, private_jwk = null
      where kid = ${row.kid}`);
  }
  return rows.rows.length;
}
