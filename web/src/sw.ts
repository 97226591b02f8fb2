// Service worker: precaches the whole site (Pyodide and the engine included) on first visit, so
// it works offline afterwards, and serves same-origin requests cache-first. The build replaces
// __GRADLAB_VERSION__ with a digest of every file, so each new build is a new service worker
// and the page can offer "Reload to update". It never touches another origin.
/// <reference lib="webworker" />
export {};
declare const self: ServiceWorkerGlobalScope;

const VERSION = "__GRADLAB_VERSION__";
const CACHE = `gradlab-${VERSION}`;
const scope = new URL(self.registration.scope);

const MANIFEST_KEY = new URL("precache.json", scope).href;
// Content-addressed paths (hash or version in the name) never change, so the HTTP cache may serve them.
const IMMUTABLE = /\/(assets\/|py\/(engine|snapshot)-|pyodide\/\d|problems\/[^/]+\.[0-9a-f]{16}\.json)/;

interface Manifest { version: string; files: Record<string, string> }

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const response = await fetch(MANIFEST_KEY, { cache: "no-cache" });
    const manifest: Manifest = await response.clone().json();
    const cache = await caches.open(CACHE);
    // A file whose hash did not change since the previous version is copied, not downloaded again.
    const previousName = (await caches.keys()).find((k) => k.startsWith("gradlab-") && k !== CACHE);
    const previous = previousName ? await caches.open(previousName) : null;
    const old: Manifest | null = previous ? await (await previous.match(MANIFEST_KEY))?.json() ?? null : null;
    for (const [path, hash] of Object.entries(manifest.files)) {
      const url = new URL(path, scope).href;
      const reusable = old?.files[path] === hash ? await previous!.match(url) : undefined;
      await cache.put(url, reusable ?? await fetch(url, { cache: IMMUTABLE.test(url) ? "default" : "no-cache" }));
    }
    const root = await cache.match(new URL("index.html", scope).href);
    if (root) await cache.put(new URL("./", scope).href, root.clone());
    await cache.put(MANIFEST_KEY, response);
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith("gradlab-") && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") {
    void self.clients.matchAll().then((clients) => clients.forEach((c) => c.postMessage({ type: "updating" })));
    void self.skipWaiting();
  }
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The app routes with the hash, so its only page is the root (cached under "./" and index.html).
    const cached = await cache.match(url.origin + url.pathname);
    if (cached) return cached;
    try {
      return await fetch(event.request);
    } catch {
      return new Response("Offline, and this file was not saved for offline use.", { status: 503 });
    }
  })());
});
