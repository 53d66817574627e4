import { createHash } from 'node:crypto';
import { sameSecret } from '../platform/secret-compare.ts';

/** A random, URL-safe secret of `bytes` bytes. */
export function randomSecret(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

/** SHA-256, hex: how refresh tokens and API keys are stored (they are long random values). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Whether two hex digests are equal, compared in constant time. */
export function sameHash(a: string, b: string): boolean {
  return sameSecret(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
