import { z } from '@hono/zod-openapi';
import type { Logger } from '../core/platform/logger.ts';
import { ServiceUnavailableError } from '../core/platform/problem.ts';
import { REQUEST_ID_HEADER } from '../core/platform/request-id.ts';
import { type SharedResult, sharedResult } from '../core/platform/shared-result.ts';
import { pingDatabase } from '../core/platform/sql-client.ts';
import { msSince } from '../core/platform/timing.ts';
import { serviceNames } from '../core/services.ts';
import { openEdgeClient } from './database.ts';
import { type EdgeBindings, type EdgeConfig, serviceUrl } from './env.ts';

/** One dependency's probe, as the caller sees it. */
export const healthCheckSchema = z.object({
  status: z.enum(['ok', 'down']),
  latencyMs: z.number(),
});
/** What a probe found; `detail` (which may name hosts and URLs) goes to the log, not the caller. */
type Check = z.infer<typeof healthCheckSchema> & { detail?: string };

async function timed(probe: () => Promise<void>, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  const latencyMs = () => msSince(started);
  try {
    await Promise.race([
      probe(),
      new Promise((_, fail) =>
        setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
    return { status: 'ok', latencyMs: latencyMs() };
  } catch (err) {
    return { status: 'down', latencyMs: latencyMs(), detail: (err as Error).message };
  }
}

export interface HealthDeps {
  cfg: EdgeConfig;
  rooms: EdgeBindings['WAREHOUSE_ROOMS'];
  requestId: string;
  log: Logger;
  waitUntil: (p: Promise<unknown>) => void;
}

type Checks = { core: Check; database: Check; durableObjects: Check };

/** Probes core, the database through the edge driver, and a Durable Object, in parallel. */
async function probeAll(deps: HealthDeps): Promise<Checks> {
  const timeoutMs = 3000;
  const [core, database, durableObjects] = await Promise.all([
    timed(async () => {
      // Every core process the gateway routes to (one, or one per service when they run apart).
      const urls = [...new Set(serviceNames.map((s) => serviceUrl(deps.cfg, s)))];
      await Promise.all(
        urls.map(async (url) => {
          const res = await fetch(new URL('/healthz', url), {
            headers: { [REQUEST_ID_HEADER]: deps.requestId },
            signal: AbortSignal.timeout(timeoutMs),
          });
          if (!res.ok) throw new Error(`core at ${url} answered ${res.status}`);
        }),
      );
    }, timeoutMs),
    timed(async () => {
      const client = await openEdgeClient(deps.cfg);
      try {
        await pingDatabase(client);
      } finally {
        deps.waitUntil(client.end());
      }
    }, timeoutMs),
    timed(async () => {
      await deps.rooms.get(deps.rooms.idFromName('healthz')).snapshot('healthz');
    }, timeoutMs),
  ]);
  const checks = { core, database, durableObjects };
  const failing = Object.entries(checks).filter(([, ch]) => ch.status !== 'ok');
  if (failing.length > 0)
    deps.log.error('health check: a dependency does not answer', {
      failing: Object.fromEntries(failing.map(([name, ch]) => [name, ch.detail])),
    });
  return checks;
}

/** The isolate's shared check: anyone may call /healthz, so it probes at most once a second. */
let shared: { cfg: EdgeConfig; result: SharedResult<Checks> } | undefined;

/** The health answer, or a 503 naming which checks failed (no hosts, URLs or error texts). */
export async function checkHealth(deps: HealthDeps) {
  if (shared?.cfg !== deps.cfg) shared = { cfg: deps.cfg, result: sharedResult(() => probeAll(deps), 1000) };
  const found = await shared.result.get();
  const checks = {
    core: { status: found.core.status, latencyMs: found.core.latencyMs },
    database: { status: found.database.status, latencyMs: found.database.latencyMs },
    durableObjects: { status: found.durableObjects.status, latencyMs: found.durableObjects.latencyMs },
  };
  if (Object.values(checks).some((ch) => ch.status !== 'ok')) {
    throw new ServiceUnavailableError('A dependency of the edge does not answer; see checks.', { checks });
  }
  return { status: 'ok' as const, edge: 'ok' as const, ...checks };
}
