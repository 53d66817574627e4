import { defineTask } from '../task.ts';

/**
 * Delivers an access change (a user disabled or re-scoped, a session logged out, a key revoked,
 * enqueued by identity in the change's transaction) to the edge, which tells every warehouse
 * room: sockets of a credential that ended close with 4401, those that lost the right with 4403.
 * Idempotent (a closed socket is not closed twice); a failed call throws and is retried.
 */
export const recheckRoomSockets = defineTask('recheck-room-sockets', async (change, { edge, log }) => {
  if (!edge) {
    log.debug('no edge configured: no room sockets to recheck');
    return;
  }
  const res = await fetch(new URL('/internal/rooms/access', edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(change),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`the edge answered ${res.status} to a room access change`);
  log.info('room sockets rechecked', { kind: change.kind, ...((await res.json()) as object) });
});
