import { createRoute, z } from '@hono/zod-openapi';
import { jsonContent, problemResponses } from '../core/platform/openapi.ts';
import { ServiceUnavailableError } from '../core/platform/problem.ts';
import { REQUEST_ID_HEADER } from '../core/platform/request-id.ts';
import { msSince } from '../core/platform/timing.ts';
import { serviceNames } from '../core/services.ts';
import { openEdgeClient } from './database.ts';
import { type EdgeBindings, type EdgeConfig, serviceUrl } from './env.ts';

const check = z.object({
  status: z.enum(['ok', 'down']),
  latencyMs: z.number(),
  detail: z.string().optional(),
});
type Check = z.infer<typeof check>;

const edgeHealthSchema = z
  .object({
    status: z.literal('ok'),
    edge: z.literal('ok'),
    core: check,
    database: check,
    durableObjects: check,
  })
  .openapi('Health');

export const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Edge, core, database (from the edge) and Durable Objects all answer',
  responses: {
    200: jsonContent(edgeHealthSchema, 'Everything answers'),
    ...problemResponses(503),
  },
});

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
  waitUntil: (p: Promise<unknown>) => void;
}

/** Probes core, the database through the edge driver, and a Durable Object, in parallel. */
export async function checkHealth(deps: HealthDeps) {
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
        await client.query('select 1');
      } finally {
        deps.waitUntil(client.end());
      }
    }, timeoutMs),
    timed(async () => {
      await deps.rooms.get(deps.rooms.idFromName('healthz')).snapshot('healthz');
    }, timeoutMs),
  ]);
  const checks = { core, database, durableObjects };
  if (Object.values(checks).some((ch) => ch.status !== 'ok')) {
    throw new ServiceUnavailableError('A dependency of the edge does not answer; see checks.', { checks });
  }
  return { status: 'ok' as const, edge: 'ok' as const, ...checks };
}
