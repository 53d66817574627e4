/**
 * One HTTP attempt of one delivery, per Standard Webhooks: POST the body with webhook-id (the
 * same on every attempt: the receiver's dedupe key), webhook-timestamp and webhook-signature.
 * Bounded in time, never following redirects (a redirect could lead anywhere), keeping the first
 * 1 KB of the answer.
 */
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { WebhookSettings } from './settings.ts';
import { checkTarget, pinnedUrl } from './target-address.ts';
import { webhookSignature } from './webhook-secrets.ts';

export interface SendOutcome {
  statusCode: number | null;
  durationMs: number;
  responseBody: string | null;
  error: string | null;
}

export const RESPONSE_KEEP_BYTES = 1024;

export const webhookIdOf = (deliveryId: string) => `msg_${deliveryId}`;

/**
 * Up to `limit` bytes of the answer, then the rest is dropped unread. NULs become U+FFFD: a
 * Postgres text column refuses them, and a binary answer must not stop the attempt being recorded
 * (the delivery would be sent again).
 */
async function answerPrefix(res: Response, limit = RESPONSE_KEEP_BYTES): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit)).replaceAll('\u0000', '\uFFFD');
}

export interface Outgoing {
  deliveryId: string;
  url: string;
  body: string;
  secrets: readonly string[];
}

/** The Standard Webhooks headers of one attempt, signed now with every secret that signs. */
export function signedHeaders(out: Outgoing): Record<string, string> {
  const id = webhookIdOf(out.deliveryId);
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': webhookSignature(out.secrets, id, timestamp, out.body),
  };
}

export async function sendWebhook(out: Outgoing, settings: WebhookSettings): Promise<SendOutcome> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const target = await checkTarget(out.url, settings.allowPrivateUrls);
  if (!target.ok) return { statusCode: null, durationMs: took(), responseBody: null, error: target.reason };
  const hostname = target.url.hostname;
  try {
    const res = await fetch(target.pinned ? pinnedUrl(target.url, target.pinned) : target.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(settings.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Varastokkr-Webhooks/1',
        ...signedHeaders(out),
        // Connected to the checked address: the name goes in Host and in TLS (SNI, certificate).
        ...(target.pinned ? { host: target.url.host } : {}),
      },
      body: out.body,
      ...(target.pinned && target.url.protocol === 'https:'
        ? {
            tls: {
              serverName: hostname,
              checkServerIdentity: (_: string, cert: PeerCertificate) => checkServerIdentity(hostname, cert),
            },
          }
        : {}),
    });
    const responseBody = await answerPrefix(res);
    const ok = res.status >= 200 && res.status < 300;
    return {
      statusCode: res.status,
      durationMs: took(),
      responseBody,
      error: ok ? null : `the receiver answered ${res.status}`,
    };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const error = timedOut
      ? `no answer within ${settings.timeoutMs} ms`
      : `could not reach the receiver: ${err instanceof Error ? err.message : String(err)}`;
    return { statusCode: null, durationMs: took(), responseBody: null, error };
  }
}
