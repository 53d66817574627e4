/**
 * A WebSocket-to-TCP proxy for the Neon serverless driver, for local dev and tests: the edge
 * worker opens ws://127.0.0.1:<port>/v1?address=host:port and we pipe the bytes to Postgres.
 * In production the driver talks to Neon's own proxy, so this never runs there. It only
 * forwards to the Postgres addresses it is given.
 */
import type { Server, Socket } from 'bun';
import type { Logger } from '../../core/platform/logger.ts';

interface Link {
  host: string;
  port: number;
  socket?: Socket<undefined>;
  /** The WebSocket side has closed: a TCP connection that completes afterwards is ended at once. */
  closed: boolean;
  /** Bytes from the client waiting for the TCP side to connect or drain. */
  backlog: Uint8Array[];
}

export interface WsProxyOptions {
  port: number;
  hostname?: string;
  /** host:port targets that may be reached. */
  allowed: string[];
  log: Logger;
  /** Called for every connection opened (tests count them to prove a read used no database). */
  onOpen?: () => void;
  /** Called for every message a client sends (tests count them to prove reads shared a query). */
  onMessage?: () => void;
}

function flush(link: Link): void {
  const socket = link.socket;
  if (!socket) return;
  for (let chunk = link.backlog[0]; chunk !== undefined; chunk = link.backlog[0]) {
    const written = socket.write(chunk);
    if (written < chunk.byteLength) {
      link.backlog[0] = chunk.subarray(Math.max(written, 0));
      return; // the rest goes out on drain
    }
    link.backlog.shift();
  }
}

export function startWsProxy(opts: WsProxyOptions): Server<Link> {
  return Bun.serve<Link>({
    port: opts.port,
    hostname: opts.hostname ?? '127.0.0.1',
    fetch(req, server) {
      const address = new URL(req.url).searchParams.get('address') ?? '';
      const [, host, port] = /^(.+):(\d+)$/.exec(address) ?? [];
      if (!host || !port || !opts.allowed.includes(address)) {
        return new Response(`address ${address || '(none)'} is not a Postgres this proxy serves`, {
          status: 403,
        });
      }
      const data: Link = { host, port: Number(port), backlog: [], closed: false };
      if (server.upgrade(req, { data })) return undefined;
      return new Response('expected a WebSocket upgrade', { status: 426 });
    },
    websocket: {
      async open(ws) {
        opts.onOpen?.();
        const link = ws.data;
        try {
          link.socket = await Bun.connect({
            hostname: link.host,
            port: link.port,
            socket: {
              data: (_s, chunk) => void ws.sendBinary(chunk),
              drain: () => flush(link),
              close: () => ws.close(),
              error: () => ws.close(1011, 'postgres connection error'),
            },
          });
          if (link.closed) link.socket.end();
          else flush(link);
        } catch (err) {
          opts.log.warn('ws-proxy: cannot reach postgres', {
            address: `${link.host}:${link.port}`,
            err: (err as Error).message,
          });
          ws.close(1011, 'postgres unreachable');
        }
      },
      message(ws, message) {
        opts.onMessage?.();
        const bytes =
          typeof message === 'string' ? new TextEncoder().encode(message) : new Uint8Array(message);
        ws.data.backlog.push(bytes);
        flush(ws.data);
      },
      close(ws) {
        ws.data.closed = true;
        ws.data.backlog = [];
        ws.data.socket?.end();
      },
    },
  });
}
