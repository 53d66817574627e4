/**
 * The webhooks benchmark's receivers, a process of their own (so their clocks and event loop
 * are not core's, which runs in the bench process): `healthy` Bun.serve servers answering 204,
 * each verifying every request's signature with the `standardwebhooks` library, and one dead
 * server that accepts the connection and never answers. startReceivers is the bench's handle:
 * JSON lines on stdin ask, one JSON line on stdout answers each.
 */
import { Webhook } from 'standardwebhooks';
import { lineSplitter } from '../../core/platform/lines.ts';
import { eventKey, type Receipt } from './tally.ts';

type Command = { secrets: string[] } | { distinct: true } | { take: true } | { stop: true };

export interface ReceiversReady {
  healthy: string[];
  dead: string;
}

/** What a take answers: every receipt since the last take, per healthy receiver, and then cleared. */
export interface Taken {
  receipts: Receipt[][];
  /** Requests the dead receiver got since the last take (none is ever answered). */
  dead: number;
}

function receiversProcess(healthyCount: number): void {
  let verifiers: Webhook[] = [];
  let receipts: Receipt[][] = Array.from({ length: healthyCount }, () => []);
  let keys: Set<string>[] = receipts.map(() => new Set());
  let dead = 0;
  const hung: (() => void)[] = [];

  const record = (i: number, body: string, headers: Record<string, string>) => {
    const at = Date.now();
    const json = JSON.parse(body) as { timestamp: string; data: { sku: string; version: number } };
    let verified = false;
    try {
      verifiers[i]?.verify(body, headers);
      verified = verifiers[i] !== undefined;
    } catch {}
    const key = eventKey(json.data.sku, json.data.version);
    receipts[i]?.push({
      webhookId: headers['webhook-id'] ?? '',
      key,
      at,
      occurredAt: Date.parse(json.timestamp),
      verified,
    });
    keys[i]?.add(key);
  };
  const servers = Array.from({ length: healthyCount }, (_, i) =>
    Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: async (req) => {
        record(i, await req.text(), Object.fromEntries(req.headers));
        return new Response(null, { status: 204 });
      },
    }),
  );
  const deadServer = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    // Past the sender's 10 s timeout: the sender gives up, this server never does.
    idleTimeout: 255,
    fetch: () => {
      dead++;
      return new Promise<Response>((resolve) =>
        hung.push(() => resolve(new Response(null, { status: 204 }))),
      );
    },
  });
  const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const ready: ReceiversReady = {
    healthy: servers.map((s) => `http://127.0.0.1:${s.port}/hooks`),
    dead: `http://127.0.0.1:${deadServer.port}/hooks`,
  };
  reply(ready);

  const handle = (line: string) => {
    const cmd = JSON.parse(line) as Command;
    if ('secrets' in cmd) {
      verifiers = cmd.secrets.map((s) => new Webhook(s));
      reply({ ok: true });
    } else if ('distinct' in cmd) reply(keys.map((k) => k.size));
    else if ('take' in cmd) {
      const taken: Taken = { receipts, dead };
      receipts = receipts.map(() => []);
      keys = receipts.map(() => new Set());
      dead = 0;
      reply(taken);
    } else {
      for (const release of hung) release();
      for (const s of [...servers, deadServer]) s.stop(true);
      process.exit(0);
    }
  };
  void (async () => {
    for await (const line of console) if (line.trim()) handle(line);
  })();
}

export interface Receivers extends ReceiversReady {
  /** The healthy receivers verify signatures with these secrets (in their order). */
  useSecrets(secrets: string[]): Promise<void>;
  /** Distinct events each healthy receiver got since the last take. */
  distinct(): Promise<number[]>;
  take(): Promise<Taken>;
  stop(): Promise<void>;
}

export async function startReceivers(healthy: number): Promise<Receivers> {
  const proc = Bun.spawn(['bun', import.meta.path], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    env: { ...process.env, WEBHOOK_RECEIVERS: String(healthy) },
  });
  // Each command gets one answer line, in order.
  const waiting: ((line: string) => void)[] = [];
  const lines = lineSplitter((line) => waiting.shift()?.(line));
  const next = () => new Promise<string>((resolve) => waiting.push(resolve));
  const first = next();
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) lines.push(decoder.decode(chunk, { stream: true }));
    lines.end();
  })();
  const ready = JSON.parse(
    await Promise.race([
      first,
      proc.exited.then((code) => {
        throw new Error(`the receivers exited (${code}) before they were ready`);
      }),
    ]),
  ) as ReceiversReady;
  const ask = async <T>(cmd: Command): Promise<T> => {
    const answer = next();
    proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    proc.stdin.flush();
    return JSON.parse(await answer) as T;
  };
  return {
    ...ready,
    useSecrets: async (secrets) => void (await ask({ secrets })),
    distinct: () => ask({ distinct: true }),
    take: () => ask({ take: true }),
    stop: async () => {
      proc.stdin.write(`${JSON.stringify({ stop: true })}\n`);
      proc.stdin.flush();
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

if (import.meta.main) {
  const healthy = Number(process.env.WEBHOOK_RECEIVERS);
  if (!healthy) {
    console.error('Run this through `bun run bench webhooks`.');
    process.exit(2);
  }
  receiversProcess(healthy);
}
