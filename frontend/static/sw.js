// CJM Board service worker: the app shell (index.html and the hashed assets)
// comes from the cache when the network is down, so a board with unsynced
// edits can be reloaded offline. Board data never goes through here: it
// lives in localStorage (snapshot + pending edits) and the websocket.
const CACHE = 'cjm-shell-__BUILD__';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    const page = await fetch('/', { cache: 'no-store' });
    const html = await page.clone().text();
    await cache.put('/index.html', page);
    const assets = [...new Set([...html.matchAll(/\/assets\/[\w.-]+/g)].map((m) => m[0]))];
    await cache.addAll(assets);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    // Hashed names never change content: cache first. What the page did
    // not list (the parts of the app loaded on first use) is kept once
    // fetched, so that a panel opened before opens offline too.
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          }),
      ),
    );
  } else if (request.mode === 'navigate') {
    // Pages: the network when it answers (and remember it), else the cache.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put('/index.html', copy));
          }
          return response;
        })
        .catch(() => caches.match('/index.html')),
    );
  }
});
