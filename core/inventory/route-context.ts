/** What the inventory routes take from a request besides its body: who acts, and the retry key. */
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Actor } from './adjustments.ts';

export const idempotencyHeader = z.object({
  'idempotency-key': z.string().optional().openapi({
    description: 'Retry-safe: a replay within 24 h returns the first response',
    example: 'a7c1e9f2-5b3d-4e8a-9c6f-2d4b8e1a3c57',
  }),
});

/** Who did it, for the ledger and events; and the idempotency claim, if any. */
export const actorOf = (c: Context<AppEnv>): Actor => ({
  actorId: `${c.var.principal.kind}:${c.var.principal.id}`,
  requestId: c.var.requestId,
  claim: c.var.idempotency,
});
