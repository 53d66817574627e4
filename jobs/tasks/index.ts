import type { TaskName } from '../../core/platform/events.ts';
import type { defineTask } from '../task.ts';
import { archiveToMongo } from './archive-to-mongodb.ts';
import { chainAudit } from './chain-audit.ts';
import { checkWarehouseRooms } from './check-warehouse-rooms.ts';
import { deliverWebhook } from './deliver-webhook.ts';
import { pruneIdentity, rotateKeys } from './identity-upkeep.ts';
import { ingestOrderTask } from './ingest-order.ts';
import {
  allocateBackordersTask,
  expireHoldsTask,
  expireReservationsTask,
  settleOrderTask,
} from './order-upkeep.ts';
import { pruneEventArchive } from './prune-event-archive.ts';
import { publishEvent } from './publish-event.ts';
import { purgeEdgeCatalog } from './purge-edge-catalog.ts';
import { recheckRoomSockets } from './recheck-room-sockets.ts';
import { replenishTask } from './replenish.ts';
import { rollupAnalyticsTask } from './rollup-analytics.ts';
import {
  detectLowStockTask,
  expireTransfersTask,
  pruneFailedJobsTask,
  pruneIdempotencyKeysTask,
  pruneLevelFeedTask,
} from './stock-upkeep.ts';

/** Every task the worker runs, by the identifier jobs are enqueued with. */
export const tasks: Record<TaskName, ReturnType<typeof defineTask>> = {
  'publish-event': publishEvent,
  'prune-event-archive': pruneEventArchive,
  'rotate-signing-keys': rotateKeys,
  'prune-identity': pruneIdentity,
  'purge-edge-catalog': purgeEdgeCatalog,
  'settle-order': settleOrderTask,
  'allocate-backorders': allocateBackordersTask,
  'expire-holds': expireHoldsTask,
  'recheck-room-sockets': recheckRoomSockets,
  'detect-low-stock': detectLowStockTask,
  'check-warehouse-rooms': checkWarehouseRooms,
  'prune-idempotency-keys': pruneIdempotencyKeysTask,
  'prune-level-feed': pruneLevelFeedTask,
  'prune-failed-jobs': pruneFailedJobsTask,
  'expire-reservations': expireReservationsTask,
  'expire-transfers': expireTransfersTask,
  replenish: replenishTask,
  'deliver-webhook': deliverWebhook,
  'ingest-order': ingestOrderTask,
  'chain-audit': chainAudit,
  'archive-to-mongodb': archiveToMongo,
  'rollup-analytics': rollupAnalyticsTask,
};
