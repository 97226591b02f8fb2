// Service worker: precaches the whole site (Pyodide and the engine included) on first visit, so
// it works offline afterwards, and serves same-origin requests cache-first. The build replaces
// __GRADLAB_VERSION__ with a digest of every file, so each new build is a new service worker
// and the page can offer "Reload to update". It never touches another origin.
//
// Every response it serves carries COOP/COEP/CORP (the technique of the coi-serviceworker
// project: the Response re-wrapped with new headers), so once it controls the page, even a static
// host that cannot send headers (GitHub Pages) gets cross-origin isolation: a SharedArrayBuffer,
// and Stop and time limits interrupt Python instead of replacing its worker.
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
    // Pages still showing the previous version reload on the controller change (app.ts), and
    // any of its files they ask for meanwhile is looked up in every cache before this goes.
    for (const key of await caches.keys()) if (key.startsWith("gradlab-") && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  // The learner pressed "Reload to update": take over now (the page reloads on controllerchange).
  if (event.data?.type === "skip-waiting") void self.skipWaiting();
});

const NULL_BODY = new Set([101, 204, 205, 304]);

/** `response` with the headers that make the page cross-origin isolated. */
function isolated(response: Response): Response {
  if (response.type === "opaque" || response.type === "opaqueredirect" || response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set("Cross-Origin-Opener-Policy", "same-origin");
  headers.set("Cross-Origin-Embedder-Policy", "require-corp");
  headers.set("Cross-Origin-Resource-Policy", "same-origin");
  return new Response(NULL_BODY.has(response.status) ? null : response.body,
    { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The app routes with the hash, so its only page is the root (cached under "./" and index.html).
    const key = url.origin + url.pathname;
    const cached = await cache.match(key) ?? await caches.match(key); // any version's copy
    if (cached) return isolated(cached);
    try {
      return isolated(await fetch(event.request));
    } catch {
      return new Response("Offline, and this file was not saved for offline use.", { status: 503 });
    }
  })());
});
