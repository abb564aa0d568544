/* The till's service worker: once a stall's till has been opened with a signal, the page and
   its files load from the phone. Tills are fetched from the network first (fresh stock counts)
   and fall back to the copy kept here; static files are served from here and refreshed. */
const CACHE = "till-v1"; // the page asks for this name too (till.js)
const FILES = [
  "/static/till/till.js",
  "/static/till/pending.js",
  "/static/till/queue.js",
  "/static/till/helpers.js",
  "/static/till/till.css",
  "/static/css/site.css",
  "/static/img/logo.svg",
  "/static/till/icon-192.png",
];
const TILL = /^\/stalls\/\d+\/till$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function keep(request, response) {
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (TILL.test(url.pathname)) {
    const key = url.origin + url.pathname;
    event.respondWith(
      fetch(request)
        .then((response) => keep(key, response))
        .catch(() => caches.match(key).then((hit) => hit || Response.error())),
    );
    return;
  }
  if (
    url.pathname.startsWith("/static/") ||
    url.pathname.startsWith("/media/") ||
    url.pathname.endsWith("/till.webmanifest")
  ) {
    event.respondWith(
      caches.match(request).then((hit) => {
        const fresh = fetch(request)
          .then((response) => keep(request, response))
          .catch(() => hit || Response.error());
        return hit || fresh;
      }),
    );
  }
});
