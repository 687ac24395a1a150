// Plain history-API routing: two pages do not need a router library. The server falls back to index.html.
import { useCallback, useSyncExternalStore } from 'react';
import type { StoreKey } from '../lib/types';

export type Route = { page: 'home' } | { page: 'dashboard'; store: StoreKey } | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { page: 'home' };
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
    if (to === window.location.pathname) return;
    window.history.pushState(null, '', to);
    window.dispatchEvent(new Event(navigationEvent));
  }, []);
  return [path, navigate];
}
