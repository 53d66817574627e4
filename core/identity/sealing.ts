/**
 * Authenticated encryption (AES-256-GCM, WebCrypto) for the secrets identity must be able to read
 * back: private signing keys (under the key-encryption key) and a rotated refresh token's
 * successor (under a key derived from the rotated token). The additional data binds a sealed
 * value to its row, so a ciphertext copied to another row does not open.
 */
const encoder = new TextEncoder();
const IV_BYTES = 12;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

export function aesKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** An AES key derived (HKDF-SHA-256) from a high-entropy secret, for one purpose. */
export async function derivedAesKey(secret: string, purpose: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(purpose) },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** `<iv>.<ciphertext and tag>`, both base64url. */
export async function seal(key: CryptoKey, plaintext: string, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(aad) },
    key,
    encoder.encode(plaintext),
  );
  return `${b64url(iv)}.${b64url(new Uint8Array(ct))}`;
}

/** The plaintext, or undefined when the key, the data or the row binding is wrong. */
export async function unseal(key: CryptoKey, sealed: string, aad: string): Promise<string | undefined> {
  const [iv, ct] = sealed.split('.');
  if (!iv || !ct) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: Buffer.from(iv, 'base64url'), additionalData: encoder.encode(aad) },
      key,
      Buffer.from(ct, 'base64url'),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return undefined;
  }
}
