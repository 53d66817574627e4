/**
 * The dashboard's production build, with the edge's other assets, that every test edge serves.
 * It goes to a directory of the test run's own (test-artifacts/web-build), not web/dist: `bun
 * run dev` (its own test, or a developer's running beside the suite) rebuilds web/dist while it
 * runs, and wrangler reloads on every change to what it serves. Built once per run, and reused
 * from an earlier run when its stamp says it is the build of the current sources.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildWeb } from '../../scripts/web-build.ts';

let built: Promise<string> | undefined;

/** The directory the test edges serve, built on first use. */
export function builtDashboard(): Promise<string> {
  built ??= (async () => {
    const started = performance.now();
    const { reused, dir } = await buildWeb({
      configuration: 'production',
      reuse: true,
      outputPath: join(import.meta.dir, '..', '..', 'test-artifacts', 'web-build'),
    });
    if (!reused) console.error(`dashboard built in ${Math.round(performance.now() - started)} ms`);
    return dir;
  })();
  // A failed build is not kept: the next file to need it tries again and shows its errors.
  built.catch(() => {
    built = undefined;
  });
  return built;
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
