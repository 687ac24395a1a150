import { lazy, Suspense, useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import { BoardEditorPage } from '../features/boards/BoardEditorPage';
import { BoardsPage } from '../features/boards/BoardsPage';
import { WallboardPage } from '../features/boards/WallboardPage';
import { AcceptInvitationPage, SignInPage, SignUpPage } from '../features/auth/AuthPages';
import { authApi, type Me } from '../features/auth/session';
import { Dashboard } from '../features/dashboard/Dashboard';
import { fetchStores } from '../lib/api';
import { sameStore, type StoreSummary } from '../lib/types';
import { boardsPath, channelsPath, dashboardPath, historyPath, parseRoute, useLocationPath } from './routing';
import { ThemeSwitch } from './ThemeSwitch';
import { useStores, type StoresState } from './useStores';

// History and imports pull in ECharts and their own styles; load them only when opened.
const HistoryPage = lazy(() => import('../features/history/HistoryPage').then((m) => ({ default: m.HistoryPage })));
const ImportPage = lazy(() => import('../features/imports/ImportPage').then((m) => ({ default: m.ImportPage })));
const ChannelsPage = lazy(() => import('../features/channels/ChannelsPage').then((m) => ({ default: m.ChannelsPage })));

export interface AppProps {
  loadStores?: typeof fetchStores;
}

/**
 * Routes: "/" shows the first store, "/dashboards/:tenantId/:storeId" a given one, "/t/:tenantId/dashboards" the
 * organisation's own dashboards (and "/…/:id" one of them), "/wall/:tokens" a wallboard without any chrome.
 */
export function App({ loadStores = fetchStores }: AppProps) {
  const [path, navigate] = useLocationPath();
  const route = parseRoute(path);
  // A wallboard needs no store list and shows no chrome.
  if (route.page === 'wall') return <WallboardPage tokens={route.tokens} search={window.location.search} />;
  if (route.page === 'sign-in') return <SignInPage navigate={navigate} />;
  if (route.page === 'sign-up') return <SignUpPage navigate={navigate} />;
  if (route.page === 'invitation') return <AcceptInvitationPage token={route.token} navigate={navigate} />;
  return <Shell route={route} loadStores={loadStores} navigate={navigate} />;
}

interface ShellProps {
  route: ReturnType<typeof parseRoute>;
  loadStores: typeof fetchStores;
  navigate: (path: string) => void;
}

function Shell({ route, loadStores, navigate }: ShellProps) {
  const [stores, reloadStores] = useStores(loadStores);
  return (
    <>
      <AppNav route={route} stores={stores} navigate={navigate} />
      <Pages route={route} stores={stores} reloadStores={reloadStores} navigate={navigate} />
    </>
  );
}

interface PagesProps {
  route: ReturnType<typeof parseRoute>;
  stores: StoresState;
  navigate: (path: string) => void;
}

/** The top bar: the live store view, the organisation's dashboards and the theme. */
function AppNav({ route, stores, navigate }: PagesProps) {
  const first = stores.status === 'ready' ? stores.stores[0] : undefined;
  const tenantId =
    route.page === 'dashboard' || route.page === 'history' || route.page === 'import' || route.page === 'channels'
      ? route.store.tenantId
      : route.page === 'boards' || route.page === 'board'
        ? route.tenantId
        : first?.tenantId;
  const historyStore =
    route.page === 'dashboard' || route.page === 'history' || route.page === 'import' || route.page === 'channels' ? route.store : first;
  const go = (to: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    navigate(to);
  };
  return (
    <nav className="app-nav" aria-label="Main">
      <a href="/" className="app-nav__brand" onClick={go('/')}>
        SalesDash
      </a>
      <a href="/" onClick={go('/')} aria-current={route.page === 'home' || route.page === 'dashboard' ? 'page' : undefined}>
        Live
      </a>
      {tenantId ? (
        <a
          href={boardsPath(tenantId)}
          onClick={go(boardsPath(tenantId))}
          aria-current={route.page === 'boards' || route.page === 'board' ? 'page' : undefined}
        >
          Dashboards
        </a>
      ) : null}
      {historyStore ? (
        <a
          href={historyPath(historyStore)}
          onClick={go(historyPath(historyStore))}
          aria-current={route.page === 'history' || route.page === 'import' ? 'page' : undefined}
        >
          History
        </a>
      ) : null}
      {historyStore ? (
        <a
          href={channelsPath(historyStore)}
          onClick={go(channelsPath(historyStore))}
          aria-current={route.page === 'channels' ? 'page' : undefined}
        >
          Channels
        </a>
      ) : null}
      <ThemeSwitch />
      <UserMenu navigate={navigate} />
    </nav>
  );
}

/** Who is signed in, and signing out. */
function UserMenu({ navigate }: { navigate: (path: string) => void }) {
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    let live = true;
    authApi.me().then(
      (m) => live && setMe(m),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  if (!me) return null;
  const signOut = async () => {
    await authApi.signOut();
    navigate('/sign-in');
  };
  return (
    <span className="app-nav__user">
      <span title={me.user.email}>{me.user.displayName}</span>{' '}
      <button type="button" onClick={signOut}>
        Sign out
      </button>
    </span>
  );
}

function Pages({ route, stores, reloadStores, navigate }: PagesProps & { reloadStores: () => void }) {
  const list = stores.status === 'ready' ? stores.stores : [];
  const select = (store: StoreSummary) => navigate(dashboardPath(store));

  if (route.page === 'boards') return <BoardsPage tenantId={route.tenantId} navigate={navigate} />;
  if (route.page === 'board') {
    return (
      <BoardEditorPage
        tenantId={route.tenantId}
        boardId={route.boardId}
        boardsHref={boardsPath(route.tenantId)}
        stores={stores.status === 'ready' ? stores.stores : null}
      />
    );
  }

  if (route.page === 'channels') {
    const known = list.find((s) => sameStore(s, route.store));
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <ChannelsPage key={`${route.store.tenantId}/${route.store.storeId}`} store={route.store} {...(known ? { storeName: known.name } : {})} />
      </Suspense>
    );
  }

  if (route.page === 'history' || route.page === 'import') {
    const known = list.find((s) => sameStore(s, route.store));
    const Page = route.page === 'history' ? HistoryPage : ImportPage;
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <Page
          key={`${route.store.tenantId}/${route.store.storeId}`}
          store={route.store}
          navigate={navigate}
          {...(known ? { storeName: known.name, timeZone: known.timeZone } : {})}
        />
      </Suspense>
    );
  }

  if (route.page === 'not-found' || route.page === 'wall') {
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
