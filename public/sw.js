// Pantau's service worker: the app opens with no signal.
//
// `cargo xtask build` writes the version and the precache list below from the
// files of the build (never by hand). Reports are not here: they live in
// IndexedDB, which no cache change touches.
const VERSION = '__PANTAU_VERSION__';
const PRECACHE = __PANTAU_PRECACHE__;
const CACHE = `pantau-${VERSION}`;

self.addEventListener('install', (event) => {
  // No skipWaiting here: a new version waits until the volunteer accepts it
  // ("Versi baru tersedia — Muat ulang"), which the page asks for only when no
  // form holds unsaved input.
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(PRECACHE);
      // An older version activating meanwhile (the volunteer accepted it while
      // this one downloaded) deletes every other pantau- cache, this one
      // included: the files would sit in a cache nobody can open, and this
      // version would later start with nothing for offline. Fail instead; the
      // browser installs again at its next update check.
      if (!(await caches.has(CACHE))) throw new Error(`${CACHE} was deleted while it was being filled`);
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('pantau-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'pantau:activate') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // The API is never cached: only the server's answer proves delivery.
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  // The coordinators' desk is another app, online only: its pages and files
  // go to the network, never to this app's page.
  if (url.pathname === '/desk' || url.pathname.startsWith('/desk/')) return;
  if (request.mode === 'navigate') {
    // Every screen is index.html (routes live in the fragment); the cached copy
    // answers at once, with or without signal.
    event.respondWith(caches.open(CACHE).then((cache) => cache.match('./index.html')).then((cached) => cached ?? fetch(request)));
    return;
  }
  event.respondWith(caches.open(CACHE).then((cache) => cache.match(request)).then((cached) => cached ?? fetch(request)));
});
