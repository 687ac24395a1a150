/// <reference lib="webworker" />
// The service worker (built by vite-plugin-pwa, injectManifest): keeps the app shell for offline starts, keeps the
// last API answer of each figure so a phone without network shows the last figures (marked with when they were
// fetched) instead of a blank page, and shows alert pushes as notifications that open the alert when tapped.
import { FIGURES_CACHE, SAVED_AT_HEADER, SHELL_CACHE_PREFIX, isAppNavigation, isKeptApiResponse, offlineProblem, readAlertPayload } from './lib/pwa/policy';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: { url: string; revision: string | null }[] };

const manifest = self.__WB_MANIFEST;
// One cache per build: the revisions (and hashed names) change whenever a built file does.
const shellCache = SHELL_CACHE_PREFIX + hash(manifest.map((e) => `${e.url}@${e.revision ?? ''}`).join('|'));
// Deduplicated: the plugin lists the manifest and icons twice (its own and the glob's), and Cache.addAll refuses duplicates.
const shellUrls = [...new Set(manifest.map((e) => new URL(e.url, self.location.href).href))];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache);
      await cache.addAll(shellUrls);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(SHELL_CACHE_PREFIX) && name !== shellCache) await caches.delete(name);
      }
      // Take the page that registered us, so its next reload is already served offline-capable.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (isAppNavigation(url, self.location.origin)) event.respondWith(navigation(request));
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    // API keys are for machines, not this page: never keep what they fetch.
    if (request.headers.has('Authorization')) return;
    event.respondWith(apiFigure(request, url, (work) => event.waitUntil(work)));
    return;
  }
  if (shellUrls.includes(url.href)) event.respondWith(shellFile(request));
});

/** The network's page when there is one (new builds show at once), else the kept shell. */
async function navigation(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    const cache = await caches.open(shellCache);
    return (await cache.match(new URL('index.html', self.location.href).href)) ?? Response.error();
  }
}

async function shellFile(request: Request): Promise<Response> {
  const cache = await caches.open(shellCache);
  return (await cache.match(request)) ?? fetch(request);
}

/**
 * Network first: a fresh answer is kept (with when it was fetched) and returned as is; without network the kept
 * one is returned, carrying its time in a header the page shows in the offline banner.
 */
async function apiFigure(request: Request, url: URL, later: (work: Promise<unknown>) => void): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(request);
  } catch {
    const kept = await (await caches.open(FIGURES_CACHE)).match(request);
    if (kept) return kept;
    const problem = offlineProblem(url.pathname);
    return new Response(problem.body, { status: problem.status, headers: { 'Content-Type': 'application/problem+json' } });
  }
  if (response.status === 401) {
    // The session ended: whatever was kept belongs to someone no longer signed in here.
    later(caches.delete(FIGURES_CACHE));
  } else if (isKeptApiResponse(url, self.location.origin, response.status, response.headers.get('Content-Type'))) {
    // Kept after the page has its answer, so keeping never slows a figure down.
    const copy = response.clone();
    const savedAt = new Date().toISOString();
    later(
      (async () => {
        const headers = new Headers(copy.headers);
        headers.set(SAVED_AT_HEADER, savedAt);
        const body = await copy.arrayBuffer();
        await (await caches.open(FIGURES_CACHE)).put(request, new Response(body, { status: copy.status, statusText: copy.statusText, headers }));
      })(),
    );
  }
  return response;
}

self.addEventListener('push', (event) => {
  let data: unknown = null;
  try {
    data = event.data?.json();
  } catch {
    data = { body: event.data?.text() };
  }
  event.waitUntil(showAlert(data));
});

self.addEventListener('message', (event) => {
  const message = event.data as { type?: string; payload?: unknown } | null;
  if (message?.type === 'alert-notification') {
    // The page (or a test, where headless Chromium has no push service) hands an alert to the same path a push takes.
    // A sender that passes a port hears when the notification is up: Chromium drops a stored notification that a
    // getNotifications() call finds not yet displayed, so reading while it is being shown can lose it.
    const reply = event.ports[0];
    event.waitUntil(
      showAlert(message.payload).then(
        () => reply?.postMessage({ shown: true }),
        (e: unknown) => reply?.postMessage({ shown: false, error: String(e) }),
      ),
    );
  } else if (message?.type === 'clear-figures') {
    event.waitUntil(caches.delete(FIGURES_CACHE));
  }
});

function showAlert(data: unknown): Promise<void> {
  const alert = readAlertPayload(data);
  return self.registration.showNotification(alert.title, {
    body: alert.body,
    tag: alert.tag,
    icon: '/icons/icon-192.png',
    badge: '/icons/maskable-192.png',
    data: { url: alert.url, alertId: alert.alertId },
  });
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(readAlertPayload(event.notification.data).url, self.location.origin).href;
  event.waitUntil(
    (async () => {
      // An open SalesDash window is reused (and brought forward) rather than opening another.
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        await open.navigate(target);
        return;
      }
      await self.clients.openWindow(target);
    })(),
  );
});

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
