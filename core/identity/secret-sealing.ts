/**
 * Secrets another service must read back (an HMAC key: a webhook subscription's signing secret, a
 * shop connection's), sealed as the private signing keys are: AES-256-GCM under the current KEK
 * (signing-key-sealing.ts), `v1.<kek id>.<iv>.<ciphertext>`, bound by additional data to the
 * row that owns it, so a sealed value copied to another row does not open. After a KEK rotation
 * `isSealedUnderCurrent` tells which rows the hourly key job must seal again.
 */
import { seal, unseal } from './sealing.ts';
import type { AuthSettings } from './settings.ts';
import { keks } from './signing-key-sealing.ts';

type KeyEncryption = Pick<AuthSettings, 'signingKeyEncryption'>;

/** `secret` sealed under the current KEK; `boundTo` names its owner (its purpose and row id). */
export async function sealSecret(settings: KeyEncryption, boundTo: string, secret: string): Promise<string> {
  const { current } = await keks(settings);
  return `v1.${current.id}.${await seal(current.key, secret, boundTo)}`;
}

/** The secret, or undefined when no configured KEK (current or previous) opens it. */
export async function openSecret(
  settings: KeyEncryption,
  boundTo: string,
  sealed: string,
): Promise<string | undefined> {
  const [version, id, iv, ct] = sealed.split('.');
  const k = await keks(settings);
  const under = [k.current, k.previous].find((candidate) => candidate?.id === id);
  if (version !== 'v1' || !under || !iv || !ct) return undefined;
  return unseal(under.key, `${iv}.${ct}`, boundTo);
}

/**
 * `sealed` sealed again under the current KEK (after a KEK rotation), or as it is when no
 * configured KEK opens it: the hourly key job re-seals every owner's secrets with this.
 */
export async function resealSecret(
  settings: KeyEncryption,
  boundTo: string,
  sealed: string,
): Promise<string> {
  const secret = await openSecret(settings, boundTo, sealed);
  return secret === undefined ? sealed : sealSecret(settings, boundTo, secret);
}

/** The prefix of every value sealed under the current KEK (rows without it need sealing again). */
export async function currentSealPrefix(settings: KeyEncryption): Promise<string> {
  return `v1.${(await keks(settings)).current.id}.`;
}
