/**
 * A container's HEALTHCHECK: `bun scripts/healthcheck.ts <url>` exits 0 when the URL answers 2xx
 * within 3 s, 1 otherwise. Bun's slim image has no curl or wget; this needs nothing but Bun.
 */
export {}; // a module, for the top-level await

const url = process.argv[2];
if (!url) {
  console.error('usage: bun scripts/healthcheck.ts <url>');
  process.exit(2);
}
const healthy = await fetch(url, { signal: AbortSignal.timeout(3000) }).then(
  (res) => res.ok,
  () => false,
);
process.exit(healthy ? 0 : 1);
