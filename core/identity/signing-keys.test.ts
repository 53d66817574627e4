/**
 * Signing-key rotation over a simulated month: a new key is published before it signs, tokens
 * signed by the retired key keep working until they expire, and expired keys leave the JWKS.
 */
import { expect, test } from 'bun:test';
import { testAuthSettings } from '../../test/harness/core.ts';
import { useTestDatabase } from '../../test/harness/database.ts';
import { issueAccessToken, verifyAccessToken } from './access-tokens.ts';
import { KeyRing, publishedKeys, rotateSigningKeys } from './signing-keys.ts';

const database = useTestDatabase('keys');
const settings = testAuthSettings({ signingKeyRotationDays: 30, signingKeyPublishLeadSeconds: 3600 });
const day = 86_400_000;
const claims = { sub: crypto.randomUUID(), roles: ['clerk' as const], wh: [], sid: crypto.randomUUID() };

const statuses = async (at: Date) =>
  Object.fromEntries((await publishedKeys(database().db, at)).map((k) => [k.kid, k.status]));

test('a key is published before it signs, and the old one verifies until its tokens expire', async () => {
  const { db } = database();
  // From no key at all, whatever another test of this file left.
  await db.execute('delete from identity.signing_keys');
  const t0 = new Date();
  const first = await rotateSigningKeys(db, settings, t0);
  expect(first.activated).toBeString();
  const k1 = first.activated!;

  // Nothing to do until the rotation is due, less the lead time.
  expect(await rotateSigningKeys(db, settings, new Date(t0.getTime() + 10 * day))).toEqual({ deleted: 0 });

  const due = new Date(t0.getTime() + 30 * day - 3600_000);
  const published = await rotateSigningKeys(db, settings, due);
  const k2 = published.created!;
  expect(await statuses(due)).toEqual({ [k1]: 'active', [k2]: 'pending' });

  // Still signing with k1 while k2 waits out its lead time.
  const ring = new KeyRing(db, settings);
  const oldToken = await issueAccessToken(ring, settings, claims);
  expect(JSON.parse(Buffer.from(oldToken.split('.')[0]!, 'base64url').toString()).kid).toBe(k1);
  expect(await rotateSigningKeys(db, settings, new Date(due.getTime() + 1800_000))).toEqual({ deleted: 0 });

  const switchAt = new Date(due.getTime() + 3600_000);
  expect(await rotateSigningKeys(db, settings, switchAt)).toEqual({ activated: k2, retired: k1, deleted: 0 });
  expect(await statuses(switchAt)).toEqual({ [k1]: 'retired', [k2]: 'active' });

  ring.invalidate();
  const newToken = await issueAccessToken(ring, settings, claims);
  expect(JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid).toBe(k2);
  // A fresh verifier (another process) accepts both while k1's tokens can still be valid.
  const verifier = new KeyRing(db, settings);
  expect((await verifyAccessToken(verifier, settings, oldToken)).sub).toBe(claims.sub);
  expect((await verifyAccessToken(verifier, settings, newToken)).sub).toBe(claims.sub);

  // After the access-token lifetime, k1 is gone from the JWKS and from the table.
  const later = new Date(switchAt.getTime() + (settings.accessTokenTtlSeconds + 120) * 1000);
  expect(await rotateSigningKeys(db, settings, later)).toEqual({ deleted: 1 });
  expect(await statuses(later)).toEqual({ [k2]: 'active' });
});

test('concurrent first starts create exactly one active key', async () => {
  const { db } = database();
  await db.execute('delete from identity.signing_keys');
  await Promise.all(Array.from({ length: 5 }, () => rotateSigningKeys(db, settings)));
  const active = Object.values(await statuses(new Date())).filter((s) => s === 'active');
  expect(active).toHaveLength(1);
});
