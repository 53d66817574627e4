/**
 * A live warehouse room client for tests: messages queued so a test awaits the one it expects,
 * and the close (code, reason) as a promise, so a test waits for the close event rather than
 * for a time it hopes is long enough.
 */
import { type RoomMessage, roomMessageSchema } from '../../edge/room-types.ts';

export interface RoomClient {
  ws: WebSocket;
  /** The next message (queued or still to come); rejects after timeoutMs. */
  next(timeoutMs?: number): Promise<RoomMessage>;
  /** The next message matching `match`, skipping others. */
  nextMatching(match: (m: RoomMessage) => boolean, timeoutMs?: number): Promise<RoomMessage>;
  /** Resolves when the server closes the socket (the close event, once the connection ends). */
  closed: Promise<{ code: number; reason: string }>;
  /**
   * Resolves when the socket stops being open: the server's close frame arrived. A room closing
   * a socket from an access change or its alarm gets the frame out at once, while workerd ends
   * the connection (and so fires the close event) only when the room next goes idle.
   */
  closing(timeoutMs: number): Promise<void>;
  send(message: unknown): void;
  /** Sends a ping and resolves on the pong (the socket is open and served). */
  ping(timeoutMs?: number): Promise<void>;
}

export const roomUrl = (edgeUrl: string, warehouseId: string, token?: string) =>
  `${edgeUrl.replace(/^http/, 'ws')}/ws/warehouses/${warehouseId}${token ? `?token=${encodeURIComponent(token)}` : ''}`;

/** Opens a socket (with headers: Bun's WebSocket can send X-API-Key, as a server client would). */
export async function openRoom(
  url: string,
  opts: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<RoomClient> {
  const ws = opts.headers
    ? new WebSocket(url, { headers: opts.headers, protocols: opts.protocols } as never)
    : new WebSocket(url, opts.protocols);
  const queue: RoomMessage[] = [];
  const waiters: ((m: RoomMessage) => void)[] = [];
  let onClose!: (c: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClose = resolve;
  });
  ws.onmessage = (e) => {
    const m = roomMessageSchema.parse(JSON.parse(String(e.data)));
    const waiter = waiters.shift();
    if (waiter) waiter(m);
    else queue.push(m);
  };
  ws.onclose = (e) => onClose({ code: e.code, reason: e.reason });
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`socket to ${url.replace(/token=[^&]+/, 'token=…')} failed to open`));
  });
  const next = (timeoutMs = 10_000) =>
    new Promise<RoomMessage>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
      waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  const nextMatching = async (match: (m: RoomMessage) => boolean, timeoutMs = 10_000) => {
    for (;;) {
      const m = await next(timeoutMs);
      if (match(m)) return m;
    }
  };
  return {
    ws,
    next,
    nextMatching,
    closed,
    closing: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (ws.readyState === WebSocket.OPEN) {
        if (Date.now() > deadline) throw new Error(`the socket was still open after ${timeoutMs} ms`);
        await Bun.sleep(20);
      }
    },
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    ping: async (timeoutMs = 10_000) => {
      ws.send('{"type":"ping"}');
      await nextMatching((m) => (m as { type: string }).type === 'pong', timeoutMs);
    },
  };
}

/** The status of an upgrade request that is refused (no socket is opened). */
export async function upgradeStatus(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url.replace(/^ws/, 'http'), {
    headers: {
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      ...headers,
    },
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** Fails with the reason if a promise has not settled within timeoutMs (a bound, not a wait). */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]);
}
