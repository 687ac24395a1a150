// What the service worker keeps and how it says so: pure functions shared by the worker (src/sw.ts) and the page,
// unit-tested without a browser. No DOM or worker types here, so both programs can import it.

/** Cache Storage name of the last figures (API answers); deleted on sign-in and sign-out so no person sees another's. */
export const FIGURES_CACHE = 'salesdash-figures-v1';

/** Cache Storage prefix of the app shell (built files); one cache per build, older ones deleted on activation. */
export const SHELL_CACHE_PREFIX = 'salesdash-shell-';

/** Set by the worker on every answer it keeps: when the figures were fetched. An answer served with it is an offline copy. */
export const SAVED_AT_HEADER = 'X-SalesDash-Saved-At';

/**
 * Whether a GET answer from the API is a figure worth keeping for offline use: same origin, under /api/, not the
 * sign-in calls, not files (exports, PDFs) and not a refusal. Only JSON is kept.
 */
export function isKeptApiResponse(url: URL, origin: string, status: number, contentType: string | null): boolean {
  if (url.origin !== origin || !url.pathname.startsWith('/api/')) return false;
  if (url.pathname.startsWith('/api/auth/') || url.pathname.startsWith('/api/push/')) return false;
  if (status !== 200) return false;
  return (contentType ?? '').toLowerCase().startsWith('application/json');
}

/** Whether a navigation belongs to the single-page app (so the cached index.html answers it offline). */
export function isAppNavigation(url: URL, origin: string): boolean {
  if (url.origin !== origin) return false;
  return !/^\/(api|hubs|webhooks|healthz|openapi|scalar|swagger)(\/|$)/.test(url.pathname);
}

/** The answer when neither the network nor the cache has an API answer: problem+json, like the server's own. */
export function offlineProblem(path: string): { status: number; body: string } {
  return {
    status: 503,
    body: JSON.stringify({
      type: 'about:blank',
      title: 'Offline',
      status: 503,
      detail: `You are offline and ${path} has not been loaded on this device before.`,
    }),
  };
}

/** What a push (or a test's message) carries: see src/Web/Push/WebPushAlertNotifier.cs PushAlertPayload. */
export interface AlertPushPayload {
  title: string;
  body: string;
  tag: string;
  url: string;
  alertId?: string;
  tenantId?: string;
  storeId?: string;
  status?: string;
}

/** The payload read defensively: a push from an older server, or garbage, still shows something sensible. */
export function readAlertPayload(data: unknown): AlertPushPayload {
  const o = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const url = text(o.url);
  return {
    title: text(o.title) ?? 'SalesDash alert',
    body: text(o.body) ?? '',
    tag: text(o.tag) ?? 'salesdash-alert',
    // Only a path on this site: a push must not be able to open another site.
    url: url && url.startsWith('/') && !url.startsWith('//') ? url : '/',
    ...(text(o.alertId) ? { alertId: text(o.alertId)! } : {}),
    ...(text(o.tenantId) ? { tenantId: text(o.tenantId)! } : {}),
    ...(text(o.storeId) ? { storeId: text(o.storeId)! } : {}),
    ...(text(o.status) ? { status: text(o.status)! } : {}),
  };
}

/** "Offline — figures as of 14:05" in the viewer's clock; the date too when the figures are not from today. */
export function offlineBannerText(savedAt: Date | null, now: Date, locale?: string): string {
  if (!savedAt || Number.isNaN(savedAt.getTime())) return 'Offline — no figures saved on this device yet';
  const time = savedAt.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const sameDay = savedAt.toDateString() === now.toDateString();
  const when = sameDay ? time : `${savedAt.toLocaleDateString(locale, { day: 'numeric', month: 'short' })} ${time}`;
  return `Offline — figures as of ${when}`;
}
