/**
 * /docs as a person sees it: Debian's Chromium loads the API reference through the real edge
 * with every request off this machine blocked, and the reference must render on first paint
 * (an operation's title on screen without scrolling), fetch nothing from a CDN, and show none
 * of the viewer vendor's cloud buttons.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OfflinePage, offlinePage, testBrowser } from '../test/harness/browser.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import type { OpenApiDoc } from '../test/harness/http.ts';

/**
 * The little of the DOM the functions run in the page use: they run in Chromium, while this
 * file is typed for Bun (the project has no DOM lib, so core cannot use browser globals).
 */
interface PageElement {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  contains(other: PageElement): boolean;
  innerText: string;
}
declare const document: {
  body: PageElement;
  createTreeWalker(
    root: PageElement,
    show: number,
  ): { nextNode(): { textContent: string | null; parentElement: PageElement | null } | null };
  elementFromPoint(x: number, y: number): PageElement | null;
  querySelector(selector: string): PageElement | null;
};
declare const window: { innerWidth: number; innerHeight: number; scrollY: number };
declare const NodeFilter: { SHOW_TEXT: number };
declare function getComputedStyle(el: PageElement): { fontFamily: string };

let edge: TestEdge;
let docs: OfflinePage;
let summaries: string[];
/** Local requests that failed (a bundle chunk we forgot to copy, say). */
const failed: string[] = [];
const screenshot = join(tmpdir(), 'varastokkr-docs.png');

beforeAll(async () => {
  [edge] = await Promise.all([testEdge(), testBrowser()]);
  const doc = (await (await fetch(`${edge.url}/openapi.json`)).json()) as OpenApiDoc;
  summaries = Object.values(doc.paths).flatMap((ops) =>
    Object.values(ops).flatMap((op) => (op.summary ? [op.summary] : [])),
  );
  docs = await offlinePage(await testBrowser());
  docs.page.on('response', (res) => {
    if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
  });
  docs.page.on('requestfailed', (req) => {
    if (!docs.foreignRequests.includes(req.url())) failed.push(`${req.failure()?.errorText} ${req.url()}`);
  });
  await docs.page.goto(`${edge.url}/docs`);
}, 120_000);

afterAll(async () => {
  await docs?.close();
});

/**
 * In the page: the first of `titles` that is on screen, i.e. inside the viewport and not
 * covered by anything else (a skeleton, another viewer) at its centre.
 */
function titleOnScreen(titles: string[]): string | undefined {
  const wanted = new Set(titles);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent?.trim() ?? '';
    const el = node.parentElement;
    if (!el || !wanted.has(text)) continue;
    const box = el.getBoundingClientRect();
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    if (box.width === 0 || x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) continue;
    const hit = document.elementFromPoint(x, y);
    if (hit && (el.contains(hit) || hit.contains(el))) return text;
  }
  return undefined;
}

test("an operation's title from the document is on screen at first load, without scrolling", async () => {
  expect(summaries.length).toBeGreaterThan(10);
  const found = await docs.page
    .waitForFunction(titleOnScreen, summaries, { timeout: 30_000 })
    .then((handle) => handle.jsonValue())
    .catch(async (err: Error) => {
      await docs.page.screenshot({ path: screenshot });
      throw new Error(`no operation title on screen (screenshot: ${screenshot}): ${err.message}`);
    });
  expect(summaries).toContain(found as string);
  expect(await docs.page.evaluate(() => window.scrollY)).toBe(0);
  // The content column renders too, not only the sidebar: the document's title is a heading.
  await expect(
    docs.page.getByRole('heading', { name: 'Varastokkr API', exact: true }).isVisible(),
  ).resolves.toBe(true);
  await docs.page.screenshot({ path: screenshot });
});

test('the page asked nothing of any host but localhost (no CDN fonts or scripts)', async () => {
  await docs.page.getByRole('heading', { name: 'Varastokkr API', exact: true }).waitFor();
  await docs.page.waitForLoadState('networkidle');
  expect(docs.foreignRequests).toEqual([]);
  expect(failed).toEqual([]);
  // System fonts: the viewer's default faces (Inter, JetBrains Mono) come from its CDN.
  const font = await docs.page.evaluate(
    () => getComputedStyle(document.querySelector('h1') as PageElement).fontFamily,
  );
  expect(font).not.toContain('Inter');
});

test('no vendor cloud buttons (Ask AI, MCP, agent, editor integrations) anywhere on the page', async () => {
  await docs.page.getByRole('heading', { name: 'Varastokkr API', exact: true }).waitFor();
  // Our own descriptions may well say "agent" or "cursor"; the page's text must not offer AI or MCP.
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point, not hidden nodes'
  const text = await docs.page.evaluate(() => document.body.innerText);
  expect(text.match(/ask ai|\bmcp\b/i)).toBeNull();
  const vendor = /ask ai|\bmcp\b|agent|vs ?code|cursor|developer tools/i;
  const controls = [
    ...(await docs.page.getByRole('button').all()),
    ...(await docs.page.getByRole('link').all()),
  ];
  const visibleNames: string[] = [];
  for (const control of controls) {
    if (await control.isVisible()) visibleNames.push((await control.textContent())?.trim() ?? '');
  }
  expect(visibleNames.length).toBeGreaterThan(0);
  expect(visibleNames.filter((name) => vendor.test(name))).toEqual([]);
});
