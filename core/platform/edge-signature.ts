/**
 * Proof that a request came through the edge. The edge gateway signs what it forwards: an
 * HMAC-SHA256, with a secret only the edge and core share (EDGE_SIGNING_SECRET), over the
 * method, the path with its query, a timestamp and the client address it saw. Core believes
 * that client address only from a request whose signature checks out within the clock-skew
 * window; anything else gets the socket's peer address. A client cannot forge the headers
 * without the secret, and a captured signature is good only for the same method and path, for
 * a minute. WebCrypto only: the same code signs in workerd and verifies in Bun.
 */
export const EDGE_SIGNATURE_HEADER = 'x-edge-signature';
export const EDGE_TIMESTAMP_HEADER = 'x-edge-timestamp';
export const EDGE_CLIENT_HEADER = 'x-edge-client';
/** How far the edge's clock (its timestamp) may be from core's, either way. */
export const EDGE_SIGNATURE_SKEW_SECONDS = 60;

export interface SignedRequest {
  method: string;
  /** The path and query as core receives them, e.g. `/api/orders?limit=5`. */
  pathAndQuery: string;
  /** The client address the edge saw; empty when it saw none. */
  client: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

/** What is signed: one field per line (none of them can hold a newline). */
function signedText(req: SignedRequest): string {
  return [req.method.toUpperCase(), req.pathAndQuery, String(req.timestamp), req.client].join('\n');
}

const toHex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) =>
    Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

/** The headers the edge adds to a forwarded request. */
export async function edgeSignatureHeaders(
  secret: string,
  req: Omit<SignedRequest, 'timestamp'> & { timestamp?: number },
): Promise<Record<string, string>> {
  const signed = { ...req, timestamp: req.timestamp ?? Math.floor(Date.now() / 1000) };
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(signedText(signed)));
  return {
    [EDGE_SIGNATURE_HEADER]: toHex(mac),
    [EDGE_TIMESTAMP_HEADER]: String(signed.timestamp),
    [EDGE_CLIENT_HEADER]: signed.client,
  };
}

export type EdgeSignatureCheck =
  | { valid: true; client: string }
  | { valid: false; reason: 'unsigned' | 'malformed' | 'stale' | 'mismatch' };

/** Checks a request's edge signature; HMAC verify compares in constant time. */
export async function checkEdgeSignature(
  secret: string,
  req: { method: string; pathAndQuery: string; headers: Headers },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<EdgeSignatureCheck> {
  const signature = req.headers.get(EDGE_SIGNATURE_HEADER);
  const timestamp = req.headers.get(EDGE_TIMESTAMP_HEADER);
  if (signature === null && timestamp === null) return { valid: false, reason: 'unsigned' };
  const mac = fromHex(signature ?? '');
  if (!mac || !/^\d{1,12}$/.test(timestamp ?? '')) return { valid: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - Number(timestamp)) > EDGE_SIGNATURE_SKEW_SECONDS)
    return { valid: false, reason: 'stale' };
  const client = req.headers.get(EDGE_CLIENT_HEADER) ?? '';
  const text = signedText({ ...req, client, timestamp: Number(timestamp) });
  const ok = await crypto.subtle.verify('HMAC', await hmacKey(secret), mac, encoder.encode(text));
  return ok ? { valid: true, client } : { valid: false, reason: 'mismatch' };
}
