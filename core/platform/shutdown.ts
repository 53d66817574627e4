import type { Logger } from './logger.ts';

/** Runs `stop` once on SIGTERM or SIGINT, then exits: the graceful shutdown of every process. */
export function onShutdown(log: Logger, what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping: ${what}`, { signal });
    try {
      await stop();
      process.exit(0);
    } catch (err) {
      log.error('shutdown failed', { err });
      process.exit(1);
    }
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
