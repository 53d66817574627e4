/**
 * Where one request's time goes between the client and core, at 1 client (p50 and p99), all in
 * one run on the whole stack as `bun run dev` starts it (core with its info log pretty-printed,
 * the jobs runner with the rooms' feed, the edge under wrangler dev with its rooms):
 *   routes    a public GET forwarded to core (/.well-known/jwks.json: no token checked), an
 *             authenticated GET (/api/auth/me: the edge verifies the token), and POST /api/orders
 *             (token, a JSON body, a hold and an order in core, a feed tick and a room push after)
 *   targets   core directly; the bare pass-through worker (bench/bare-worker) and our edge, each
 *             through wrangler dev's public port and straight to its workerd behind wrangler's
 *             ProxyWorker (bench/edge-hop/inner-url.ts); and a second edge at LOG_LEVEL=warn (no
 *             request line, so nothing for wrangler's inspector to relay), which the feed does
 *             not feed (its rooms stay idle: the room work happens in the first edge's workerd)
 *   feed      every measurement with the jobs runner running, then again with it stopped
 * Differences of p50s name the parts: wrangler's ProxyWorker (public - inner), a workerd
 * pass-through (bare inner - core), our worker over a pass-through (quiet edge inner - bare
 * inner), what the edge's info lines and its fed rooms add (edge - quiet edge: since the edge
 * logs forwarded requests at debug, with the feed on that is the rooms' work in the same
 * workerd), and the feed's whole cost per target (feed on - off).
 *
 * Workerd's clocks do not advance during CPU work, so nothing is timed inside the worker: every
 * part is a variant timed from outside, in a load process of its own.
 */
import { adminAuthorization, startBenchCore } from './bench-core.ts';
import { innerWorkerUrl } from './edge-hop/inner-url.ts';
import { type LoadResult, measure } from './load.ts';
import { measureOrders, type OrderShape } from './orders/order-load.ts';
import { devLikeLogger, startBareForward, startBenchEdge, startBenchJobs } from './orders/stack.ts';
import { makeOrdersWorld } from './orders/world.ts';
import type { BenchContext } from './run.ts';

type Route = 'public GET' | 'auth GET' | 'POST order';
const routes: Route[] = ['public GET', 'auth GET', 'POST order'];

interface Timing {
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failures: number;
}

export async function run(ctx: BenchContext): Promise<void> {
  const s = ctx.seconds;
  const coreLog = devLikeLogger(ctx, 'core');
  // Our edge signs what it forwards and core checks it, as under `bun run dev`; the bare worker does not.
  const signingSecret = `bench-signing-${crypto.randomUUID()}`;
  const core = startBenchCore(ctx.databaseUrl, coreLog.log, { edgeSigningSecret: signingSecret });
  const stops: (() => Promise<void>)[] = [() => core.stop(), () => coreLog.close()];
  try {
    let headers = await adminAuthorization(core.url);
    const world = await makeOrdersWorld(ctx, core.handle, core.url, headers);
    const hot: OrderShape = { kind: 'hot', sku: world.hotSku, warehouseId: world.warehouseIds[0] };

    ctx.progress(
      'edge-hop: starting our edge, a quiet one (LOG_LEVEL=warn), the bare worker, the jobs runner',
    );
    const edge = await startBenchEdge(ctx, {
      coreUrl: core.url,
      proxyPort: core.proxy.port,
      tag: 'hop',
      signingSecret,
    });
    stops.unshift(() => edge.stop());
    const quiet = await startBenchEdge(ctx, {
      coreUrl: core.url,
      proxyPort: core.proxy.port,
      tag: 'hop-quiet',
      logLevel: 'warn',
      signingSecret,
    });
    stops.unshift(() => quiet.stop());
    const bare = await startBareForward(ctx, core.url);
    stops.unshift(() => bare.stop());
    let jobs: { stop(): Promise<void> } | undefined = await startBenchJobs(ctx, edge);
    stops.unshift(async () => void (await jobs?.stop()));

    const targets: [string, string | undefined][] = [
      ['core', core.url],
      ['bare worker, public port', bare.url],
      ['bare worker, its workerd', await innerWorkerUrl(bare.pid, bare.url)],
      ['edge, public port', edge.url],
      ['edge, its workerd', await innerWorkerUrl(edge.pid, edge.url)],
      ['quiet edge (warn), public port', quiet.url],
      ['quiet edge (warn), its workerd', await innerWorkerUrl(quiet.pid, quiet.url)],
    ];
    for (const [name, url] of targets)
      if (!url) ctx.progress(`edge-hop: !!! no inner port found for ${name}`);

    const once = async (route: Route, url: string, seconds: number): Promise<Timing> => {
      if (route === 'POST order') {
        const r = await measureOrders({
          url: `${url}/api/orders`,
          connections: 1,
          seconds,
          headers,
          shape: hot,
        });
        return { p50Ms: r.p50Ms, p99Ms: r.p99Ms, requests: r.requests, failures: r.requests - r.created };
      }
      const path = route === 'public GET' ? '/.well-known/jwks.json' : '/api/auth/me';
      const r: LoadResult = await measure(`${url}${path}`, 1, seconds, route === 'auth GET' ? headers : {});
      return { p50Ms: r.p50Ms, p99Ms: r.p99Ms, requests: r.requests, failures: r.errors };
    };

    ctx.progress('edge-hop: warming up every target');
    for (const [, url] of targets) if (url) for (const route of routes) await once(route, url, 0.5);

    const results = new Map<string, Timing>();
    for (const feed of ['feed on', 'feed off'] as const) {
      if (feed === 'feed off') {
        ctx.progress('edge-hop: stopping the jobs runner (feed off)');
        await jobs?.stop();
        jobs = undefined;
      }
      headers = await adminAuthorization(core.url); // a fresh 15-minute token per pass
      for (const route of routes)
        for (const [name, url] of targets) {
          if (!url) continue;
          ctx.progress(`edge-hop: ${feed}, ${route}, ${name}, 1 client, ${s} s`);
          results.set(`${feed}|${route}|${name}`, await once(route, url, s));
        }
    }

    for (const feed of ['feed on', 'feed off'])
      for (const route of routes)
        for (const [name] of targets) {
          const r = results.get(`${feed}|${route}|${name}`);
          if (!r) continue;
          const failed = r.failures > 0 ? `, !!! ${r.failures} not 2xx` : '';
          ctx.report(
            `${feed}: ${route}: ${name}`,
            `p50 ${r.p50Ms} ms`,
            `p99 ${r.p99Ms} ms, ${r.requests} requests${failed}`,
          );
        }

    // The parts, as differences of p50s (ms) within the same pass.
    const p50 = (feed: string, route: Route, name: string) => results.get(`${feed}|${route}|${name}`)?.p50Ms;
    const part = (label: string, feed: string, route: Route, a: string, b: string, note: string) => {
      const x = p50(feed, route, a);
      const y = p50(feed, route, b);
      if (x === undefined || y === undefined) return;
      ctx.report(`part: ${label}, ${route}, ${feed}`, `${(x - y).toFixed(2)} ms`, note);
    };
    for (const feed of ['feed on', 'feed off'])
      for (const route of routes) {
        part(
          'wrangler ProxyWorker hop',
          feed,
          route,
          'bare worker, public port',
          'bare worker, its workerd',
          'bare: public port - its workerd',
        );
        part(
          'a workerd pass-through',
          feed,
          route,
          'bare worker, its workerd',
          'core',
          "bare worker's workerd - core",
        );
        part(
          'our worker over pass-through',
          feed,
          route,
          'edge, its workerd',
          'bare worker, its workerd',
          'both past the ProxyWorker',
        );
        part(
          'the fed rooms and info lines',
          feed,
          route,
          'edge, public port',
          'quiet edge (warn), public port',
          "edge - quiet edge: its info lines, and with the feed on its rooms' work",
        );
        part(
          'quiet edge over pass-through',
          feed,
          route,
          'quiet edge (warn), its workerd',
          'bare worker, its workerd',
          'no request line, idle rooms',
        );
        part('edge over core, all told', feed, route, 'edge, public port', 'core', '');
      }
    for (const name of [
      'core',
      'edge, public port',
      'quiet edge (warn), public port',
      'bare worker, public port',
    ]) {
      const on = p50('feed on', 'POST order', name);
      const off = p50('feed off', 'POST order', name);
      if (on !== undefined && off !== undefined)
        ctx.report(
          `part: feed on - off, POST order, ${name}`,
          `${(on - off).toFixed(2)} ms`,
          "the jobs runner and the rooms it feeds (in the first edge's workerd)",
        );
    }
  } finally {
    for (const stop of stops) await stop();
  }
}
