/**
 * The dashboard's production build in web/dist, made once per test run (before the first edge
 * starts, since the edge serves web/dist) and skipped when web/dist already holds the build of
 * the current sources (scripts/web-build.ts keeps a stamp of them).
 */
import { buildWeb } from '../../scripts/web-build.ts';

let built: Promise<void> | undefined;

export function builtDashboard(): Promise<void> {
  built ??= (async () => {
    const started = performance.now();
    const { reused } = await buildWeb({ configuration: 'production', reuse: true });
    if (!reused) console.error(`dashboard built in ${Math.round(performance.now() - started)} ms`);
  })();
  return built;
}
