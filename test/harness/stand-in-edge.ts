/**
 * A stand-in for the edge's rooms feed (POST /internal/rooms/levels) and its catalog purge
 * (POST /internal/catalog/purge), for tests of the jobs runner's retries: it holds a call open
 * until released, refuses, or accepts, on cue (a tick's rooms named in `failingRooms` answered
 * as failed), and records every call (a tick's level skus as `sku@version` and event ids, or
 * the purge's skus and `*` for everything, and what it answered). Tests of the real endpoint use the real
 * worker (test/harness/edge.ts); this one exists because workerd cannot be made to hang on cue.
 */
import type { CatalogChange, FeedTick } from '../../core/platform/room-contract.ts';
import { type JobsHandle, startJobs } from '../../jobs/worker.ts';
import { captureLogger } from './logs.ts';

export type StandInMode = 'hold' | 'refuse' | 'accept';

export interface StandInEdge {
  url: string;
  /** Every call, in order: its event ids (a purge's skus) and the status it was answered (0 while held). */
  calls: { ids: string[]; answered: number; took: string[] }[];
  /** How the next calls are answered; a held call is refused once released. */
  mode: StandInMode;
  /** Rooms an accepted tick answers as failed. */
  failingRooms: Set<string>;
  /** Answers the held calls. */
  release(): void;
  /** The ids of the events of calls answered with this status. */
  answered(status: number): string[];
  /** The ids the edge took: of accepted calls, but not of the rooms it answered as failed. */
  taken(): string[];
  stop(): void;
}

export function standInEdge(): StandInEdge {
  const held: (() => void)[] = [];
  let generation = 0;
  const accepted = (path: string, body: unknown) =>
    path === '/internal/rooms/levels'
      ? {
          rooms: (body as FeedTick).rooms.map((r) =>
            edge.failingRooms.has(r.warehouseId)
              ? { warehouseId: r.warehouseId, failed: true }
              : { warehouseId: r.warehouseId, applied: r.levels?.length ?? 0, stale: 0, held: 0, sockets: 0 },
          ),
        }
      : { generation: ++generation };
  const callIds = (path: string, body: unknown) => {
    if (path === '/internal/rooms/levels')
      return (body as FeedTick).rooms.flatMap((r) => [
        ...(r.levels ?? []).map((l) => `${l.sku}@${l.version}`),
        ...(r.events ?? []).map((e) => e.id),
      ]);
    const change = body as CatalogChange;
    return change.scope === 'products' ? change.skus : ['*'];
  };
  const edge: StandInEdge = {
    url: '',
    calls: [],
    mode: 'hold',
    failingRooms: new Set(),
    release: () => {
      for (const done of held.splice(0)) done();
    },
    answered: (status) => edge.calls.filter((c) => c.answered === status).flatMap((c) => c.ids),
    taken: () => edge.calls.flatMap((c) => c.took),
    stop: () => {
      edge.release();
      server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const path = new URL(req.url).pathname;
      if (path !== '/internal/rooms/levels' && path !== '/internal/catalog/purge')
        return new Response(null, { status: 404 });
      const body: unknown = await req.json();
      const call = { ids: callIds(path, body), answered: 0, took: [] as string[] };
      edge.calls.push(call);
      const mode = edge.mode;
      if (mode === 'hold') await new Promise<void>((resolve) => held.push(resolve));
      const res =
        mode === 'accept'
          ? Response.json(accepted(path, body))
          : new Response('unavailable', { status: 503 });
      call.answered = res.status;
      if (mode === 'accept')
        call.took =
          path === '/internal/rooms/levels'
            ? callIds(path, {
                rooms: (body as FeedTick).rooms.filter((r) => !edge.failingRooms.has(r.warehouseId)),
              })
            : call.ids;
      return res;
    },
  });
  edge.url = `http://127.0.0.1:${server.port}`;
  return edge;
}

/** A jobs runner (one job at a time, no cron) whose edge is this stand-in. */
export const runnerBehind = (edge: StandInEdge, databaseUrl: string): Promise<JobsHandle> =>
  startJobs({
    databaseUrl,
    concurrency: 1,
    log: captureLogger({ service: 'jobs' }).log,
    cron: false,
    edge: { url: edge.url, secret: 'test-internal-secret' },
  });
