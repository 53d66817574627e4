/**
 * Screenshots of a dashboard screen for the e2e tests of the admin and purchasing screens: the
 * desktop one from the page a test is on, and the phone one (390 px) from a tab of its own that
 * signs in through the deep link, with what the phone view must hold: no sideways scrolling and
 * no serious accessibility violations.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { offlinePage, testBrowser } from '../../test/harness/browser.ts';
import { type AxeViolation, axeViolations, signInToDashboard } from '../../test/harness/dashboard.ts';

export const artifacts = join(import.meta.dir, '..', '..', 'test-artifacts', 'dashboard');

/** Saves `<name>-1280.png` of the page as it is. */
export async function desktopShot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}-1280.png`), fullPage: true });
}

/** How wide the page's content is (more than the viewport: it scrolls sideways). */
export const contentWidth = (page: Page): Promise<number> =>
  page.evaluate('document.documentElement.scrollWidth') as Promise<number>;

export interface PhoneView {
  width: number;
  violations: AxeViolation[];
  foreignRequests: string[];
}

/** Opens `path` at 390 px as `who`, waits for `ready`, saves `<name>-390.png` and says how it fits. */
export async function phoneView(
  edgeUrl: string,
  who: { email: string; password: string },
  path: string,
  name: string,
  ready: (page: Page) => Promise<unknown>,
): Promise<PhoneView> {
  const phone = await offlinePage(await testBrowser(), { width: 390, height: 844 });
  try {
    await signInToDashboard(phone.page, edgeUrl, who, path);
    await ready(phone.page);
    mkdirSync(artifacts, { recursive: true });
    await phone.page.screenshot({ path: join(artifacts, `${name}-390.png`), fullPage: true });
    return {
      width: await contentWidth(phone.page),
      violations: await axeViolations(phone.page),
      foreignRequests: phone.foreignRequests,
    };
  } finally {
    await phone.close();
  }
}
