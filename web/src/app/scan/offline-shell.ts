/**
 * Registers the scanner's service worker (web/service-worker/scan-sw.js, scope /scan) once the
 * scanner has opened, so the next visit to /scan loads with no connection. Only the scanner:
 * the rest of the dashboard is live data and has nothing to show offline.
 */
export async function keepScannerOffline(): Promise<ServiceWorkerRegistration | undefined> {
  const container = globalThis.navigator?.serviceWorker;
  // Absent on plain http off localhost, in private windows of some browsers, and in tests.
  if (!container) return undefined;
  try {
    return await container.register('/scan-sw.js', { scope: '/scan' });
  } catch {
    return undefined; // the scanner still works online
  }
}
