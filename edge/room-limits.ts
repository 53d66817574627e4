/**
 * What one socket may ask of a warehouse room. A message costs a parse (a `watch` of a few skus
 * also sends their few levels); a `resume`, or a `watch` of every sku, reads and sends up to
 * every level of the warehouse (a catch-up from far back, or a snapshot), so it has a budget of
 * its own (a client resumes once per reconnect, and a reconnect is a new socket). A socket over
 * any limit is closed with 1008 (policy violation). The state lives in the socket's attachment, so it survives hibernation.
 * `{"type":"ping"}` is answered by the runtime without waking the room and costs nothing.
 */
export const roomLimits = {
  /** A client message is small (`resume`, `auth` with an access token, `watch` of up to 20 skus). */
  maxMessageBytes: 8 * 1024,
  /** Messages per socket per window. */
  messages: 30,
  messageWindowMs: 10_000,
  /** Resumes per socket per window (the snapshot on connecting is free). */
  resumes: 3,
  resumeWindowMs: 60_000,
} as const;

export type RoomLimits = typeof roomLimits;

/** A socket's spending in its current windows (fixed windows: simple, and enough to bound cost). */
export interface SocketBudget {
  messagesSince: number;
  messages: number;
  resumesSince: number;
  resumes: number;
}

export const freshBudget = (now: number): SocketBudget => ({
  messagesSince: now,
  messages: 0,
  resumesSince: now,
  resumes: 0,
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

/** One `resume`: refused beyond the window's allowance. */
export function spendResume(
  budget: SocketBudget,
  now: number,
  limits: Pick<RoomLimits, 'resumes' | 'resumeWindowMs'> = roomLimits,
): Spend {
  const fresh = now - budget.resumesSince >= limits.resumeWindowMs;
  const resumes = (fresh ? 0 : budget.resumes) + 1;
  if (resumes > limits.resumes)
    return {
      ok: false,
      reason: `At most ${limits.resumes} resumes per ${limits.resumeWindowMs / 1000} s.`,
    };
  return { ok: true, budget: { ...budget, resumesSince: fresh ? now : budget.resumesSince, resumes } };
}
