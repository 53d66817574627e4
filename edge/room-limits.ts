/**
 * What one socket may ask of a warehouse room. A message costs a parse and a storage read; a
 * snapshot (the first one, or a `resume` from too far back) reads and sends every level of the
 * warehouse, so it has a budget of its own. A socket over any limit is closed with 1008 (policy
 * violation). The state lives in the socket's attachment, so it survives hibernation.
 * `{"type":"ping"}` is answered by the runtime without waking the room and costs nothing.
 */
export const roomLimits = {
  /** A client message is small (`resume`, or `auth` with an access token). */
  maxMessageBytes: 8 * 1024,
  /** Messages per socket per window. */
  messages: 30,
  messageWindowMs: 10_000,
  /** Snapshots a socket may cause per window, besides the one it gets on connecting. */
  snapshots: 3,
  snapshotWindowMs: 60_000,
} as const;

export type RoomLimits = typeof roomLimits;

/** A socket's spending in its current windows (fixed windows: simple, and enough to bound cost). */
export interface SocketBudget {
  messagesSince: number;
  messages: number;
  snapshotsSince: number;
  snapshots: number;
}

export const freshBudget = (now: number): SocketBudget => ({
  messagesSince: now,
  messages: 0,
  snapshotsSince: now,
  snapshots: 0,
});

export type Spend = { ok: true; budget: SocketBudget } | { ok: false; reason: string };

/** One client message of `bytes` bytes: refused when too large or one too many for the window. */
export function spendMessage(
  budget: SocketBudget,
  bytes: number,
  now: number,
  limits: Pick<RoomLimits, 'maxMessageBytes' | 'messages' | 'messageWindowMs'> = roomLimits,
): Spend {
  if (bytes > limits.maxMessageBytes)
    return { ok: false, reason: `Messages are at most ${limits.maxMessageBytes} bytes.` };
  const fresh = now - budget.messagesSince >= limits.messageWindowMs;
  const messages = (fresh ? 0 : budget.messages) + 1;
  if (messages > limits.messages)
    return {
      ok: false,
      reason: `At most ${limits.messages} messages per ${limits.messageWindowMs / 1000} s.`,
    };
  return { ok: true, budget: { ...budget, messagesSince: fresh ? now : budget.messagesSince, messages } };
}

/** One snapshot a client's message caused: refused beyond the window's allowance. */
export function spendSnapshot(
  budget: SocketBudget,
  now: number,
  limits: Pick<RoomLimits, 'snapshots' | 'snapshotWindowMs'> = roomLimits,
): Spend {
  const fresh = now - budget.snapshotsSince >= limits.snapshotWindowMs;
  const snapshots = (fresh ? 0 : budget.snapshots) + 1;
  if (snapshots > limits.snapshots)
    return {
      ok: false,
      reason: `At most ${limits.snapshots} snapshots per ${limits.snapshotWindowMs / 1000} s; resume from a recent version.`,
    };
  return { ok: true, budget: { ...budget, snapshotsSince: fresh ? now : budget.snapshotsSince, snapshots } };
}
