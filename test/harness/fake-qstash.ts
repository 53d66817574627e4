/**
 * A stand-in for Upstash QStash, for tests (QStash's own dev server cannot be installed here):
 * Bun.serve on a port of its own answering the publish API as @upstash/qstash's Client calls it
 * (POST /v2/publish/<destination URL>, `Authorization: Bearer <token>`, `Upstash-*` settings,
 * `Upstash-Forward-*` headers for the destination; answers `{ messageId }`). It then really
 * delivers: POSTs the body with the forwarded headers to the destination, retries up to
 * `Upstash-Retries` times (quickly: its backoff is not QStash's), and calls `Upstash-Callback`
 * after each attempt and `Upstash-Failure-Callback` when it gives up (unless the message was
 * cancelled: DELETE /v2/messages/<id>), with QStash's callback JSON
 * signed as QStash signs: a JWT (HS256) in `Upstash-Signature` with iss "Upstash", sub the
 * callback URL, body the base64url SHA-256 of the body, iat/nbf/exp and a jti, under signing keys
 * made for the test.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { freePort } from '../../core/platform/ports.ts';

export interface PublishedMessage {
  messageId: string;
  destination: string;
  /** Every header of the publish request, lower-cased. */
  headers: Record<string, string>;
  body: string;
  deduplicated: boolean;
}

export interface SentCallback {
  kind: 'callback' | 'failure';
  url: string;
  body: Record<string, unknown>;
  /** What our API answered the callback. */
  answered: number;
}

export interface FakeQStash {
  url: string;
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
  /** Which key callbacks are signed with now (QStash signs with the next one after a rotation). */
  signingWith: 'current' | 'next';
  published: PublishedMessage[];
  callbacks: SentCallback[];
  /** Messages cancelled (DELETE /v2/messages/<id>, the SDK's messages.cancel): not retried further. */
  cancelled: string[];
  waitForCallback(match: (c: SentCallback) => boolean, timeoutMs?: number): Promise<SentCallback>;
  stop(): void;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** QStash's Upstash-Signature for a request to `url` with `body`, under `key`. */
export function qstashSignature(key: string, url: string, body: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      iss: 'Upstash',
      sub: url,
      exp: now + 300,
      nbf: now,
      iat: now,
      jti: `jwt_${randomBytes(12).toString('hex')}`,
      body: b64url(createHash('sha256').update(body).digest()),
    }),
  );
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A signing key of QStash's form (`sig_...`), random. */
const signingKey = () => `sig_${randomBytes(20).toString('base64url')}`;

/** The headers the destination gets: the `Upstash-Forward-*` ones unprefixed, and the content type. */
function forwardedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (name.startsWith('upstash-forward-')) out[name.slice('upstash-forward-'.length)] = value;
  }
  const type = headers.get('content-type');
  if (type) out['content-type'] = type;
  return out;
}

export async function fakeQStash(): Promise<FakeQStash> {
  const port = await freePort();
  const waiters: { match: (c: SentCallback) => boolean; resolve: (c: SentCallback) => void }[] = [];
  const seenDedupe = new Map<string, string>();
  let stopped = false;
  const fake: FakeQStash = {
    url: `http://127.0.0.1:${port}`,
    token: `qstash-test-${crypto.randomUUID()}`,
    currentSigningKey: signingKey(),
    nextSigningKey: signingKey(),
    signingWith: 'current',
    published: [],
    callbacks: [],
    cancelled: [],
    waitForCallback(match, timeoutMs = 30_000) {
      const found = fake.callbacks.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the expected callback was not sent')), timeoutMs);
        waiters.push({
          match,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
    stop: () => {
      stopped = true;
      server.stop(true);
    },
  };

  async function call(kind: SentCallback['kind'], url: string, payload: Record<string, unknown>) {
    const body = JSON.stringify(payload);
    const key = fake.signingWith === 'current' ? fake.currentSigningKey : fake.nextSigningKey;
    // Unreachable (the stack stopped): QStash would retry the callback; here it is answered 0.
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Upstash-QStash',
        'upstash-signature': qstashSignature(key, url, body),
      },
      body,
    }).catch(() => undefined);
    const sent: SentCallback = { kind, url, body: payload, answered: res?.status ?? 0 };
    await res?.body?.cancel();
    fake.callbacks.push(sent);
    for (const w of waiters.filter((w) => w.match(sent))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(sent);
    }
  }

  /** Delivers one message as QStash would: attempts, a callback after each, the failure callback last. */
  async function deliver(message: PublishedMessage, requestHeaders: Headers) {
    const retries = Number(requestHeaders.get('upstash-retries') ?? 3);
    const callback = requestHeaders.get('upstash-callback');
    const failureCallback = requestHeaders.get('upstash-failure-callback');
    const sourceBody = Buffer.from(message.body).toString('base64');
    let last = { status: 0, body: '', header: {} as Record<string, string[]> };
    const live = () => !stopped && !fake.cancelled.includes(message.messageId);
    for (let retried = 0; retried <= retries && live(); retried++) {
      try {
        const res = await fetch(message.destination, {
          method: requestHeaders.get('upstash-method') ?? 'POST',
          headers: {
            ...forwardedHeaders(requestHeaders),
            'user-agent': 'Upstash-QStash',
            'upstash-message-id': message.messageId,
            'upstash-retried': String(retried),
          },
          body: message.body,
        });
        const answer = Buffer.from(await res.arrayBuffer());
        last = {
          status: res.status,
          body: answer.toString('base64'),
          header: Object.fromEntries([...res.headers].map(([k, v]) => [k, [v]])),
        };
      } catch {
        last = { status: 0, body: '', header: {} };
      }
      const result = {
        ...last,
        retried,
        maxRetries: retries,
        sourceMessageId: message.messageId,
        url: message.destination,
        method: 'POST',
        sourceHeader: Object.fromEntries(
          Object.entries(forwardedHeaders(requestHeaders)).map(([k, v]) => [k, [v]]),
        ),
        sourceBody,
        createdAt: Date.now(),
      };
      if (callback) await call('callback', callback, result);
      if (last.status >= 200 && last.status < 300) return;
      if (retried === retries && failureCallback)
        await call('failure', failureCallback, { ...result, dlqId: `dlq_${message.messageId}` });
      else await Bun.sleep(20);
    }
  }

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port,
    fetch: async (req) => {
      const url = new URL(req.url);
      if (req.headers.get('authorization') !== `Bearer ${fake.token}`)
        return Response.json({ error: 'invalid token' }, { status: 401 });
      const cancel = /^\/v2\/messages\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'DELETE' && cancel?.[1]) {
        fake.cancelled.push(cancel[1]);
        return Response.json({ cancelled: 1 });
      }
      if (req.method !== 'POST' || !url.pathname.startsWith('/v2/publish/'))
        return Response.json({ error: 'not found' }, { status: 404 });
      const destination = `${url.pathname.slice('/v2/publish/'.length)}${url.search}`;
      if (!/^https?:\/\//.test(destination))
        return Response.json({ error: 'invalid destination url' }, { status: 400 });
      const body = await req.text();
      const dedupeId = req.headers.get('upstash-deduplication-id');
      const earlier = dedupeId ? seenDedupe.get(dedupeId) : undefined;
      const messageId = earlier ?? `msg_${randomBytes(16).toString('hex')}`;
      const message: PublishedMessage = {
        messageId,
        destination,
        headers: Object.fromEntries(req.headers),
        body,
        deduplicated: earlier !== undefined,
      };
      fake.published.push(message);
      if (earlier) return Response.json({ messageId, deduplicated: true }, { status: 201 });
      if (dedupeId) seenDedupe.set(dedupeId, messageId);
      void deliver(message, new Headers(req.headers));
      return Response.json({ messageId }, { status: 201 });
    },
  });
  return fake;
}
