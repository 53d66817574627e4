/**
 * The warehouse room: what to apply, when, and whom to tell. What stands alone lives beside it:
 * the levels' storage, change log and held early changes (room-levels.ts), sockets and their
 * limits (room-sockets.ts, room-limits.ts), who may read what (room-rules.ts), the purchase
 * orders it holds for what is on order (room-purchase-orders.ts), the contract
 * (core/platform/room-contract.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import { readStockLevels } from '../core/inventory/level-reads.ts';
import type { Logger } from '../core/platform/logger.ts';
import { type OnOrder, readOpenPurchaseOrders } from '../core/purchasing/on-order-reads.ts';
import { openEdgeClient } from './database.ts';
import { type EdgeBindings, edgeConfig, edgeLogger } from './env.ts';
import { asLevel, RoomLevels } from './room-levels.ts';
import { RoomMeta } from './room-meta.ts';
import { RoomPurchaseOrders } from './room-purchase-orders.ts';
import type { SocketAccess } from './room-rules.ts';
import { RoomSockets, watches } from './room-sockets.ts';
import type {
  LevelUpdate,
  PushResult,
  ReconcileResult,
  RoomAccessChange,
  RoomEvent,
  RoomLevel,
  RoomMessage,
  RoomSnapshot,
} from './room-types.ts';

type StockMessage = Extract<RoomMessage, { type: 'stock' }>;

/** How long a room filled before waits for its rebuild before answering from storage. */
const REBUILD_WAIT_MS = 2_000;

/** How long a push waits for an earlier one it overtook (concurrent jobs) before it applies anyway. */
const GAP_WAIT_MS = 2_000;

/**
 * The per-warehouse Durable Object: a projection of the warehouse's stock levels in SQLite
 * storage, each level carrying the ledger version it reflects. An update applies only if its
 * version is newer than the one held, so one that arrives twice or out of order changes
 * nothing. Postgres stays the source of truth: resync() reads it (outside any critical section)
 * and applies what it read under the same rule. Applying is synchronous SQLite work, so the
 * object's input gate makes each batch atomic.
 */
export class WarehouseStockRoom extends DurableObject<EdgeBindings> {
  /** This activation's rebuild from Postgres (see ensureRebuilt). */
  private rebuilt: Promise<void> | null = null;
  /** Whether that rebuild is done: reads then go straight to storage. */
  private rebuiltNow = false;
  private readonly log: Logger;
  private readonly sockets: RoomSockets;
  private readonly purchaseOrders: RoomPurchaseOrders;
  private readonly stock: RoomLevels;
  /** Stock messages of the current run, not yet sent (see announce). */
  private announced: StockMessage[] = [];
  private readonly meta: RoomMeta;

  constructor(ctx: DurableObjectState, env: EdgeBindings) {
    super(ctx, env);
    this.log = edgeLogger(env);
    this.sockets = new RoomSockets(
      ctx,
      () => edgeConfig(env),
      (at) => this.wakeBy(at),
    );
    this.stock = new RoomLevels(ctx.storage.sql);
    this.meta = new RoomMeta(ctx.storage.sql);
    this.purchaseOrders = new RoomPurchaseOrders(ctx.storage.sql);
    // Answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  /** The warehouse this room belongs to (set on the first connection or push). */
  private warehouseId(fallback?: string): string {
    return this.meta.warehouseId(fallback);
  }

  /**
   * A WebSocket client, with the access the worker checked (x-room-access: who, what it may
   * receive, until when): snapshot first, then changes.
   */
  override async fetch(request: Request): Promise<Response> {
    const access = JSON.parse(request.headers.get('x-room-access') ?? 'null') as SocketAccess | null;
    if (!access?.owner || !access.rights)
      throw new Error('a room socket needs the access the worker checked');
    const warehouseId = this.warehouseId(request.headers.get('x-warehouse-id') ?? undefined);
    const refusal = this.sockets.refusal(access, warehouseId);
    if (refusal) return refusal;
    await this.ensureRebuilt(warehouseId);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    // The skus the worker parsed from ?skus= (lowercased), or every sku.
    const watch = JSON.parse(request.headers.get('x-room-watch') ?? 'null') as string[] | null;
    await this.sockets.accept(server, access, watch);
    this.sendTo(server, { type: 'snapshot', ...this.snapshot(warehouseId, watch) });
    // The first protocol the client offered (bearer.<token> when it sent one) is echoed back.
    const protocol = request.headers.get('sec-websocket-protocol')?.split(',')[0]?.trim();
    return new Response(null, {
      status: 101,
      webSocket: client,
      ...(protocol ? { headers: { 'sec-websocket-protocol': protocol } } : {}),
    });
  }

  /**
   * A client's message, within its limits: `auth` extends the socket's life with a fresh token;
   * `watch` changes the skus the socket gets, answered with their snapshot; `resume` gets what
   * it missed, or a fresh snapshot if that is gone. A watch of a few skus (a scanner sends one
   * per scan) costs a message; one of every sku (null), as a resume, may send every level, so
   * both have a budget of their own.
   */
  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const message = this.sockets.admit(ws, raw);
    if (!message) return;
    const warehouseId = this.warehouseId();
    if (message.type === 'auth') return this.sockets.reauthenticate(ws, message.token, warehouseId);
    if (message.type === 'watch' && message.skus === null && !this.sockets.admitResume(ws)) return;
    if (message.type === 'watch') {
      this.sockets.watch(ws, message.skus);
      return this.sendTo(ws, { type: 'snapshot', ...this.snapshot(warehouseId, message.skus) });
    }
    if (!this.sockets.admitResume(ws)) return;
    const watch = this.sockets.watchOf(ws);
    const oldest = this.stock.oldestSeq();
    if (oldest == null || message.since + 1 < oldest)
      return this.sendTo(ws, { type: 'snapshot', ...this.snapshot(warehouseId, watch) });
    for (const level of this.stock.changedSince(message.since))
      if (watches(watch, level.sku)) this.sendTo(ws, { type: 'stock', warehouseId, ...level });
  }

  /** A client that leaves gets its close answered (else it waits for a timeout and sees 1006). */
  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  private sendTo(ws: WebSocket, message: RoomMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // A socket that closed meanwhile: the runtime drops it from the room.
    }
  }

  /**
   * A push from the jobs runner: level changes, each with the version it started from. Pushes
   * run concurrently, so a later change can arrive before an earlier one; applied at once, the
   * earlier one would then be stale and its step never shown. So a change that starts from a
   * version the room has not reached is kept (in storage, answered at once, so no job waits on
   * it) until the changes before it have arrived, or GAP_WAIT_MS have passed (the alarm).
   * Clients see every change, in order.
   */
  async pushLevels(levels: LevelUpdate[], warehouseId: string): Promise<PushResult> {
    const room = this.warehouseId(warehouseId);
    const result: PushResult = { applied: 0, stale: 0, held: 0 };
    const until = Date.now() + GAP_WAIT_MS;
    const inOrder = [...levels].sort((a, b) =>
      a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : a.version - b.version,
    );
    // Before the first fill the room cannot tell a late change; the fill brings every level up.
    const synced = this.isSynced();
    for (const l of inOrder) {
      if (synced && l.fromVersion !== undefined && l.fromVersion > this.stock.heldVersion(l.sku)) {
        this.stock.holdEarly({ ...l, fromVersion: l.fromVersion }, until);
        result.held++;
      } else if (this.applyLevel(room, l)) result.applied++;
      else result.stale++;
    }
    this.applyEarlyLevels(room, false);
    if (result.held > 0) await this.wakeBy(until);
    return result;
  }

  /**
   * A tick of the rooms' feed, in one call: the room's level changes (as pushLevels), then its
   * order, transfer and purchase order events, in order. The levels' stock messages go out
   * first: they are sent here, before the events, not at the end of this turn. With events, how
   * many sockets they reached.
   */
  async applyTick(
    levels: LevelUpdate[],
    events: Omit<RoomEvent, 'type'>[],
    warehouseId: string,
  ): Promise<PushResult & { sockets?: number }> {
    const pushed =
      levels.length > 0 ? await this.pushLevels(levels, warehouseId) : { applied: 0, stale: 0, held: 0 };
    if (events.length === 0) return pushed;
    this.sendAnnounced();
    return { ...pushed, sockets: this.broadcastEvents(events) };
  }

  /** Sets the room's one alarm to `at`, unless it is set to go off sooner. */
  private async wakeBy(at: number): Promise<void> {
    const set = await this.ctx.storage.getAlarm();
    if (set === null || set > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Early changes whose wait is over are applied, each level's oldest first, and what followed
   * them; sockets whose token expired are closed. Then the alarm is set for the next of either.
   */
  override async alarm(): Promise<void> {
    this.applyEarlyLevels(this.warehouseId(), true);
    const nextLevel = this.stock.nextEarlyDeadline();
    const nextExpiry = this.sockets.closeExpired();
    const next = [nextLevel, nextExpiry].filter((t): t is number => t != null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.min(...next));
  }

  /**
   * Applies the early changes that now follow on from the room's level; with `overdue`, also
   * the held changes of every level with one past its wait, lowest version first (skipping the
   * steps that never came, but none that did).
   */
  private applyEarlyLevels(room: string, overdue: boolean): void {
    for (let ready = this.stock.takeReadyEarly(overdue); ready; ready = this.stock.takeReadyEarly(overdue))
      this.applyLevel(room, ready);
  }

  /** Applies one level if newer than the room's, and tells every client; false if it was stale. */
  private applyLevel(room: string, l: LevelUpdate): boolean {
    const written = this.stock.write(l, true);
    if (written) this.announce(room, written);
    return written !== null;
  }

  /** Applies versioned levels (a rebuild's): each only if newer than the room's; clients are told. */
  private applyLevels(levels: LevelUpdate[], warehouseId: string): { applied: number; stale: number } {
    const room = this.warehouseId(warehouseId);
    const applied = levels.filter((l) => this.applyLevel(room, l)).length;
    return { applied, stale: levels.length - applied };
  }

  /**
   * Makes the room equal Postgres's levels (the nightly consistency check): a level that
   * differs is replaced and clients are told. A room level newer than the one read from
   * Postgres may be a push that overtook the read, so it is only reported as `ahead`, unless
   * `force` (the caller read Postgres again and it is still older: the room is wrong). Without
   * `repair`, nothing is written: the levels that differ are only reported; a room never filled
   * has nothing to compare (it fills from Postgres before it first answers).
   */
  reconcile(warehouseId: string, truth: LevelUpdate[], force = false, repair = true): ReconcileResult {
    const room = this.warehouseId(warehouseId);
    const repaired: ReconcileResult['repaired'] = [];
    const ahead: string[] = [];
    if (!repair && !this.isSynced()) return { repaired, ahead };
    for (const t of truth) {
      const had = this.stock.held(t.sku);
      if (had && had.onHand === t.onHand && had.reserved === t.reserved && had.version === t.version)
        continue;
      if (had && had.version > t.version && !force) {
        ahead.push(t.sku);
        continue;
      }
      if (!repair) {
        repaired.push({ sku: t.sku, had: had ?? null, now: asLevel(t) });
        continue;
      }
      // Written unconditionally (onlyIfNewer false), so a row always comes back.
      const now = this.stock.write(t, false) ?? asLevel(t);
      this.announce(room, now);
      repaired.push({ sku: t.sku, had: had ?? null, now });
    }
    this.applyEarlyLevels(room, false);
    return { repaired, ahead };
  }

  /**
   * Records a change in the resume log and queues its message. The messages of one synchronous
   * run of the room (a tick's levels, an alarm's, a reconcile's) go out together when it ends
   * (a microtask, so no path can forget them): one pass over the sockets per tick rather than
   * one per level. They still leave after the run's storage writes, behind the output gate.
   */
  private announce(room: string, level: RoomLevel): void {
    const seq = this.stock.recordChange(level.sku);
    if (this.announced.length === 0) queueMicrotask(() => this.sendAnnounced());
    this.announced.push({ type: 'stock', warehouseId: room, seq, ...level });
  }

  /** Sends the run's stock messages, and trims the resume log to its last 1,000 changes. */
  private sendAnnounced(): void {
    const messages = this.announced;
    this.announced = [];
    const last = messages.at(-1);
    if (!last) return;
    this.stock.trimChanges(last.seq);
    this.sockets.broadcast(messages);
  }

  /** Tells the clients that may read it of an order or transfer event; returns how many it reached. */
  broadcastEvent(event: Omit<RoomEvent, 'type'>): number {
    return this.broadcastEvents([event]);
  }

  /** A batch of events, in their order, in one pass over the sockets; how many sockets it reached. */
  broadcastEvents(events: Omit<RoomEvent, 'type'>[]): number {
    // The room keeps purchase orders for availability's on order (see room-purchase-orders.ts).
    for (const event of events)
      if (event.event === 'purchase_order.updated') this.purchaseOrders.applyEvent(event.data);
    return this.sockets.broadcast(events.map((event) => ({ type: 'event' as const, ...event })));
  }

  /** A change of who may hold sockets (identity, through the jobs runner): closes or re-scopes them. */
  applyAccessChange(change: RoomAccessChange): { closed: number; rescoped: number } {
    return this.sockets.applyAccessChange(change, this.warehouseId());
  }

  /** Every level the room holds (or those of the watched skus), and the room's version. */
  snapshot(warehouseId: string, watch: string[] | null = null): RoomSnapshot {
    const levels = watch ? this.stock.bySkus(watch) : this.stock.all();
    // The room's version is its change sequence: what a client resumes from.
    return { warehouseId, version: this.stock.lastSeq(), levels };
  }

  /** These skus' levels (case-insensitively), for availability reads. */
  levels(skus: string[]): RoomLevel[] {
    return this.stock.bySkus(skus);
  }

  /** Whether the room has been filled from Postgres since it was created. */
  isSynced(): boolean {
    return this.meta.isSynced();
  }

  /** These skus' levels and what is on order of them, once the room has been rebuilt. */
  async availabilitySynced(
    warehouseId: string,
    skus: string[],
  ): Promise<{ levels: RoomLevel[]; onOrder: OnOrder[] }> {
    await this.ensureRebuilt(warehouseId);
    return { levels: this.levels(skus), onOrder: this.purchaseOrders.onOrder(warehouseId, skus) };
  }

  /**
   * Once per activation (the first start, an edge restart, an eviction), before the room
   * answers from its storage: pushes may have failed while it was away (they are retried,
   * later), so it reads Postgres once. If Postgres fails, or takes over REBUILD_WAIT_MS, a
   * room that was filled before answers from what it holds; one never filled cannot answer.
   */
  private async ensureRebuilt(warehouseId: string): Promise<void> {
    if (this.rebuiltNow) return;
    this.rebuilt ??= this.resync(warehouseId).then(
      () => {
        this.rebuiltNow = true;
      },
      (err: unknown) => {
        this.rebuilt = null;
        throw err;
      },
    );
    if (!this.isSynced()) return this.rebuilt;
    // A room filled before does not wait long on a Postgres that fails or hangs.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      this.rebuilt.then(() => 'rebuilt'),
      new Promise((resolve) => {
        timer = setTimeout(resolve, REBUILD_WAIT_MS, 'slow');
      }),
    ]).catch((err: unknown) => (err as Error).message);
    clearTimeout(timer);
    if (outcome !== 'rebuilt')
      this.log.warn('warehouse room: no rebuild yet, answering from storage', { warehouseId, outcome });
  }

  /**
   * Reads the warehouse's levels (and submitted purchase orders) from Postgres and applies them by version. The read awaits the
   * network; the apply does not, so updates pushed meanwhile are never overwritten by older data.
   */
  async resync(warehouseId: string): Promise<{ applied: number; stale: number }> {
    const client = await openEdgeClient(edgeConfig(this.env));
    try {
      const [levels, orders] = await Promise.all([
        readStockLevels(client, warehouseId),
        readOpenPurchaseOrders(client, warehouseId),
      ]);
      const result = this.applyLevels(levels, warehouseId);
      this.purchaseOrders.replace(orders);
      this.meta.markSynced();
      this.applyEarlyLevels(warehouseId, false);
      return result;
    } finally {
      this.ctx.waitUntil(client.end());
    }
  }
}
