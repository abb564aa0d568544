/* The till's service worker: once a stall's till has been opened with a signal, the page and
   its files load from the phone. Tills are fetched from the network first (fresh stock counts)
   and fall back to the copy kept here; static files are served from here and refreshed.
   Its addresses come from its scope (`/stalls/`, or `/c/<slug>/stalls/` under
   CLUSTER_ROUTING=path, where several clusters' workers share one origin and its caches). */
const SCOPE = new URL(self.registration.scope).pathname;
const CACHE = `till-v2@${SCOPE}`; // this scope's own: clusters never drop each other's
const OURS = (name) => name.endsWith(`@${SCOPE}`) || !name.includes("@"); // or pre-v2 (one site)
const FILES = [
  "/static/till/till.js",
  "/static/till/pending.js",
  "/static/till/queue.js",
  "/static/till/outbox.js",
  "/static/till/counts.js",
  "/static/till/helpers.js",
  "/static/till/till.css",
  "/static/css/site.css",
  "/static/img/logo.svg",
  "/static/till/icon-192.png",
];
const TILL = /^\d+\/till$/; // after the scope: `<stall id>/till`
const isTill = (url) => url.pathname.startsWith(SCOPE) && TILL.test(url.pathname.slice(SCOPE.length));

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE && OURS(k)).map((k) => caches.delete(k))))
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

// A till opened before this worker controlled it asks to be kept for offline use (till.js).
self.addEventListener("message", (event) => {
  const url = new URL(String((event.data && event.data.keep) || ""), self.location.origin);
  if (url.origin === self.location.origin && isTill(url)) {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.add(url.origin + url.pathname)));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (isTill(url)) {
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
