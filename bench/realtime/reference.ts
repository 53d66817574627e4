/**
 * The realtime benchmark's reference, measured while nothing else runs: a bare Bun.serve
 * WebSocket server, the same number of sockets on one topic, the burst's number of messages of
 * the same size published as fast as possible: deliveries per second.
 */
import type { BenchContext } from '../run.ts';
import { type SocketLoad, startSocketLoad } from './socket-load.ts';
import { fmtRate, now, perSecond } from './stats.ts';

export interface ReferenceResult {
  /** Deliveries per second. */
  rate: number;
  open: number;
  deliveries: number;
  spanMs: number;
  awaited: { reached: number; open: number };
}

export async function measureReference(
  ctx: BenchContext,
  opts: { warehouseId: string; sku: string; sockets: number; concurrency: number; messages: number },
): Promise<ReferenceResult> {
  const { warehouseId, sku } = opts;
  const stockMessage = (version: number) =>
    JSON.stringify({
      type: 'stock',
      warehouseId,
      seq: version,
      sku,
      onHand: 1000 + version,
      reserved: 0,
      available: 1000 + version,
      version,
    });
  const snapshotMessage = JSON.stringify({ type: 'snapshot', warehouseId, version: 0, levels: [] });
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(req, server) {
      if (server.upgrade(req, { data: undefined })) return;
      return new Response('Connect with a WebSocket.', { status: 426 });
    },
    websocket: {
      open(ws) {
        ws.subscribe('room');
        ws.send(snapshotMessage);
      },
      message() {},
    },
  });
  let load: SocketLoad | undefined;
  try {
    ctx.progress(`realtime: reference: ${opts.sockets} sockets to a bare Bun.serve WebSocket server`);
    load = await startSocketLoad(
      { url: `ws://127.0.0.1:${server.port}/`, sockets: opts.sockets, concurrency: opts.concurrency, sku },
      'bare',
      ctx.progress,
    );
    ctx.progress(`realtime: reference: publishing ${opts.messages} messages as fast as possible`);
    const messages = Array.from({ length: opts.messages }, (_, i) => stockMessage(i + 1));
    const start = now();
    for (const m of messages) server.publish('room', m);
    const awaited = await load.awaitVersion(opts.messages, 15_000);
    const arrivals = Object.values((await load.dump()).arrivals).flat();
    const spanMs = Math.max(...arrivals) - start;
    const rate = perSecond(arrivals.length, spanMs);
    ctx.progress(
      `realtime: reference: ${arrivals.length} deliveries in ${Math.round(spanMs)} ms (${fmtRate(rate)})`,
    );
    return { rate, open: load.ready.open, deliveries: arrivals.length, spanMs, awaited };
  } finally {
    await load?.stop();
    server.stop(true);
  }
}
