import type { ReactNode } from 'react';
import { Dashboard } from '../features/dashboard/Dashboard';
import { fetchStores } from '../lib/api';
import { sameStore, type StoreSummary } from '../lib/types';
import { dashboardPath, parseRoute, useLocationPath } from './routing';
import { useStores } from './useStores';

export interface AppProps {
  loadStores?: typeof fetchStores;
}

/** Routes: "/" shows the first store, "/dashboards/:tenantId/:storeId" a given one. */
export function App({ loadStores = fetchStores }: AppProps) {
  const [path, navigate] = useLocationPath();
  const [stores, reloadStores] = useStores(loadStores);
  const route = parseRoute(path);
  const list = stores.status === 'ready' ? stores.stores : [];
  const select = (store: StoreSummary) => navigate(dashboardPath(store));

  if (route.page === 'not-found') {
    return (
      <Message title="Page not found">
        <a href="/">Go to the dashboard</a>
      </Message>
    );
  }

  if (route.page === 'dashboard') {
    // A linked dashboard opens at once; the store list only adds its name and switcher when it arrives.
    const known = list.find((s) => sameStore(s, route.store));
    const store: StoreSummary = known ?? {
      ...route.store,
      name: route.store.storeId,
      channel: '',
      // Placeholders until the store list or the first figures (which carry both) arrive.
      currency: 'GBP',
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
    return <Dashboard store={store} stores={list} onSelectStore={select} />;
  }

  if (stores.status === 'loading') return <Message title="Loading stores…" />;
  if (stores.status === 'error') {
    return (
      <Message title="Could not load your stores">
        <p role="alert">{stores.message}</p>
        <button type="button" onClick={reloadStores}>
          Try again
        </button>
      </Message>
    );
  }
  const first = stores.stores[0];
  if (!first) {
    return (
      <Message title="No stores connected yet">
        <p>Connect a Shopify, WooCommerce or Stripe store and its figures appear here.</p>
      </Message>
    );
  }
  return <Dashboard store={first} stores={stores.stores} onSelectStore={select} />;
}

function Message({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <main className="message">
      <h1>{title}</h1>
      {children}
    </main>
  );
}
