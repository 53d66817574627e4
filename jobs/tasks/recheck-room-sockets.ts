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
  log.info('room sockets rechecked', { kind: change.kind, ...(await edge.changeRoomAccess(change)) });
});
