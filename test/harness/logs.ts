import { createLogger, type Logger } from '../../core/platform/logger.ts';

/** A logger that keeps its lines for assertions (and prints them with TEST_LOG=1). */
export function captureLogger(base: Record<string, unknown> = {}): {
  log: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(base, 'debug', (line) => {
    lines.push(JSON.parse(line));
    if (process.env.TEST_LOG) console.log(line);
  });
  return { log, lines };
}
