/**
 * The scanner's service worker (scope /scan): keeps the app shell so /scan opens with no
 * connection. edge/build-assets.ts writes it into web/dist with the build's file list and a
 * version in place of the two placeholders below, so every new build installs afresh.
 * API calls are never cached: the scanner's writes wait in IndexedDB instead (scan-writes.ts).
 */
const VERSION = '__VERSION__';
const FILES = /* __FILES__ */ [];
const CACHE = `varastokkr-scanner-${VERSION}`;
/** index.html as the edge serves it (at /; /index.html answers with a redirect to /). */
const SHELL = '/';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((file) => new Request(file, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((n) => n.startsWith('varastokkr-scanner-') && n !== CACHE)
            .map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/** Only the app's own static files: never the API, the rooms or another origin. */
function isAppFile(url) {
  return (
    url.origin === self.location.origin &&
    !/^\/(api|ws|internal|healthz|openapi\.json|docs)(\/|$)/.test(url.pathname)
  );
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || !isAppFile(url)) return;
  if (request.mode === 'navigate') {
    // The newest shell when online; the kept one when not.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(SHELL, { cacheName: CACHE }).then((hit) => hit ?? Response.error()),
      ),
    );
    return;
  }
  // Built files have hashed names: a kept copy is the right one.
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
});
