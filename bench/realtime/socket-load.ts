/**
 * The realtime benchmark's sockets, in a load process of their own: this file run with
 * REALTIME_LOAD_SPEC set opens the sockets and records when each stock version arrived on each
 * of them. It talks JSON lines: commands on its stdin, events on its stdout. startSocketLoad is
 * the bench process's handle on it.
 */
import { lineSplitter } from '../../core/platform/lines.ts';
import { now } from './stats.ts';

export interface SocketSpec {
  url: string;
  sockets: number;
  concurrency: number;
  /** Only `stock` messages of this sku are recorded. */
  sku: string;
  /** Offer permessage-deflate, as a browser does (see where the sockets open). */
  offerDeflate?: boolean;
}

export type LoadEvent =
  | { event: 'progress'; open: number; failed: number }
  | { event: 'ready'; open: number; failed: number; firstError: string | null; ms: number }
  | { event: 'awaited'; reached: number; open: number; ms: number }
  | {
      event: 'dump';
      /** version -> the arrival time on each socket that got it (first arrival only). */
      arrivals: Record<string, number[]>;
      duplicates: number;
      closed: number;
      other: number;
    }
  | { event: 'closed' };

type LoadCommand = { cmd: 'await'; version: number; timeoutMs: number } | { cmd: 'dump' } | { cmd: 'close' };

// ---------------------------------------------------------------------------------------------
// The load process: opens the sockets, records when each stock version arrived on each of them.

async function socketLoad(spec: SocketSpec): Promise<void> {
  const send = (e: LoadEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);
  const sockets: WebSocket[] = [];
  const state: ('connecting' | 'open' | 'failed' | 'closed')[] = [];
  const seen: Map<number, number>[] = [];
  const maxVersion: number[] = [];
  let open = 0;
  let failed = 0;
  let closed = 0;
  let duplicates = 0;
  let other = 0;
  let closing = false;
  let firstError: string | null = null;

  const connectOne = (i: number) =>
    new Promise<void>((resolve) => {
      // Without the offer by default: see bench/realtime.ts.
      const ws = new WebSocket(spec.url, {
        perMessageDeflate: Boolean(spec.offerDeflate),
      } as unknown as string[]);
      const versions = new Map<number, number>();
      sockets[i] = ws;
      seen[i] = versions;
      maxVersion[i] = 0;
      state[i] = 'connecting';
      const fail = (why: string) => {
        if (state[i] !== 'connecting') return;
        state[i] = 'failed';
        failed++;
        firstError ??= why;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        fail('no snapshot within 30 s');
        ws.close();
      }, 30_000);
      ws.onmessage = (m) => {
        const at = now();
        const msg = JSON.parse(String(m.data)) as { type?: string; sku?: string; version?: number };
        if (msg.type === 'stock' && msg.sku === spec.sku && typeof msg.version === 'number') {
          if (versions.has(msg.version)) duplicates++;
          else versions.set(msg.version, at);
          if (msg.version > (maxVersion[i] ?? 0)) maxVersion[i] = msg.version;
        } else if (msg.type === 'snapshot' && state[i] === 'connecting') {
          state[i] = 'open';
          open++;
          clearTimeout(timer);
          resolve();
        } else other++;
      };
      ws.onerror = (e) => fail(`error: ${(e as ErrorEvent).message ?? 'WebSocket error'}`);
      ws.onclose = (e) => {
        if (state[i] === 'open') {
          state[i] = 'closed';
          if (!closing) closed++;
        } else fail(`closed before the snapshot: ${e.code} ${e.reason}`);
      };
    });

  const began = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (next < spec.sockets) {
        await connectOne(next++);
        if ((open + failed) % 100 === 0) send({ event: 'progress', open, failed });
      }
    }),
  );
  send({ event: 'ready', open, failed, firstError, ms: Math.round(performance.now() - began) });

  for await (const line of console) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as LoadCommand;
    if (c.cmd === 'await') {
      const started = performance.now();
      const openNow = () => state.filter((s) => s === 'open').length;
      const reached = () => maxVersion.filter((v, i) => state[i] === 'open' && v >= c.version).length;
      while (reached() < openNow() && performance.now() - started < c.timeoutMs) await Bun.sleep(5);
      send({
        event: 'awaited',
        reached: reached(),
        open: openNow(),
        ms: Math.round(performance.now() - started),
      });
    } else if (c.cmd === 'dump') {
      const arrivals: Record<string, number[]> = {};
      for (const versions of seen) {
        for (const [v, at] of versions) {
          arrivals[v] ??= [];
          arrivals[v].push(at);
        }
        versions.clear();
      }
      send({ event: 'dump', arrivals, duplicates, closed, other });
      duplicates = 0;
      other = 0;
    } else if (c.cmd === 'close') {
      closing = true;
      for (const ws of sockets) ws?.close();
      send({ event: 'closed' });
      break;
    }
  }
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// The bench process's handle on a load process.

export interface SocketLoad {
  ready: Extract<LoadEvent, { event: 'ready' }>;
  awaitVersion(version: number, timeoutMs: number): Promise<Extract<LoadEvent, { event: 'awaited' }>>;
  dump(): Promise<Extract<LoadEvent, { event: 'dump' }>>;
  stop(): Promise<void>;
}

export async function startSocketLoad(
  spec: SocketSpec,
  label: string,
  progress: (line: string) => void,
): Promise<SocketLoad> {
  const proc = Bun.spawn(['bun', import.meta.path], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    // The URL carries the access token: through the environment, never the command line.
    env: { ...process.env, REALTIME_LOAD_SPEC: JSON.stringify(spec) },
  });
  const queue: LoadEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const lines = lineSplitter((line) => {
    let e: LoadEvent;
    try {
      e = JSON.parse(line) as LoadEvent;
    } catch {
      progress(`realtime: ${label} load process: ${line}`);
      return;
    }
    if (e.event === 'progress') progress(`realtime: ${label}: ${e.open} sockets open, ${e.failed} failed`);
    else queue.push(e);
    wake?.();
  });
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) lines.push(decoder.decode(chunk, { stream: true }));
    lines.end();
    ended = true;
    wake?.();
  })();

  const next = async <K extends LoadEvent['event']>(
    event: K,
    timeoutMs: number,
  ): Promise<Extract<LoadEvent, { event: K }>> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((e) => e.event === event);
      if (i >= 0) return queue.splice(i, 1)[0] as Extract<LoadEvent, { event: K }>;
      if (ended) throw new Error(`${label} load process exited (${await proc.exited}) before '${event}'`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`${label} load process sent no '${event}' within ${timeoutMs} ms`);
      await new Promise<void>((done) => {
        const timer = setTimeout(done, left);
        wake = () => {
          clearTimeout(timer);
          done();
        };
      });
      wake = undefined;
    }
  };
  const command = (c: LoadCommand) => {
    proc.stdin.write(`${JSON.stringify(c)}\n`);
    proc.stdin.flush();
  };

  let ready: Extract<LoadEvent, { event: 'ready' }>;
  try {
    ready = await next('ready', 180_000);
  } catch (err) {
    proc.kill();
    throw err;
  }
  return {
    ready,
    awaitVersion: (version, timeoutMs) => {
      command({ cmd: 'await', version, timeoutMs });
      return next('awaited', timeoutMs + 30_000);
    },
    dump: () => {
      command({ cmd: 'dump' });
      return next('dump', 60_000);
    },
    stop: async () => {
      if (proc.exitCode === null && !ended) {
        try {
          command({ cmd: 'close' });
          proc.stdin.end();
        } catch {}
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await proc.exited;
        clearTimeout(timer);
      }
    },
  };
}
if (import.meta.main) {
  const spec = JSON.parse(process.env.REALTIME_LOAD_SPEC ?? 'null') as SocketSpec | null;
  if (!spec) {
    console.error('Run this through `bun run bench realtime`.');
    process.exit(2);
  }
  await socketLoad(spec);
}
