/**
 * A CPU profile of the edge worker while a load runs, through wrangler dev's inspector (the
 * Chrome DevTools protocol's Profiler domain): self time by function, largest first. Used by
 * benches that name a phase in EDGE_PROFILE to find where the worker's CPU goes.
 */
interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
    columnNumber: number;
    scriptId: string;
  };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Starts profiling the worker behind `inspectorPort`; `stop()` returns the top self times. */
export async function profileEdge(inspectorPort: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  const target = targets[0];
  if (!target) throw new Error('the inspector lists no worker');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  };
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await send('Debugger.enable');
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  return {
    async stop(top = 25): Promise<string[]> {
      const { profile } = (await send('Profiler.stop')) as { profile: Profile };
      const self = new Map<number, number>();
      for (const [i, node] of profile.samples.entries())
        self.set(node, (self.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0));
      const byName = new Map<string, number>();
      const sources = new Map<string, string[]>();
      const where = async (f: ProfileNode['callFrame']) => {
        if (!f.scriptId || f.scriptId === '0') return '';
        if (!sources.has(f.scriptId)) {
          const r = (await send('Debugger.getScriptSource', { scriptId: f.scriptId })) as {
            scriptSource?: string;
          };
          sources.set(f.scriptId, (r?.scriptSource ?? '').split('\n'));
        }
        const line = sources.get(f.scriptId)?.[f.lineNumber] ?? '';
        return line.slice(f.columnNumber, f.columnNumber + 70).trim();
      };
      const frames = new Map<string, ProfileNode['callFrame']>();
      let total = 0;
      for (const node of profile.nodes) {
        const us = self.get(node.id) ?? 0;
        total += us;
        const f = node.callFrame;
        const file = f.url.split('/').slice(-2).join('/');
        const name = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
        byName.set(name, (byName.get(name) ?? 0) + us);
        frames.set(name, f);
      }
      const idle = [...byName.entries()]
        .filter(([n]) => n.startsWith('(idle)'))
        .reduce((a, [, us]) => a + us, 0);
      const lines: string[] = [
        `JS thread busy ${((total - idle) / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms (${targets.length} inspector targets)`,
      ];
      for (const [name, us] of [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
        const frame = frames.get(name);
        lines.push(
          `${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}  ${frame ? await where(frame) : ''}`,
        );
      }
      // EDGE_PROFILE_CALLERS=<function name>: whose calls that function's self time came from.
      const traced = process.env.EDGE_PROFILE_CALLERS;
      if (traced) {
        const parent = new Map<number, ProfileNode>();
        for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n);
        const callers = new Map<string, number>();
        for (const n of profile.nodes) {
          if (n.callFrame.functionName !== traced) continue;
          const p = parent.get(n.id);
          const key = p
            ? `${p.callFrame.functionName || '(anonymous)'}  ${await where(p.callFrame)}`
            : '(root)';
          callers.set(key, (callers.get(key) ?? 0) + (self.get(n.id) ?? 0));
        }
        lines.push(`callers of ${traced}:`);
        for (const [key, us] of [...callers.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12))
          lines.push(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
      }
      ws.close();
      return lines;
    },
  };
}
