/**
 * The sockets of one warehouse room (hibernation API): who each belongs to, until when, what it
 * may receive and what it has spent, all in its attachment, so a room woken from hibernation
 * (by a message, a push or its alarm) still knows. Sockets close with 4401 when their token
 * expires (unless a fresh one came as `{"type":"auth"}`) or identity ends their credential,
 * 4403 when they lose the right to the room, 1008 when they exceed their limits.
 */
import type { Principal } from '../core/identity/policy.ts';
import type { Role } from '../core/identity/tables.ts';
import { ForbiddenError, UnauthorizedError } from '../core/platform/problem.ts';
import { verifyAccessToken } from './auth.ts';
import type { EdgeConfig } from './env.ts';
import { freshBudget, type SocketBudget, spendMessage, spendResume } from './room-limits.ts';
import {
  accessVerdict,
  mayReceive,
  type ReceivedChange,
  roomRights,
  type SocketAccess,
  verdictOnArrival,
} from './room-rules.ts';
import type { RoomAccessChange } from './room-types.ts';
import {
  type ClientMessage,
  closeCodes,
  MAX_WATCHED_SKUS,
  parseClientMessage,
  type RoomMessage,
} from './room-types.ts';

/**
 * `watch`: the lowercased skus whose levels the socket gets (`?skus=`, `{"type":"watch"}`);
 * null for every sku. Sockets accepted before it existed have none: every sku.
 */
type SocketState = SocketAccess & { budget: SocketBudget; watch?: string[] | null };

/** Whether a socket watching `watch` gets the level of `sku`. */
export const watches = (watch: readonly string[] | null | undefined, sku: string) =>
  !watch || watch.includes(sku.toLowerCase());

/**
 * How long a room remembers the access changes it received, for a socket whose caller core
 * checked just before a change and that reaches the room just after it (milliseconds apart).
 */
const REMEMBER_CHANGES_MS = 60_000;

/**
 * Sends the close frame: the client has it (code and reason) at once, and nothing is sent after
 * it. A room that closes a socket outside that socket's own event (from an access change or its
 * alarm) leaves the connection to be released by workerd when the room next goes idle, so a
 * client may see its close event some seconds after the frame.
 */
function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Closed meanwhile.
  }
}

function send(ws: WebSocket, text: string): boolean {
  try {
    ws.send(text);
    return true;
  } catch {
    return false; // A socket that closed meanwhile: the runtime drops it from the room.
  }
}

const sendMessage = (ws: WebSocket, message: RoomMessage) => send(ws, JSON.stringify(message));

export class RoomSockets {
  /**
   * Each socket's state as this activation last wrote or read it, so a broadcast reads no
   * attachment (deserializing 1,000 of them per message cost as much as sending). Every write
   * goes through remember(), which writes the attachment and this map together; after
   * hibernation the object is new, the map empty, and state() fills it from the attachments.
   * workerd hands out one WebSocket object per socket within an activation (getWebSockets(),
   * webSocketMessage()), so a key written by one path is the key the others read.
   */
  private readonly states = new WeakMap<WebSocket, SocketState>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly cfg: () => EdgeConfig,
    /** Asks the room's alarm to run by this time (it also serves held level changes). */
    private readonly wakeBy: (at: number) => Promise<void>,
  ) {
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS access_change (
      at INTEGER NOT NULL,
      change TEXT NOT NULL
    )`);
  }

  /** The access changes received in the last REMEMBER_CHANGES_MS, oldest first. */
  private receivedChanges(): ReceivedChange[] {
    this.ctx.storage.sql.exec('DELETE FROM access_change WHERE at < ?', Date.now() - REMEMBER_CHANGES_MS);
    return this.ctx.storage.sql
      .exec<{ at: number; change: string }>('SELECT at, change FROM access_change ORDER BY rowid')
      .toArray()
      .map((r) => ({ at: r.at, change: JSON.parse(r.change) as RoomAccessChange }));
  }

  /**
   * A 401 or 403 (problem+json) for a socket that a change this room received since core
   * checked its caller has overtaken; null to accept it.
   */
  refusal(access: SocketAccess, warehouseId: string): Response | null {
    const verdict = verdictOnArrival(access, this.receivedChanges(), warehouseId);
    if (verdict.action !== 'close') return null;
    const error =
      verdict.code === closeCodes.credentialGone
        ? new UnauthorizedError(verdict.reason)
        : new ForbiddenError(verdict.reason);
    return Response.json(error.toProblem(), {
      status: error.status,
      headers: { 'content-type': 'application/problem+json' },
    });
  }

  private state(ws: WebSocket): SocketState | null {
    const known = this.states.get(ws);
    if (known) return known;
    const state = (ws.deserializeAttachment() as SocketState | null) ?? null;
    if (state) this.states.set(ws, state);
    return state;
  }

  /** Writes a socket's state: its attachment (which outlives hibernation) and the map. */
  private remember(ws: WebSocket, state: SocketState): void {
    ws.serializeAttachment(state);
    this.states.set(ws, state);
  }

  /** Takes a socket the worker let in, with the access it checked and the skus it watches. */
  async accept(server: WebSocket, access: SocketAccess, watch: string[] | null): Promise<void> {
    this.ctx.acceptWebSocket(server);
    this.remember(server, { ...access, budget: freshBudget(Date.now()), watch });
    if (access.expiresAt !== null) await this.wakeBy(access.expiresAt);
  }

  /** The skus a socket watches (null: every sku). */
  watchOf(ws: WebSocket): string[] | null {
    return this.state(ws)?.watch ?? null;
  }

  /** Replaces the skus a socket watches. */
  watch(ws: WebSocket, skus: string[] | null): void {
    const state = this.state(ws);
    if (state) this.remember(ws, { ...state, watch: skus });
  }

  /**
   * The sockets that may still hold the room, closing on the way those whose token expired (the
   * alarm may run late; nothing is sent past expiry) and any without an attachment (accepted
   * before sockets had one: they reconnect under today's checks).
   */
  private live(now = Date.now()): { ws: WebSocket; state: SocketState }[] {
    const live: { ws: WebSocket; state: SocketState }[] = [];
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue; // closing: nothing more goes to it
      const state = this.state(ws);
      if (!state) close(ws, closeCodes.credentialGone, 'Reconnect.');
      else if (state.expiresAt !== null && state.expiresAt <= now)
        close(ws, closeCodes.credentialGone, 'The access token expired.');
      else live.push({ ws, state });
    }
    return live;
  }

  /**
   * Sends messages (a tick's, in order) to every socket, each message to the sockets that may
   * read it: one pass over the sockets, each message serialized once. Returns how many sockets
   * it reached.
   */
  broadcast(messages: readonly RoomMessage[]): number {
    const sockets = this.live();
    if (sockets.length === 0) return 0; // nothing to serialize for
    const texts = messages.map((m) => JSON.stringify(m));
    const skuKeys = messages.map((m) => (m.type === 'stock' ? m.sku.toLowerCase() : ''));
    let reached = 0;
    for (const { ws, state } of sockets) {
      let sent = false;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i] as RoomMessage;
        if (message.type === 'event' && !mayReceive(state, message)) continue;
        if (message.type === 'stock' && state.watch && !state.watch.includes(skuKeys[i] as string)) continue;
        if (!send(ws, texts[i] as string)) break;
        sent = true;
      }
      if (sent) reached++;
    }
    return reached;
  }

  /** Closes the sockets whose token expired; returns the next expiry to wake for, if any. */
  closeExpired(): number | null {
    let next: number | null = null;
    for (const { state } of this.live())
      if (state.expiresAt !== null && (next === null || state.expiresAt < next)) next = state.expiresAt;
    return next;
  }

  /** An access change from identity: closes or re-scopes the sockets it concerns. */
  applyAccessChange(change: RoomAccessChange, warehouseId: string): { closed: number; rescoped: number } {
    this.ctx.storage.sql.exec(
      'INSERT INTO access_change (at, change) VALUES (?, ?)',
      Date.now(),
      JSON.stringify(change),
    );
    const closed: WebSocket[] = [];
    let rescoped = 0;
    for (const { ws, state } of this.live()) {
      const verdict = accessVerdict(state, change, warehouseId);
      if (verdict.action === 'close') {
        close(ws, verdict.code, verdict.reason);
        closed.push(ws);
      } else if (verdict.action === 'rescope') {
        this.remember(ws, { ...state, rights: verdict.rights });
        rescoped++;
      }
    }
    return { closed: closed.length, rescoped };
  }

  /**
   * A client's message, charged to its budget: the message to act on, or undefined when it was
   * answered here (an error) or the socket was closed (expired, too large, too many).
   */
  admit(ws: WebSocket, raw: string | ArrayBuffer): ClientMessage | undefined {
    const state = this.state(ws);
    const now = Date.now();
    if (!state || (state.expiresAt !== null && state.expiresAt <= now)) {
      close(ws, closeCodes.credentialGone, 'The access token expired.');
      return undefined;
    }
    const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw).byteLength : raw.byteLength;
    const spent = spendMessage(state.budget, bytes, now);
    if (!spent.ok) {
      close(ws, closeCodes.policyViolation, spent.reason);
      return undefined;
    }
    this.remember(ws, { ...state, budget: spent.budget });
    const parsed = typeof raw === 'string' ? parseClientMessage(raw) : { problem: 'a binary message' };
    if ('message' in parsed) return parsed.message;
    sendMessage(ws, {
      type: 'error',
      message: `${parsed.problem}. Send {"type":"resume","since":<version>}, {"type":"auth","token":<access token>} or {"type":"watch","skus":[<sku>, ...] or null} (at most ${MAX_WATCHED_SKUS} skus).`,
    });
    return undefined;
  }

  /** Charges a `resume` to the socket; false (and the socket closed) beyond its allowance. */
  admitResume(ws: WebSocket): boolean {
    const state = this.state(ws);
    if (!state) return false;
    const spent = spendResume(state.budget, Date.now());
    if (!spent.ok) {
      close(ws, closeCodes.policyViolation, spent.reason);
      return false;
    }
    this.remember(ws, { ...state, budget: spent.budget });
    return true;
  }

  /**
   * `{"type":"auth","token"}`: a fresh access token of the same user and session moves the
   * socket's expiry to the token's. Its claims must still grant the room (else 4403); the
   * socket's rights are never widened by a token (they come from core at the upgrade and from
   * identity's changes), so an old token replayed cannot restore a right that was taken away.
   */
  async reauthenticate(ws: WebSocket, token: string, warehouseId: string): Promise<void> {
    let claims: Awaited<ReturnType<typeof verifyAccessToken>>;
    try {
      claims = await verifyAccessToken(this.cfg(), token);
    } catch (err) {
      sendMessage(ws, { type: 'error', message: (err as Error).message });
      return;
    }
    const state = this.state(ws);
    if (!state) return;
    if (state.owner.kind !== 'user' || claims.sub !== state.owner.id || claims.sid !== state.owner.sid) {
      sendMessage(ws, { type: 'error', message: 'The token is not of this socket’s user and session.' });
      return;
    }
    const principal: Principal = {
      kind: 'user',
      id: claims.sub,
      name: '',
      email: null,
      roles: claims.roles as Role[],
      warehouseIds: claims.warehouseIds,
    };
    if (!roomRights(principal, warehouseId)) {
      close(ws, closeCodes.rightLost, 'Your access to this warehouse changed.');
      return;
    }
    const expiresAt = Math.max(state.expiresAt ?? 0, claims.exp * 1000);
    this.remember(ws, { ...state, expiresAt });
    await this.wakeBy(expiresAt);
    sendMessage(ws, { type: 'auth', expiresAt: new Date(expiresAt).toISOString() });
  }
}
