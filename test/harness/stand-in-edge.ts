/**
 * A stand-in for the edge's rooms batch endpoint (POST /internal/rooms/events), for tests of the
 * jobs runner's retries: it holds a call open until released, refuses, or accepts, on cue, and
 * records every call (the event ids, what it answered). Tests of the real endpoint use the real
 * worker (test/harness/edge.ts); this one exists because workerd cannot be made to hang on cue.
 */
import type { RoomEventsPush } from '../../core/platform/room-contract.ts';

export type StandInMode = 'hold' | 'refuse' | 'accept';

export interface StandInEdge {
  url: string;
  /** Every call, in order: its event ids and the status it was answered (0 while held). */
  calls: { ids: string[]; answered: number }[];
  /** How the next calls are answered; a held call is refused once released. */
  mode: StandInMode;
  /** Answers the held calls. */
  release(): void;
  /** The ids of the events of calls answered with this status. */
  answered(status: number): string[];
  stop(): void;
}

export function standInEdge(): StandInEdge {
  const held: (() => void)[] = [];
  const answer = (accept: boolean, body: RoomEventsPush) =>
    accept
      ? Response.json({ rooms: body.rooms.map((r) => ({ warehouseId: r.warehouseId, sockets: 0 })) })
      : new Response('unavailable', { status: 503 });
  const edge: StandInEdge = {
    url: '',
    calls: [],
    mode: 'hold',
    release: () => {
      for (const done of held.splice(0)) done();
    },
    answered: (status) => edge.calls.filter((c) => c.answered === status).flatMap((c) => c.ids),
    stop: () => {
      edge.release();
      server.stop(true);
    },
  };
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      if (new URL(req.url).pathname !== '/internal/rooms/events') return new Response(null, { status: 404 });
      const body = (await req.json()) as RoomEventsPush;
      const call = { ids: body.rooms.flatMap((r) => r.events.map((e) => e.id)), answered: 0 };
      edge.calls.push(call);
      const mode = edge.mode;
      if (mode === 'hold') await new Promise<void>((resolve) => held.push(resolve));
      const res = answer(mode === 'accept', body);
      call.answered = res.status;
      return res;
    },
  });
  edge.url = `http://127.0.0.1:${server.port}`;
  return edge;
}
