/**
 * Whether `offered` is exactly `expected`, in a time that depends on `expected`'s length only:
 * every byte of the secret is compared and the length difference folded in, so a guess learns
 * nothing from how long the answer took. Plain code for any runtime (the edge has no
 * node:crypto timingSafeEqual, and hashing both sides on every call cost the edge more than
 * anything else it did for an internal call). The one constant-time compare, in core too.
 */
export function sameSecret(expected: Uint8Array, offered: Uint8Array): boolean {
  let diff = expected.length ^ offered.length;
  for (let i = 0; i < expected.length; i++) diff |= (expected[i] ?? 0) ^ (offered[i] ?? 0);
  return diff === 0;
}
