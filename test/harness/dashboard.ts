/**
 * The dashboard's production build in web/dist, which the edge serves. Checked on every call
 * (before each edge starts, and by the dashboard's own tests): rebuilt only when web/dist does
 * not hold the build of the current sources (scripts/web-build.ts keeps a stamp of them), so a
 * run builds once, and again only if something replaced it (`bun run dev`'s watch, in its test).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/web-build.ts';

let building: Promise<void> | undefined;

export function builtDashboard(): Promise<void> {
  building ??= (async () => {
    const started = performance.now();
    const { reused } = await buildWeb({ configuration: 'production', reuse: true });
    if (!reused) console.error(`dashboard built in ${Math.round(performance.now() - started)} ms`);
  })().finally(() => {
    building = undefined;
  });
  return building;
}

/**
 * Opens `path` of the dashboard as a signed-out visitor and signs in through the form (as a
 * person would: the deep link goes to /login and comes back), then waits to have left /login.
 */
export async function signInToDashboard(
  page: Page,
  edgeUrl: string,
  who: { email: string; password: string },
  path: string,
): Promise<void> {
  await page.goto(`${edgeUrl}${path}`);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // `/` goes on to the first warehouse's board, so only "no longer signing in" is awaited.
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The serious and critical axe-core violations on the page as it is now (WCAG 2.1 A and AA
 * rules). Returned rather than asserted, so a failing test prints which rule and which elements.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<AxeResults> } }).axe;
    const results = await axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
}
