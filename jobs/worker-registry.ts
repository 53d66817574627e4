/**
 * Recovering jobs whose worker died. graphile-worker locks a job with its worker's id and only
 * frees it after four hours; a worker killed with SIGKILL never frees it. So every worker
 * registers itself and beats four times per JOBS_DEAD_WORKER_SECONDS (default 60), and every
 * runner, at start and once per that period, unlocks the jobs of workers silent for that long
 * (graphile-worker's force_unlock_workers) and forgets them, then gives back their attempts to
 * the batch jobs among those that a new add had replaced meanwhile (reviveReplacedBatches). A
 * graceful stop deregisters.
 */
import { hostname } from 'node:os';
import type { WorkerEvents } from 'graphile-worker';
import { config } from '../core/platform/config.ts';
import type { Database } from '../core/platform/database.ts';
import { batchTaskItems } from '../core/platform/events.ts';
import {
  beatWorkers,
  forgetWorkers,
  reviveReplacedBatches,
  unlockSilentWorkers,
} from '../core/platform/job-workers.ts';
import type { Logger } from '../core/platform/logger.ts';

/** Unlocks the jobs of workers silent for `silentSeconds` (see unlockSilentWorkers); returns their ids. */
export async function unlockDeadWorkers(
  db: Database,
  log: Logger,
  silentSeconds = config().JOBS_DEAD_WORKER_SECONDS,
): Promise<string[]> {
  const dead = await unlockSilentWorkers(db, silentSeconds);
  if (dead.length > 0) log.warn('unlocked the jobs of workers that died', { workers: dead });
  // After the unlock, in a statement of its own: it must see the jobs unlocked.
  const revived = await reviveReplacedBatches(db, Object.keys(batchTaskItems));
  if (revived > 0) log.warn('revived batch jobs replaced while their worker died', { jobs: revived });
  return dead;
}

/** Listens on the runner's events (pass them to run(), so no worker is created unseen). */
export function registerWorkers(events: WorkerEvents, db: Database, log: Logger): { stop(): Promise<void> } {
  const mine = new Set<string>();
  const host = hostname();
  const beat = async () => {
    if (mine.size === 0) return;
    await beatWorkers(db, host, [...mine]);
  };
  const safely = (work: () => Promise<unknown>) => () =>
    void work().catch((err) => log.warn('worker registry', { err: (err as Error).message }));
  // Jobs are locked under the pool's id (graphile-worker fetches them for its workers) or a
  // worker's: both are registered, so force_unlock_workers frees either after a kill.
  events.on('pool:create', ({ workerPool }) => {
    mine.add(workerPool.id);
    safely(beat)();
  });
  events.on('worker:create', ({ worker }) => {
    mine.add(worker.workerId);
    safely(beat)();
  });
  const silentMs = config().JOBS_DEAD_WORKER_SECONDS * 1000;
  safely(() => unlockDeadWorkers(db, log))();
  const beating = setInterval(safely(beat), silentMs / 4);
  const sweeping = setInterval(
    safely(() => unlockDeadWorkers(db, log)),
    silentMs,
  );
  return {
    async stop() {
      clearInterval(beating);
      clearInterval(sweeping);
      // Best effort: a row left behind goes silent and is swept like a dead worker's.
      await forgetWorkers(db, [...mine]).catch((err: Error) =>
        log.debug('worker registry: deregistering failed', { err: err.message }),
      );
    },
  };
}
