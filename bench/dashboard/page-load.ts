/**
 * The dashboard benchmark's first-load measurements (bench/dashboard.ts): a cold-cache load of the
 * board as Chromium received it, and the initial JavaScript as the budget counts it.
 */
import type { Page } from 'playwright-core';
import type { PageProbe } from './page-probe.ts';

interface Load {
  jsBytes: number;
  jsFiles: number;
  encodings: string;
  fcpMs: number;
  firstRowMs: number;
}

/** Reloads the board with the cache cleared and disabled: what Chromium received, and when. */
export async function coldLoad(page: Page, board: string): Promise<Load> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const scripts = new Map<string, string>();
  const bytes = new Map<string, number>();
  cdp.on('Network.responseReceived', (e) => {
    if (e.type === 'Script')
      scripts.set(
        e.requestId,
        e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? 'identity',
      );
  });
  cdp.on('Network.loadingFinished', (e) => bytes.set(e.requestId, e.encodedDataLength));
  await page.goto(board);
  await page.waitForFunction(
    () => (globalThis as unknown as { __probe: PageProbe }).__probe.firstRowMs !== null,
    null,
    { timeout: 60_000 },
  );
  const timing = await page.evaluate(() => ({
    firstRowMs: (globalThis as unknown as { __probe: PageProbe }).__probe.firstRowMs ?? Number.NaN,
    fcpMs: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
  }));
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await cdp.detach();
  const encodings = [...new Set(scripts.values())];
  return {
    ...timing,
    jsBytes: [...scripts.keys()].reduce((n, id) => n + (bytes.get(id) ?? 0), 0),
    jsFiles: scripts.size,
    encodings: encodings.length > 0 ? `, content-encoding ${encodings.join(', ')}` : '',
  };
}

/** The scripts and module preloads index.html names, gzipped (as the e2e test counts the budget). */
export async function initialJsGzipped(edgeUrl: string): Promise<number> {
  const html = await (await fetch(`${edgeUrl}/`)).text();
  const paths = new Set(
    [
      ...html.matchAll(/<script [^>]*src="([^"]+)"/g),
      ...html.matchAll(/<link [^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
    ].map((m) => m[1] as string),
  );
  let total = 0;
  for (const path of paths) {
    const body = await (await fetch(new URL(path, `${edgeUrl}/`))).arrayBuffer();
    total += Bun.gzipSync(new Uint8Array(body)).byteLength;
  }
  return total;
}
