/**
 * Debian's Chromium (/usr/bin/chromium) driven by playwright-core, for what a person looks at:
 * the API reference, pages on other origins calling the API, later the dashboard. Never a
 * downloaded browser: the machine's own, headless, with a fresh profile for every launch.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { atRunEnd } from './run-cleanup.ts';

/** CHROMIUM_PATH overrides it (another distribution's path, say). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Quiet and reproducible: no sandbox (CI containers run as root), no GPU, and none of the
 * browser's own traffic (updates, sync, QUIC probes) mixed into what a test records.
 * playwright-core adds a fresh temporary --user-data-dir to every launch and removes it on close.
 */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A headless Chromium of the caller's own; close it when done. `extraArgs` add switches for
 * that browser alone (the scanner's fake camera).
 */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: the browser tests use Debian's Chromium. ` +
        'Install it with `apt-get install -y chromium` (or set CHROMIUM_PATH to another Chromium).',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...extraArgs],
  });
}

let shared: Promise<Browser> | undefined;

/** One Chromium for the whole test run, closed after the last file; tests open their own contexts. */
export function testBrowser(): Promise<Browser> {
  shared ??= launchChromium().then((browser) => {
    atRunEnd(() => browser.close());
    return browser;
  });
  return shared;
}

const localHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL stays on this machine (data: and blob: URLs never leave the page). */
export function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:' && protocol !== 'https:' && protocol !== 'ws:' && protocol !== 'wss:') return true;
  return localHosts.has(hostname);
}

export interface OfflinePage {
  page: Page;
  context: BrowserContext;
  /** Every request the page tried to send off this machine (each one was blocked). */
  foreignRequests: string[];
  close(): Promise<void>;
}

/**
 * A page in a context of its own that cannot reach anything but localhost: every request to
 * another host is blocked and recorded, so a test sees both that the page works offline and
 * what it would have fetched from a CDN.
 */
export async function offlinePage(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<OfflinePage> {
  const context = await browser.newContext({ viewport });
  const foreignRequests: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    foreignRequests.push(url);
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(
    (url) => !isLocal(url.href),
    (ws) => {
      foreignRequests.push(ws.url());
      return ws.close();
    },
  );
  const page = await context.newPage();
  return { page, context, foreignRequests, close: () => context.close() };
}
