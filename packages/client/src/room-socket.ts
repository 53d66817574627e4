/**
 * A live warehouse room (GET /ws/warehouses/:id) that stays connected: typed messages, reconnect
 * with backoff, resume from the last change seen, and the access token renewed on the open
 * socket (`{"type":"auth"}`) before it expires. Uses the global WebSocket: browsers and Bun.
 */
import { ProblemError } from './problem.js';
import {
  MAX_WATCHED_SKUS,
  type RoomAuthMessage,
  type RoomClientMessage,
  type RoomEventMessage,
  type RoomMessage,
  type RoomSnapshotMessage,
  type RoomStockMessage,
  roomCloseCodes,
} from './room-messages.js';

/** Why a room socket closed, by the room's close codes. */
export type RoomCloseKind =
  | 'credential-gone'
  | 'right-lost'
  | 'policy-violation'
  | 'closed-by-client'
  | 'other';

export interface RoomClose {
  code: number;
  reason: string;
  kind: RoomCloseKind;
  /** Whether the socket connects again (after `retryInMs`); false ends it for good. */
  reconnecting: boolean;
  retryInMs?: number;
}

export interface RoomSocketEvents {
  /** Every message from the room. */
  message: RoomMessage;
  snapshot: RoomSnapshotMessage;
  stock: RoomStockMessage;
  event: RoomEventMessage;
  /** The room accepted a fresh token: the socket lives until `expiresAt`. */
  renewed: RoomAuthMessage;
  /** A socket opened (`connection` counts them from 1). */
  open: { connection: number };
  close: RoomClose;
  /** Something went wrong that does not close the socket by itself (a token refused, a failed renewal). */
  error: { message: string; cause?: unknown };
}

export interface RoomSocketOptions {
  /** The edge's URL (http or https); the socket goes to its ws/wss twin. */
  baseUrl: string;
  warehouseId: string;
  /**
   * An access token valid for at least `minValidityMs` (refresh when the one held is not), or,
   * with `rejected`, one other than the token the room refused. It is sent as the WebSocket
   * protocol `bearer.<token>`, never in the URL.
   */
  token?: (need: TokenNeed) => Promise<string | undefined> | string | undefined;
  /** A partner API key instead of a token: sent as X-API-Key, which only Bun's WebSocket can send. */
  apiKey?: string;
  /** Renew the token this long before it expires, or half-way through its life if that is later (default 60 s). */
  renewLeewayMs?: number;
  /** Reconnect delays: first, the most, doubling between (defaults 500 ms and 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Resume from this room version (e.g. kept from an earlier session). */
  since?: number;
  /**
   * Watch only these skus (at most 20, any case): snapshots and resumes hold only their levels,
   * and `stock` messages come only for them; events are not filtered. Change it with `watch()`.
   */
  skus?: string[];
  /** A WebSocket class of your own (default: the global one). */
  WebSocket?: typeof WebSocket;
}

export interface TokenNeed {
  minValidityMs: number;
  rejected?: string;
}

type Listener<K extends keyof RoomSocketEvents> = (event: RoomSocketEvents[K]) => void;

/** The `exp` of a JWT in ms, if it has one (read, not verified: the server verifies). */
function tokenExpiry(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a watch list the room would refuse (a 422 at every reconnect, retried for ever): more
 * than MAX_WATCHED_SKUS, or something that is not a sku (a comma would split it in the URL).
 */
function checkWatched(skus: string[] | undefined): void {
  if (!skus) return;
  if (skus.length > MAX_WATCHED_SKUS)
    throw new RangeError(`A room socket watches at most ${MAX_WATCHED_SKUS} skus.`);
  const bad = skus.find((s) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s));
  if (bad !== undefined) throw new RangeError(`${JSON.stringify(bad)} is not a sku.`);
}

function closeKind(code: number): RoomCloseKind {
  if (code === roomCloseCodes.credentialGone) return 'credential-gone';
  if (code === roomCloseCodes.rightLost) return 'right-lost';
  if (code === roomCloseCodes.policyViolation) return 'policy-violation';
  return 'other';
}

export class RoomSocket {
  private ws: WebSocket | undefined;
  private readonly listeners = new Map<keyof RoomSocketEvents, Set<Listener<never>>>();
  private stopped = false;
  private failures = 0;
  private opened = 0;
  private seq: number | undefined;
  private token: string | undefined;
  private tokenExpiresAt: number | undefined;
  /** Set after a 4401/4403: a reconnect refused at the upgrade then ends the socket. */
  private accessInDoubt = false;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  /** The skus watched (undefined: every sku), asked for again on each reconnect. */
  private watched: string[] | undefined;

  constructor(private readonly options: RoomSocketOptions) {
    checkWatched(options.skus);
    this.seq = options.since;
    this.watched = options.skus;
    void this.connect();
  }

  /** The last room version seen (snapshot `version` or stock `seq`): where a reconnect resumes. */
  get lastSeen(): number | undefined {
    return this.seq;
  }

  /** How many sockets have opened so far (1 until the first reconnect). */
  get connections(): number {
    return this.opened;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === 1;
  }

  /** Listens for one kind of event; returns the function that stops listening. */
  on<K extends keyof RoomSocketEvents>(type: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, set);
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** The next event of a kind that matches, e.g. `await room.next('stock', (m) => m.sku === sku)`. */
  next<K extends keyof RoomSocketEvents>(
    type: K,
    match: (event: RoomSocketEvents[K]) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<RoomSocketEvents[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${type} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(type, (event) => {
        if (!match(event)) return;
        clearTimeout(timer);
        off();
        resolve(event);
      });
    });
  }

  /** Sends a message to the room (resume and auth are sent for you). */
  send(message: RoomClientMessage): void {
    this.ws?.send(JSON.stringify(message));
  }

  /**
   * Watches these skus from now on (null: every sku): the room answers with their snapshot, and
   * a reconnect asks for the same ones.
   */
  watch(skus: string[] | null): void {
    checkWatched(skus ?? undefined);
    this.watched = skus ?? undefined;
    if (this.isOpen) this.send({ type: 'watch', skus });
  }

  /** Closes the socket for good. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.reconnectTimer);
    this.ws?.close(1000, 'Closed by the client.');
  }

  private emit<K extends keyof RoomSocketEvents>(type: K, event: RoomSocketEvents[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) (listener as Listener<K>)(event);
  }

  private url(): string {
    const base = this.options.baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws');
    const skus = this.watched;
    const watch = skus ? `?skus=${skus.map(encodeURIComponent).join(',')}` : '';
    return `${base}/ws/warehouses/${encodeURIComponent(this.options.warehouseId)}${watch}`;
  }

  private async freshToken(need: TokenNeed): Promise<string | undefined> {
    const token = await this.options.token?.(need);
    if (token) {
      this.token = token;
      this.tokenExpiresAt = tokenExpiry(token);
    }
    return token;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { apiKey } = this.options;
    let token: string | undefined;
    if (!apiKey) {
      try {
        token = await this.freshToken({ minValidityMs: this.options.renewLeewayMs ?? 60_000 });
      } catch (cause) {
        this.emit('error', { message: `No access token for the room: ${String(cause)}`, cause });
        // Refused credentials end the socket; a server that cannot be reached is tried again.
        if (cause instanceof ProblemError && cause.status < 500) {
          this.end({ code: 4401, reason: cause.message, kind: 'credential-gone', reconnecting: false });
        } else this.retryLater(1006, 'No access token: the server could not be reached.', 'other');
        return;
      }
    }
    if (this.stopped) return;
    const Socket = this.options.WebSocket ?? globalThis.WebSocket;
    const protocols = token ? [`bearer.${token}`] : undefined;
    // Bun's WebSocket takes headers (X-API-Key); browsers cannot send them.
    const asked = this.watched; // in the URL: a watch() while it opens is sent once it is open
    const ws = apiKey
      ? new Socket(this.url(), { headers: { 'x-api-key': apiKey } } as unknown as string[])
      : new Socket(this.url(), protocols);
    this.ws = ws;
    let wasOpen = false;
    ws.onopen = () => {
      wasOpen = true;
      this.accessInDoubt = false;
      this.opened++;
      this.emit('open', { connection: this.opened });
      if (this.seq !== undefined) this.send({ type: 'resume', since: this.seq });
      if (this.watched !== asked) this.send({ type: 'watch', skus: this.watched ?? null });
      this.scheduleRenewal();
    };
    ws.onmessage = (e) => this.receive(String(e.data));
    ws.onclose = (e) => {
      if (this.ws === ws) this.ws = undefined;
      clearTimeout(this.renewTimer);
      void this.closed(e.code, e.reason, wasOpen);
    };
  }

  private receive(text: string): void {
    let message: RoomMessage;
    try {
      message = JSON.parse(text) as RoomMessage;
    } catch {
      this.emit('error', { message: `The room sent a message that is not JSON: ${text.slice(0, 100)}` });
      return;
    }
    if (message.type === 'snapshot') {
      this.seq = message.version; // a snapshot is the whole state: resume from it
      this.failures = 0;
    } else if (message.type === 'stock') this.seq = Math.max(this.seq ?? 0, message.seq);
    this.emit('message', message);
    if (message.type === 'snapshot') this.emit('snapshot', message);
    else if (message.type === 'stock') this.emit('stock', message);
    else if (message.type === 'event') this.emit('event', message);
    else if (message.type === 'auth') this.emit('renewed', message);
    else if (message.type === 'error') this.emit('error', { message: message.message });
  }

  /** Renews at the later of `leeway` before expiry and half-way through the token's remaining life. */
  private scheduleRenewal(): void {
    clearTimeout(this.renewTimer);
    const expiresAt = this.tokenExpiresAt;
    if (this.options.apiKey || !this.options.token || expiresAt === undefined) return;
    const left = expiresAt - Date.now();
    // Expired: the room closes the socket (4401) and closed() asks for a new token.
    if (left <= 0) return;
    const leeway = Math.min(this.options.renewLeewayMs ?? 60_000, left / 2);
    // At least a second apart: a token function that has nothing fresher yet is not asked in a loop.
    this.renewTimer = setTimeout(() => void this.renew(), Math.max(1_000, left - leeway));
  }

  private async renew(): Promise<void> {
    const before = this.tokenExpiresAt ?? 0;
    try {
      // A token that outlives the one the socket has: the provider refreshes to give one.
      const token = await this.freshToken({ minValidityMs: before - Date.now() + 1000 });
      if (token && (this.tokenExpiresAt ?? 0) > before && this.isOpen) this.send({ type: 'auth', token });
    } catch (cause) {
      this.emit('error', { message: `Could not renew the room's access token: ${String(cause)}`, cause });
      return; // the room closes the socket at expiry (4401); closed() decides then
    }
    if (this.isOpen) this.scheduleRenewal();
  }

  private async closed(code: number, reason: string, wasOpen: boolean): Promise<void> {
    if (this.stopped) {
      this.emit('close', { code, reason, kind: 'closed-by-client', reconnecting: false });
      return;
    }
    const kind = closeKind(code);
    const refusedAccess = kind === 'credential-gone' || kind === 'right-lost';
    if (refusedAccess || (!wasOpen && this.accessInDoubt)) {
      // Only a fresh token may try again: an API key, or a session that cannot refresh, stops here.
      const retried = !this.accessInDoubt && (await this.renewedAfterRefusal());
      if (!retried) {
        this.end({ code, reason, kind, reconnecting: false });
        return;
      }
      this.accessInDoubt = true;
    }
    this.retryLater(code, reason, kind);
  }

  private retryLater(code: number, reason: string, kind: RoomCloseKind): void {
    const retryInMs = this.backoffMs();
    this.emit('close', { code, reason, kind, reconnecting: true, retryInMs });
    this.reconnectTimer = setTimeout(() => void this.connect(), retryInMs);
  }

  private async renewedAfterRefusal(): Promise<boolean> {
    if (this.options.apiKey || !this.options.token) return false;
    const refused = this.token;
    try {
      const token = await this.freshToken({ minValidityMs: 1000, rejected: refused });
      return token !== undefined && token !== refused;
    } catch {
      return false;
    }
  }

  private end(close: RoomClose): void {
    this.stopped = true;
    clearTimeout(this.renewTimer);
    this.emit('close', close);
  }

  private backoffMs(): number {
    const initial = this.options.backoff?.initialMs ?? 500;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const delay = Math.min(max, initial * 2 ** this.failures++);
    return Math.round(delay * (0.8 + Math.random() * 0.4)); // jitter: rooms' clients do not return in step
  }
}

/** Opens a room socket that keeps itself connected until `close()`. */
export function connectRoom(options: RoomSocketOptions): RoomSocket {
  return new RoomSocket(options);
}
