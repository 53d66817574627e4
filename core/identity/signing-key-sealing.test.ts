/**
 * Private signing keys at rest: encrypted under the key-encryption key, never stored as a JWK;
 * a wrong key fails with an error naming the variable; rows from before encryption are
 * encrypted on first use; the key-encryption key rotates (current + previous, then current).
 */
import { expect, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { testAuthSettings } from '../../test/harness/core.ts';
import { useTestDatabase } from '../../test/harness/database.ts';
import { configSchema } from '../platform/config.ts';
import { ConfigError, parseEnv } from '../platform/env.ts';
import { issueAccessToken } from './access-tokens.ts';
import { authSettingsFrom, DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY } from './settings.ts';
import { kekId, SigningKeyDecryptionError } from './signing-key-sealing.ts';
import { KeyRing, rotateSigningKeys } from './signing-keys.ts';
import { signingKeys } from './tables.ts';

const database = useTestDatabase('key-sealing');
const newKek = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
const withKek = (current: string, previous?: string) =>
  testAuthSettings({ signingKeyEncryption: { current, previous } });
const claims = { sub: crypto.randomUUID(), roles: ['clerk' as const], wh: [], sid: crypto.randomUUID() };

async function rows() {
  return database().db.select().from(signingKeys);
}

/** Signs with a fresh key ring (another process) and verifies with the published public key. */
async function signsAndVerifies(settings: ReturnType<typeof withKek>) {
  const ring = new KeyRing(database().db, settings);
  const token = await issueAccessToken(ring, settings, claims);
  const { keys } = await ring.publicJwks();
  const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
  const jwk = keys.find((k) => k.kid === kid)!;
  const { payload } = await jwtVerify(
    token,
    await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']),
  );
  expect(payload.sub).toBe(claims.sub);
}

const fresh = async () => {
  await database().db.execute(sql`delete from identity.signing_keys`);
};

test('the stored private key is ciphertext under the KEK, not the JWK', async () => {
  await fresh();
  const kek = newKek();
  await rotateSigningKeys(database().db, withKek(kek));
  await signsAndVerifies(withKek(kek));
  const [row] = await rows();
  expect(row!.privateJwk).toBeNull();
  expect(row!.privateKeySealed).toStartWith(`v1.${kekId(kek)}.`);
  // Nothing of the key in the clear: no JWK member names, no PEM.
  expect(row!.privateKeySealed).not.toMatch(/"d"|"kty"|BEGIN|PRIVATE/);
  const raw = await database().db.execute<{ text: string }>(sql`
    select private_key_sealed || coalesce(private_jwk::text, '') as text from identity.signing_keys`);
  expect(raw.rows[0]!.text).not.toContain('"d"');
});

test('a wrong KEK fails with an error naming SIGNING_KEY_ENCRYPTION_KEY, and verifying goes on', async () => {
  await fresh();
  const kek = newKek();
  await rotateSigningKeys(database().db, withKek(kek));
  const wrong = withKek(newKek());
  const ring = new KeyRing(database().db, wrong);
  const err = await issueAccessToken(ring, wrong, claims).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SigningKeyDecryptionError);
  expect((err as Error).message).toContain('SIGNING_KEY_ENCRYPTION_KEY');
  expect((err as Error).message).toContain(kekId(kek)); // which key the row wants
  expect((await ring.publicJwks()).keys).toHaveLength(1); // public keys are still served
  // The cron fails the same way instead of creating keys under the wrong KEK.
  const cron = await rotateSigningKeys(database().db, wrong).catch((e: unknown) => e);
  expect((cron as Error).message).toContain('SIGNING_KEY_ENCRYPTION_KEY');
  // Tampered ciphertext under the right KEK: also a clear error, not a garbage key.
  const [row] = await rows();
  const sealed = row!.privateKeySealed!;
  const tampered = `${sealed.slice(0, -4)}${sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  await database()
    .db.update(signingKeys)
    .set({ privateKeySealed: tampered })
    .where(eq(signingKeys.kid, row!.kid));
  const ring2 = new KeyRing(database().db, withKek(kek));
  const err2 = await issueAccessToken(ring2, withKek(kek), claims).catch((e: unknown) => e);
  expect((err2 as Error).message).toContain('cannot be decrypted with SIGNING_KEY_ENCRYPTION_KEY');
});

test('rotation: with the old KEK as previous, rows are re-encrypted under the new one on first use', async () => {
  await fresh();
  const oldKek = newKek();
  const newKekValue = newKek();
  await rotateSigningKeys(database().db, withKek(oldKek));
  await signsAndVerifies(withKek(newKekValue, oldKek));
  const [row] = await rows();
  expect(row!.privateKeySealed).toStartWith(`v1.${kekId(newKekValue)}.`);
  // The previous KEK is no longer needed...
  await signsAndVerifies(withKek(newKekValue));
  // ...and no longer enough.
  const err = await issueAccessToken(
    new KeyRing(database().db, withKek(oldKek)),
    withKek(oldKek),
    claims,
  ).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SigningKeyDecryptionError);
});

test('rotation by the cron: every key, pending and retired ones too, moves to the new KEK', async () => {
  await fresh();
  const oldKek = newKek();
  const newKekValue = newKek();
  const t0 = new Date();
  const old = testAuthSettings({ signingKeyEncryption: { current: oldKek }, signingKeyRotationDays: 1 });
  await rotateSigningKeys(database().db, old, t0);
  await rotateSigningKeys(database().db, old, new Date(t0.getTime() + 86_400_000)); // a pending key
  expect((await rows()).map((r) => r.status).sort()).toEqual(['active', 'pending']);
  const result = await rotateSigningKeys(database().db, withKek(newKekValue, oldKek));
  expect(result.resealed).toBe(2);
  for (const row of await rows()) expect(row.privateKeySealed).toStartWith(`v1.${kekId(newKekValue)}.`);
});

test('a plaintext row from before encryption is encrypted on first use, and keeps signing', async () => {
  await fresh();
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'legacy-plaintext-key';
  const meta = { kid, alg: 'ES256', use: 'sig' };
  // As 0001 stored it: the private JWK in the clear.
  await database()
    .db.insert(signingKeys)
    .values({
      kid,
      publicJwk: { ...(await exportJWK(publicKey)), ...meta },
      privateJwk: { ...(await exportJWK(privateKey)), ...meta },
      status: 'active',
      activatedAt: new Date(),
    });
  const kek = newKek();
  await signsAndVerifies(withKek(kek));
  const [row] = await rows();
  expect(row!.kid).toBe(kid);
  expect(row!.privateJwk).toBeNull();
  expect(row!.privateKeySealed).toStartWith(`v1.${kekId(kek)}.`);
});

test('configuration: production refuses to start without the KEK, naming it; development defaults it', () => {
  const production = { NODE_ENV: 'production', ADMIN_PASSWORD: 'a-production-password' };
  expect(() => parseEnv(configSchema, production)).toThrow(ConfigError);
  expect(() => parseEnv(configSchema, production)).toThrow(/SIGNING_KEY_ENCRYPTION_KEY/);
  expect(() => parseEnv(configSchema, { SIGNING_KEY_ENCRYPTION_KEY: 'too-short' })).toThrow(
    /SIGNING_KEY_ENCRYPTION_KEY/,
  );
  const kek = newKek();
  // With it set, production does not name it (other production requirements may still apply).
  const withIt = (() => {
    try {
      parseEnv(configSchema, { ...production, SIGNING_KEY_ENCRYPTION_KEY: kek });
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  })();
  expect(withIt).not.toContain('SIGNING_KEY_ENCRYPTION_KEY');
  const set = parseEnv(configSchema, { SIGNING_KEY_ENCRYPTION_KEY: kek });
  expect(authSettingsFrom(set).signingKeyEncryption).toEqual({ current: kek, previous: undefined });
  const dev = authSettingsFrom(parseEnv(configSchema, { NODE_ENV: 'development' }));
  expect(dev.signingKeyEncryption.current).toBe(DEVELOPMENT_SIGNING_KEY_ENCRYPTION_KEY);
});
