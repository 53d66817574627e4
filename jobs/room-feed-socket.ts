/**
 * The rooms' feed's connection to the edge: one WebSocket (GET /internal/rooms/feed) kept open,
 * each tick a message with an id and each answer that tick's result with its id. Locally a
 * request to the worker crosses wrangler dev's proxies and costs workerd several milliseconds of
 * CPU before our code runs; a message costs a fraction of that. In production it saves a
 * request per tick as well.
 *
 * - A tick whose socket closes, or that is not answered in time, fails: the feeder sends its rows
 *   again (duplicates are harmless). A socket that timed out is closed, so no later tick waits
 *   behind it.
 * - A socket that cannot open (an edge from before the socket, or one that is down) leaves the
 *   feed to requests (`undefined`: the caller posts the tick) for SOCKET_RETRY_MS, then it tries
 *   again. A socket that closed is opened again by the next tick.
 * - A socket is replaced after SOCKET_LIFE_MS: a Worker's WebSocket lives in one invocation,
 *   whose CPU time the platform limits.
 */
import {
  type FeedTick,
  type FeedTickResult,
  feedSocketAnswerSchema,
} from '../core/platform/room-contract.ts';
import type { EdgeLink } from './edge-client.ts';

/** How long ticks go as requests after a socket would not open. */
const SOCKET_RETRY_MS = 5_000;
/** A socket is replaced (once its ticks are answered) after this long. */
const SOCKET_LIFE_MS = 10 * 60_000; // 10 min
/** How long a socket may take to open. */
const OPEN_TIMEOUT_MS = 5_000;

interface Waiting {
  resolve(result: FeedTickResult): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface Connection {
  ws: WebSocket;
  openedAt: number;
  waiting: Map<number, Waiting>;
  /** Replaced: closed once its ticks are answered. */
  retiring: boolean;
}

export interface FeedSocket {
  /** The tick's result, or undefined when no socket is open to send it on (post it instead). */
  send(rooms: FeedTick['rooms'], timeoutMs: number): Promise<FeedTickResult | undefined>;
  /** Closes the socket; ticks waiting on it fail. */
  close(): void;
}

function failAll(conn: Connection, why: string): void {
  for (const w of conn.waiting.values()) {
    clearTimeout(w.timer);
    w.reject(new Error(why));
  }
  conn.waiting.clear();
}

function closeQuietly(ws: WebSocket, code = 1000): void {
  try {
    ws.close(code);
  } catch {
    // Closed meanwhile.
  }
}

export function feedSocket(link: EdgeLink): FeedSocket {
  let live: Connection | undefined;
  let opening: Promise<Connection | undefined> | undefined;
  let closedUntil = 0;
  let nextId = 0;
  let stopped = false;

  function answered(conn: Connection, data: unknown): void {
    let message: unknown = null;
    try {
      message = JSON.parse(String(data));
    } catch {
      // Checked below.
    }
    const parsed = feedSocketAnswerSchema.safeParse(message);
    if (!parsed.success || parsed.data.id === null) {
      // An answer no tick can be matched with: none of the waiting ones can be trusted either.
      failAll(conn, "the edge's answer to a tick is not what the contract says");
      closeQuietly(conn.ws, 1002);
      return;
    }
    const answer = parsed.data;
    const id = answer.id as number; // not null: checked above
    const waiting = conn.waiting.get(id);
    if (!waiting) return; // timed out meanwhile
    conn.waiting.delete(id);
    clearTimeout(waiting.timer);
    if ('refused' in answer) waiting.reject(new Error(`the edge refused a tick: ${answer.refused}`));
    else waiting.resolve({ rooms: answer.rooms });
    if (conn.retiring && conn.waiting.size === 0) closeQuietly(conn.ws);
  }

  function open(): Promise<Connection | undefined> {
    return new Promise((resolve) => {
      const url = new URL('/internal/rooms/feed', link.url);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      // Bun's WebSocket takes headers: the secret goes as on every internal call, never in the URL.
      const ws = new WebSocket(url.href, {
        headers: { authorization: `Bearer ${link.secret}` },
      } as unknown as string[]);
      const conn: Connection = { ws, openedAt: Date.now(), waiting: new Map(), retiring: false };
      const timer = setTimeout(() => {
        closeQuietly(ws);
        resolve(undefined);
      }, OPEN_TIMEOUT_MS);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve(conn);
      };
      ws.onmessage = (m) => answered(conn, m.data);
      ws.onclose = (e) => {
        clearTimeout(timer);
        resolve(undefined); // when it never opened; a no-op after
        failAll(conn, `the feed's socket to the edge closed (${e.code})`);
        if (live === conn) live = undefined;
      };
    });
  }

  async function connection(): Promise<Connection | undefined> {
    if (live && Date.now() - live.openedAt > SOCKET_LIFE_MS) {
      live.retiring = true;
      if (live.waiting.size === 0) closeQuietly(live.ws);
      live = undefined;
    }
    if (live || stopped) return live;
    if (Date.now() < closedUntil) return undefined;
    opening ??= open().then((conn) => {
      opening = undefined;
      if (conn && stopped) closeQuietly(conn.ws);
      else if (conn) live = conn;
      else closedUntil = Date.now() + SOCKET_RETRY_MS;
      return stopped ? undefined : conn;
    });
    return opening;
  }

  return {
    async send(rooms, timeoutMs) {
      const conn = await connection();
      if (!conn) return undefined;
      const id = nextId++;
      return new Promise<FeedTickResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          conn.waiting.delete(id);
          reject(new Error(`the edge did not answer a tick within ${timeoutMs} ms`));
          closeQuietly(conn.ws); // its other ticks fail too, and the next tick opens a new one
        }, timeoutMs);
        conn.waiting.set(id, { resolve, reject, timer });
        try {
          conn.ws.send(JSON.stringify({ id, rooms }));
        } catch (err) {
          conn.waiting.delete(id);
          clearTimeout(timer);
          reject(err as Error);
        }
      });
    },
    close() {
      stopped = true;
      if (live) closeQuietly(live.ws);
      live = undefined;
    },
  };
}
