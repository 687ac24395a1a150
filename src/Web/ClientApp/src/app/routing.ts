// Plain history-API routing: a handful of pages do not need a router library. The server falls back to index.html.
import { useCallback, useSyncExternalStore } from 'react';
import type { StoreKey } from '../lib/types';

export type Route =
  | { page: 'home' }
  | { page: 'dashboard'; store: StoreKey }
  | { page: 'boards'; tenantId: string }
  | { page: 'board'; tenantId: string; boardId: string }
  | { page: 'reports'; tenantId: string }
  | { page: 'alerts'; tenantId: string }
  | { page: 'goals'; tenantId: string }
  | { page: 'overview'; tenantId: string }
  | { page: 'benchmarks'; tenantId: string }
  | { page: 'wall'; tokens: string[] }
  | { page: 'history'; store: StoreKey }
  | { page: 'import'; store: StoreKey }
  | { page: 'channels'; store: StoreKey }
  | { page: 'quarantine'; store: StoreKey }
  | { page: 'recommendations'; store: StoreKey }
  | { page: 'customers'; store: StoreKey }
  | { page: 'org'; tenantId: string; section: OrgSection }
  | { page: 'organisation'; tenantId: string }
  | { page: 'onboarding'; tenantId: string | null }
  | { page: 'notifications' }
  | { page: 'sign-in' }
  | { page: 'benchmark-report' }
  | { page: 'sign-up' }
  | { page: 'invitation'; token: string }
  | { page: 'not-found' };

/** The organisation's settings pages: plan, white-label branding, custom metrics, the audit log and the data warehouse. */
export type OrgSection = 'plan' | 'branding' | 'metrics' | 'audit' | 'warehouse';

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'home' };
  if (path === '/sign-in') return { page: 'sign-in' };
  if (path === '/sign-up') return { page: 'sign-up' };
  if (path === '/benchmark-report') return { page: 'benchmark-report' };
  if (path === '/onboarding') return { page: 'onboarding', tenantId: null };
  if (path === NOTIFICATIONS_PATH) return { page: 'notifications' };
  const invitation = /^\/invitations\/([A-Za-z0-9_-]+)$/.exec(path);
  if (invitation?.[1]) return { page: 'invitation', token: invitation[1] };
  try {
    const boards = /^\/t\/([^/]+)\/dashboards(?:\/([^/]+))?$/.exec(path);
    if (boards?.[1]) {
      const tenantId = decodeURIComponent(boards[1]);
      return boards[2] ? { page: 'board', tenantId, boardId: decodeURIComponent(boards[2]) } : { page: 'boards', tenantId };
    }
    const org = /^\/t\/([^/]+)\/(plan|branding|metrics|audit|warehouse)$/.exec(path);
    if (org?.[1] && org[2]) return { page: 'org', tenantId: decodeURIComponent(org[1]), section: org[2] as OrgSection };
    const alerts = /^\/t\/([^/]+)\/alerts$/.exec(path);
    if (alerts?.[1]) return { page: 'alerts', tenantId: decodeURIComponent(alerts[1]) };
    const onboarding = /^\/onboarding\/([^/]+)$/.exec(path);
    if (onboarding?.[1]) return { page: 'onboarding', tenantId: decodeURIComponent(onboarding[1]) };
    const reports = /^\/t\/([^/]+)\/reports$/.exec(path);
    if (reports?.[1]) return { page: 'reports', tenantId: decodeURIComponent(reports[1]) };
    const goals = /^\/t\/([^/]+)\/goals$/.exec(path);
    if (goals?.[1]) return { page: 'goals', tenantId: decodeURIComponent(goals[1]) };
    const overview = /^\/t\/([^/]+)\/overview$/.exec(path);
    if (overview?.[1]) return { page: 'overview', tenantId: decodeURIComponent(overview[1]) };
    const benchmarks = /^\/t\/([^/]+)\/benchmarks$/.exec(path);
    if (benchmarks?.[1]) return { page: 'benchmarks', tenantId: decodeURIComponent(benchmarks[1]) };
    const settings = /^\/t\/([^/]+)\/settings$/.exec(path);
    if (settings?.[1]) return { page: 'organisation', tenantId: decodeURIComponent(settings[1]) };
    const wall = /^\/wall\/([^/]+)$/.exec(path);
    if (wall?.[1]) {
      const tokens = decodeURIComponent(wall[1]).split(',').filter(Boolean);
      if (tokens.length > 0) return { page: 'wall', tokens };
    }
  } catch {
    return { page: 'not-found' };
  }
  const history = /^\/stores\/([^/]+)\/([^/]+)\/(history|import|channels|quarantine|recommendations|customers)$/.exec(path);
  if (history?.[1] && history[2]) {
    try {
      const store = { tenantId: decodeURIComponent(history[1]), storeId: decodeURIComponent(history[2]) };
      if (history[3] === 'channels') return { page: 'channels', store };
      if (history[3] === 'quarantine') return { page: 'quarantine', store };
      if (history[3] === 'recommendations') return { page: 'recommendations', store };
      if (history[3] === 'customers') return { page: 'customers', store };
      return history[3] === 'import' ? { page: 'import', store } : { page: 'history', store };
    } catch {
      return { page: 'not-found' };
    }
  }
  const match = /^\/dashboards\/([^/]+)\/([^/]+)$/.exec(path);
  if (match?.[1] && match[2]) {
    try {
      return { page: 'dashboard', store: { tenantId: decodeURIComponent(match[1]), storeId: decodeURIComponent(match[2]) } };
    } catch {
      return { page: 'not-found' };
    }
  }
  return { page: 'not-found' };
}

export function dashboardPath(store: StoreKey): string {
  return `/dashboards/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}`;
}

/** A store's history: periods, comparisons and drill-downs. */
export function historyPath(store: StoreKey): string {
  return `/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/history`;
}

/** Where a store's order history is imported from a CSV export. */
export function importPath(store: StoreKey): string {
  return `/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/import`;
}

/** Where a store's channels are connected, tested and synced. */
export function channelsPath(store: StoreKey): string {
  return `/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/channels`;
}

/** Events the store could not count, for Admins to retry or discard. */
export function quarantinePath(store: StoreKey): string {
  return `/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/quarantine`;
}

/** The person's own settings: push notifications on this device. */
export const NOTIFICATIONS_PATH = '/settings/notifications';

/** The organisation's settings: stores, members, invitations and API keys. */
export function organisationPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/settings`;
}

/** The organisation's alerts: firing, acknowledged, resolved, and pauses. */
export function alertsPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/alerts`;
}

/** The onboarding checklist of an organisation. */
export function onboardingPath(tenantId: string): string {
  return `/onboarding/${encodeURIComponent(tenantId)}`;
}

/** The organisation's own dashboards. */
export function boardsPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/dashboards`;
}

/** The organisation's goals with pace. */
export function goalsPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/goals`;
}

/** Every store of the organisation today, rolled up in its reporting currency. */
export function overviewPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/overview`;
}

/** The organisation's scheduled reports. */
export function reportsPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/reports`;
}

/** A store's recommendations, ranked by revenue at stake. */
/** A store's customers: new vs returning, repeat rate, LTV and retention cohorts. */
export function customersPath(store: StoreKey): string {
  return `/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/customers`;
}

export function recommendationsPath(store: StoreKey): string {
  return `/stores/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}/recommendations`;
}

/** The organisation's figures against its peers' quartiles. */
export function benchmarksPath(tenantId: string): string {
  return `/t/${encodeURIComponent(tenantId)}/benchmarks`;
}

export function boardPath(tenantId: string, boardId: string): string {
  return `${boardsPath(tenantId)}/${encodeURIComponent(boardId)}`;
}

/** One of the organisation's settings pages. */
export function orgPath(tenantId: string, section: OrgSection): string {
  return `/t/${encodeURIComponent(tenantId)}/${section}`;
}

/** A wallboard rotating through the dashboards of these share tokens, `seconds` each. */
export function wallPath(tokens: readonly string[], seconds?: number): string {
  return `/wall/${tokens.join(',')}${seconds ? `?rotate=${seconds}` : ''}`;
}

const navigationEvent = 'salesdash:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(navigationEvent, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(navigationEvent, onChange);
  };
}

/** The current path and a navigate function that pushes history without a reload. */
export function useLocationPath(): [string, (path: string) => void] {
  const path = useSyncExternalStore(subscribe, () => window.location.pathname, () => '/');
  const navigate = useCallback((to: string) => {
    if (to === window.location.pathname + window.location.search) return;
    window.history.pushState(null, '', to);
    window.dispatchEvent(new Event(navigationEvent));
  }, []);
  return [path, navigate];
}
