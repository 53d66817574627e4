/**
 * The dashboard's production build in web/dist, which the edge serves. Checked on every call
 * (before each edge starts, and by the dashboard's own tests): rebuilt only when web/dist does
 * not hold the build of the current sources (scripts/web-build.ts keeps a stamp of them), so a
 * run builds once, and again only if something replaced it (`bun run dev`'s watch, in its test).
 */
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
