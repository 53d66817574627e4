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
 * - A socket is replaced after SOCKET_LIFE_MS or SOCKET_ROOM_CALLS calls to rooms, and at once
 *   when every room of a tick failed: a Worker's WebSocket lives in one invocation, and the
 *   platform limits that invocation's CPU time and its calls to other services (the rooms' Durable
 *   Objects among them; 1,000 on a paid plan). Its ticks are answered before it closes.
 */
import {
  type FeedTick,
  type FeedTickResult,
  feedSocketAnswerSchema,
} from '../core/platform/room-contract.ts';

/** The feed's socket on the edge (its URL, from jobs/edge-client.ts) and the internal secret. */
export interface FeedSocketTarget {
  url: string;
  secret: string;
}

/** How long ticks go as requests after a socket would not open. */
const SOCKET_RETRY_MS = 5_000;
/** A socket is replaced (once its ticks are answered) after this long. */
const SOCKET_LIFE_MS = 10 * 60_000; // 10 min
/** Calls to rooms after which a socket is replaced (each tick calls every room it names). */
const SOCKET_ROOM_CALLS = 500;
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
  /** Rooms called through it so far. */
  roomCalls: number;
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

export interface FeedSocketLimits {
  /** Calls to rooms after which a socket is replaced; SOCKET_ROOM_CALLS unless given. */
  roomCalls?: number;
}

export function feedSocket(target: FeedSocketTarget, limits: FeedSocketLimits = {}): FeedSocket {
  const roomCallsPerSocket = limits.roomCalls ?? SOCKET_ROOM_CALLS;
  /** Every socket not yet closed: the live one, and replaced ones still answering their ticks. */
  const open = new Set<Connection>();
  let live: Connection | undefined;
  let opening: Promise<Connection | undefined> | undefined;
  let closedUntil = 0;
  let nextId = 0;
  let stopped = false;

  /** No new tick goes to it; it closes once its ticks are answered. */
  function retire(conn: Connection): void {
    conn.retiring = true;
    if (live === conn) live = undefined;
    if (conn.waiting.size === 0) closeQuietly(conn.ws);
  }

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
    else {
      // Every room failing may be the invocation's limits: the next tick gets a new one.
      if (answer.rooms.length > 0 && answer.rooms.every((r) => 'failed' in r)) retire(conn);
      waiting.resolve({ rooms: answer.rooms });
    }
    if (conn.retiring && conn.waiting.size === 0) closeQuietly(conn.ws);
  }

  function connect(): Promise<Connection | undefined> {
    return new Promise((resolve) => {
      const url = new URL(target.url);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      let ws: WebSocket;
      try {
        // Bun's WebSocket takes headers: the secret goes as on every internal call, never in the URL.
        ws = new WebSocket(url.href, {
          headers: { authorization: `Bearer ${target.secret}` },
          // No permessage-deflate offer. The edge agrees to none anyway (wrangler.toml), but under
          // wrangler dev Miniflare's entry worker would, and each tick (tens of KB of JSON under
          // load) would be deflated here and inflated there.
          perMessageDeflate: false,
        } as unknown as string[]);
      } catch {
        resolve(undefined); // a URL or header it cannot send: requests say why
        return;
      }
      const conn: Connection = {
        ws,
        openedAt: Date.now(),
        roomCalls: 0,
        waiting: new Map(),
        retiring: false,
      };
      const timer = setTimeout(() => {
        closeQuietly(ws);
        resolve(undefined);
      }, OPEN_TIMEOUT_MS);
      ws.onopen = () => {
        clearTimeout(timer);
        open.add(conn);
        resolve(conn);
      };
      ws.onmessage = (m) => answered(conn, m.data);
      ws.onclose = (e) => {
        clearTimeout(timer);
        resolve(undefined); // when it never opened; a no-op after
        failAll(conn, `the feed's socket to the edge closed (${e.code})`);
        open.delete(conn);
        if (live === conn) live = undefined;
      };
    });
  }

  async function connection(): Promise<Connection | undefined> {
    // A socket closing (a timeout closed it; its close event can take seconds) takes no tick.
    if (live && (live.ws.readyState !== WebSocket.OPEN || Date.now() - live.openedAt > SOCKET_LIFE_MS))
      retire(live);
    if (live || stopped) return live;
    if (Date.now() < closedUntil) return undefined;
    opening ??= connect().then((conn) => {
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
      conn.roomCalls += rooms.length;
      const id = nextId++;
      return new Promise<FeedTickResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          conn.waiting.delete(id);
          reject(new Error(`the edge did not answer a tick within ${timeoutMs} ms`));
          // Its other ticks fail too (sent again), and the next tick opens a new socket.
          if (live === conn) live = undefined;
          closeQuietly(conn.ws);
        }, timeoutMs);
        conn.waiting.set(id, { resolve, reject, timer });
        try {
          conn.ws.send(JSON.stringify({ id, rooms }));
        } catch (err) {
          conn.waiting.delete(id);
          clearTimeout(timer);
          reject(err as Error);
        }
        if (conn.roomCalls >= roomCallsPerSocket) retire(conn); // it closes once this tick is answered
      });
    },
    close() {
      stopped = true;
      for (const conn of open) closeQuietly(conn.ws);
      live = undefined;
    },
  };
}
