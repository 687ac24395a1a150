import { lazy, Suspense, useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { BoardEditorPage } from '../features/boards/BoardEditorPage';
import { BoardsPage } from '../features/boards/BoardsPage';
import { WallboardPage } from '../features/boards/WallboardPage';
import { AcceptInvitationPage, SignInPage, SignUpPage } from '../features/auth/AuthPages';
import { authApi, hasRole, type Me } from '../features/auth/session';
import { Dashboard } from '../features/dashboard/Dashboard';
import { PlanBanner } from '../features/plan/PlanBanner';
import { fetchStores } from '../lib/api';
import { sameStore, type StoreSummary } from '../lib/types';
import { useBranding, type Branding } from '../features/branding/branding';
import { NOTIFICATIONS_PATH, alertsPath, benchmarksPath, overviewPath, boardsPath, channelsPath, customersPath, dashboardPath, goalsPath, historyPath, onboardingPath, organisationPath, orgPath, parseRoute, quarantinePath, recommendationsPath, reportsPath, useLocationPath, type OrgSection } from './routing';
import { OnboardingBanner } from '../features/onboarding/OnboardingBanner';
import { ruleDraftFrom } from '../lib/alertLinks';
import { AlertToasts } from '../features/alerts/AlertToasts';
import { ThemeSwitch } from './ThemeSwitch';
import { useStores, type StoresState } from './useStores';
import './nav.css';

// History and imports pull in ECharts and their own styles; load them only when opened.
const HistoryPage = lazy(() => import('../features/history/HistoryPage').then((m) => ({ default: m.HistoryPage })));
const ImportPage = lazy(() => import('../features/imports/ImportPage').then((m) => ({ default: m.ImportPage })));
const ReportsPage = lazy(() => import('../features/reports/ReportsPage').then((m) => ({ default: m.ReportsPage })));
const GoalsPage = lazy(() => import('../features/goals/GoalsPage').then((m) => ({ default: m.GoalsPage })));
const OverviewPage = lazy(() => import('../features/organisation/OverviewPage').then((m) => ({ default: m.OverviewPage })));
const OrganisationPage = lazy(() => import('../features/organisation/OrganisationPage').then((m) => ({ default: m.OrganisationPage })));
const ChannelsPage = lazy(() => import('../features/channels/ChannelsPage').then((m) => ({ default: m.ChannelsPage })));
const QuarantinePage = lazy(() => import('../features/quarantine/QuarantinePage').then((m) => ({ default: m.QuarantinePage })));
const PlanPage = lazy(() => import('../features/plan/PlanPage').then((m) => ({ default: m.PlanPage })));
const BrandingPage = lazy(() => import('../features/branding/BrandingPage').then((m) => ({ default: m.BrandingPage })));
const MetricsPage = lazy(() => import('../features/metrics/MetricsPage').then((m) => ({ default: m.MetricsPage })));
const AuditPage = lazy(() => import('../features/audit/AuditPage').then((m) => ({ default: m.AuditPage })));
const AlertsPage = lazy(() => import('../features/alerts/AlertsPage').then((m) => ({ default: m.AlertsPage })));
const OnboardingPage = lazy(() => import('../features/onboarding/OnboardingPage').then((m) => ({ default: m.OnboardingPage })));
const CustomersPage = lazy(() => import('../features/customers/CustomersPage').then((m) => ({ default: m.CustomersPage })));
const RecommendationsPage = lazy(() => import('../features/recommendations/RecommendationsPage').then((m) => ({ default: m.RecommendationsPage })));
const BenchmarksPage = lazy(() => import('../features/benchmarks/BenchmarksPage').then((m) => ({ default: m.BenchmarksPage })));
const NotificationsPage = lazy(() => import('../features/push/PushSettings').then((m) => ({ default: m.NotificationsPage })));
const BenchmarkReportPage = lazy(() => import('../features/benchmarks/BenchmarkReportPage').then((m) => ({ default: m.BenchmarkReportPage })));
const WarehousePage = lazy(() => import('../features/plan/WarehousePage').then((m) => ({ default: m.WarehousePage })));

const orgSections: { section: OrgSection; label: string }[] = [
  { section: 'metrics', label: 'Metrics' },
  { section: 'audit', label: 'Audit' },
  { section: 'plan', label: 'Plan' },
  { section: 'branding', label: 'Branding' },
  { section: 'warehouse', label: 'Warehouse' },
];

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
  // The free benchmark report is public: no account, no chrome.
  if (route.page === 'benchmark-report') return <Suspense fallback={null}><BenchmarkReportPage /></Suspense>;
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
  const [me, reloadMe] = useMe();
  const branding = useBranding(tenantOf(route, stores, me));
  // One toast host for every page: alerts of each organisation the person belongs to.
  const toasts = <AlertToasts tenantIds={me?.organisations.map((o) => o.id) ?? []} navigate={navigate} />;
  if (route.page === 'organisation') {
    return (
      <>
        {toasts}
        <AppNav route={route} stores={stores} navigate={navigate} me={me} branding={branding} />
        <Banner tenantId={me ? tenantOf(route, stores, me) : undefined} navigate={navigate} />
        <Suspense fallback={<Message title="Loading…" />}>
          <OrganisationPage
            tenantId={route.tenantId}
            onStoreCreated={(store) => {
              reloadStores();
              reloadMe();
              navigate(dashboardPath(store));
            }}
          />
        </Suspense>
      </>
    );
  }
  return (
    <>
      {toasts}
      <AppNav route={route} stores={stores} navigate={navigate} me={me} branding={branding} />
      <Banner tenantId={me ? tenantOf(route, stores, me) : undefined} navigate={navigate} />
      <SetupBanner route={route} tenantId={me ? tenantOf(route, stores, me) : undefined} me={me} navigate={navigate} />
      <Pages route={route} stores={stores} reloadStores={() => { reloadStores(); reloadMe(); }} navigate={navigate} me={me} />
    </>
  );
}

/** The signed-in person and their organisations (with role), for the header and for hiding what a role cannot do. */
function useMe(): [Me | null, () => void] {
  const [me, setMe] = useState<Me | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let live = true;
    authApi.me().then(
      (m) => live && setMe(m),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [version]);
  return [me, () => setVersion((v) => v + 1)];
}

interface PagesProps {
  route: ReturnType<typeof parseRoute>;
  stores: StoresState;
  navigate: (path: string) => void;
}

/** The organisation the page is about: the route's, else the first store's, else the person's first. */
/** The plan banner (trial days left, trial ended, revenue over the allowance) for the organisation in view. */
function Banner({ tenantId, navigate }: { tenantId: string | undefined; navigate: (path: string) => void }) {
  if (!tenantId) return null;
  const href = orgPath(tenantId, 'plan');
  return (
    <PlanBanner
      tenantId={tenantId}
      planHref={href}
      onOpen={(e) => {
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}

/** Until the organisation's onboarding checklist is done, its Admins see the next step on every page. */
function SetupBanner({ route, tenantId, me, navigate }: { route: ReturnType<typeof parseRoute>; tenantId: string | undefined; me: Me | null; navigate: (path: string) => void }) {
  if (!tenantId || route.page === 'onboarding' || !hasRole(me?.organisations.find((o) => o.id === tenantId)?.role, 'Admin')) return null;
  const href = onboardingPath(tenantId);
  return (
    <OnboardingBanner
      tenantId={tenantId}
      href={href}
      onOpen={(e) => {
        e.preventDefault();
        navigate(href);
      }}
    />
  );
}

function tenantOf(route: ReturnType<typeof parseRoute>, stores: StoresState, me: Me | null): string | undefined {
  const first = stores.status === 'ready' ? stores.stores[0] : undefined;
  return route.page === 'dashboard' || route.page === 'history' || route.page === 'import' || route.page === 'channels' || route.page === 'quarantine' || route.page === 'recommendations' || route.page === 'customers'
    ? route.store.tenantId
    : route.page === 'boards' || route.page === 'board' || route.page === 'org' || route.page === 'reports' || route.page === 'goals' || route.page === 'benchmarks' || route.page === 'organisation' || route.page === 'alerts' || route.page === 'overview'
      ? route.tenantId
      : route.page === 'onboarding' && route.tenantId
        ? route.tenantId
        : (first?.tenantId ?? me?.organisations[0]?.id);
}

/**
 * The top bar in one row from 1280 px: the brand, the everyday pages (Live · Dashboards · History · Channels ·
 * Reports), then a Settings menu for the organisation's pages, the store switcher, the theme and the user.
 */
function AppNav({ route, stores, navigate, me, branding }: PagesProps & { me: Me | null; branding: Branding }) {
  const first = stores.status === 'ready' ? stores.stores[0] : undefined;
  const tenantId = tenantOf(route, stores, me);
  const historyStore =
    route.page === 'dashboard' || route.page === 'history' || route.page === 'import' || route.page === 'channels' || route.page === 'quarantine' || route.page === 'recommendations' || route.page === 'customers'
      ? route.store
      : first;
  const settingsRef = useRef<HTMLDetailsElement>(null);
  const insightsRef = useRef<HTMLDetailsElement>(null);
  const go = (to: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    // A chosen page closes the open menu, as a menu would.
    if (settingsRef.current) settingsRef.current.open = false;
    if (insightsRef.current) insightsRef.current.open = false;
    navigate(to);
  };
  const link = (to: string, label: string, current: boolean) => (
    <a key={label} href={to} onClick={go(to)} aria-current={current ? 'page' : undefined}>
      {label}
    </a>
  );
  const isAdmin = (orgId: string | undefined) => hasRole(me?.organisations.find((o) => o.id === orgId)?.role, 'Admin');
  const settings = [
    ...(tenantId ? orgSections.map(({ section, label }) => link(orgPath(tenantId, section), label, route.page === 'org' && route.section === section)) : []),
    ...(tenantId && isAdmin(tenantId) ? [link(organisationPath(tenantId), 'Organisation', route.page === 'organisation')] : []),
    ...(historyStore && isAdmin(historyStore.tenantId) ? [link(quarantinePath(historyStore), 'Quarantine', route.page === 'quarantine')] : []),
    ...(me ? [link(NOTIFICATIONS_PATH, 'Notifications', route.page === 'notifications')] : []),
  ];
  const insights = [
    ...(tenantId ? [link(overviewPath(tenantId), 'Overview', route.page === 'overview')] : []),
    ...(tenantId ? [link(goalsPath(tenantId), 'Goals', route.page === 'goals')] : []),
    ...(tenantId ? [link(benchmarksPath(tenantId), 'Benchmarks', route.page === 'benchmarks')] : []),
    ...(historyStore ? [link(recommendationsPath(historyStore), 'Advice', route.page === 'recommendations')] : []),
    ...(historyStore ? [link(customersPath(historyStore), 'Customers', route.page === 'customers')] : []),
  ];
  const inInsights = route.page === 'overview' || route.page === 'goals' || route.page === 'benchmarks' || route.page === 'recommendations' || route.page === 'customers';
  const inSettings = route.page === 'org' || route.page === 'organisation' || route.page === 'quarantine' || route.page === 'notifications';
  return (
    <nav className="app-nav" aria-label="Main" data-testid="app-nav">
      <a href="/" className="app-nav__brand" onClick={go('/')} data-testid="app-brand">
        {branding.logoDataUri ? <img className="app-nav__logo" src={branding.logoDataUri} alt="" /> : null}
        {branding.productName}
      </a>
      {link('/', 'Live', route.page === 'home' || route.page === 'dashboard')}
      {tenantId ? link(boardsPath(tenantId), 'Dashboards', route.page === 'boards' || route.page === 'board') : null}
      {historyStore ? link(historyPath(historyStore), 'History', route.page === 'history' || route.page === 'import') : null}
      {historyStore ? link(channelsPath(historyStore), 'Channels', route.page === 'channels') : null}
      {tenantId ? link(reportsPath(tenantId), 'Reports', route.page === 'reports') : null}
      {tenantId ? link(alertsPath(tenantId), 'Alerts', route.page === 'alerts') : null}
      {insights.length > 0 ? (
        // Goals, peers and advice are read less often than the live pages: one menu keeps the bar on one row at 1280 px.
        <details className="app-nav__menu" ref={insightsRef}>
          <summary aria-current={inInsights ? 'page' : undefined}>Insights</summary>
          <div className="app-nav__menu-items">{insights}</div>
        </details>
      ) : null}
      {settings.length > 0 ? (
        <details className="app-nav__menu" ref={settingsRef}>
          <summary aria-current={inSettings ? 'page' : undefined}>Settings</summary>
          <div className="app-nav__menu-items">{settings}</div>
        </details>
      ) : null}
      <StoreSwitcher me={me} current={historyStore} navigate={navigate} />
      <ThemeSwitch />
      <UserMenu me={me} navigate={navigate} />
    </nav>
  );
}

/** Every store of every organisation the person belongs to, grouped by organisation. */
function StoreSwitcher({ me, current, navigate }: { me: Me | null; current: { tenantId: string; storeId: string } | undefined; navigate: (path: string) => void }) {
  if (!me || me.organisations.every((o) => o.stores.length === 0)) return null;
  const value = current ? `${current.tenantId}/${current.storeId}` : '';
  return (
    <select
      className="app-nav__switcher"
      aria-label="Organisation and store"
      value={value}
      onChange={(e) => {
        const [tenantId, storeId] = e.target.value.split('/');
        if (tenantId && storeId) navigate(dashboardPath({ tenantId, storeId }));
      }}
    >
      {value ? null : <option value="">Choose a store</option>}
      {me.organisations.map((o) => (
        <optgroup key={o.id} label={o.name}>
          {o.stores.map((s) => (
            <option key={s.storeId} value={`${s.tenantId}/${s.storeId}`}>
              {s.name}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

/** Who is signed in, and signing out. */
function UserMenu({ me, navigate }: { me: Me | null; navigate: (path: string) => void }) {
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

function Pages({ route, stores, reloadStores, navigate, me }: PagesProps & { reloadStores: () => void; me: Me | null }) {
  const list = stores.status === 'ready' ? stores.stores : [];
  const select = (store: StoreSummary) => navigate(dashboardPath(store));

  if (route.page === 'boards') {
    // Until the person is known nothing editable is offered; Analysts and up then see the editing controls.
    const canEdit = hasRole(me?.organisations.find((o) => o.id === route.tenantId)?.role, 'Analyst');
    return <BoardsPage tenantId={route.tenantId} navigate={navigate} canEdit={canEdit} />;
  }
  if (route.page === 'board') {
    return (
      <BoardEditorPage
        tenantId={route.tenantId}
        boardId={route.boardId}
        boardsHref={boardsPath(route.tenantId)}
        stores={stores.status === 'ready' ? stores.stores : null}
        canEdit={me === null || hasRole(me.organisations.find((o) => o.id === route.tenantId)?.role, 'Analyst')}
      />
    );
  }

  if (route.page === 'org') {
    const Page = { plan: PlanPage, branding: BrandingPage, metrics: MetricsPage, audit: AuditPage, warehouse: WarehousePage }[route.section];
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <Page key={`${route.tenantId}/${route.section}`} tenantId={route.tenantId} />
      </Suspense>
    );
  }

  if (route.page === 'alerts') {
    const role = me?.organisations.find((o) => o.id === route.tenantId)?.role;
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <AlertsPage
          key={route.tenantId}
          tenantId={route.tenantId}
          stores={list.filter((s) => s.tenantId === route.tenantId)}
          canAcknowledge={hasRole(role, 'Analyst')}
          canPause={hasRole(role, 'Admin')}
          canEditRules={hasRole(role, 'Admin')}
          draft={ruleDraftFrom(window.location.search)}
          focused={new URLSearchParams(window.location.search).get('alert')}
        />
      </Suspense>
    );
  }

  if (route.page === 'onboarding') {
    const tenantId = route.tenantId ?? me?.organisations[0]?.id;
    if (!tenantId) return <Message title="Loading…" />;
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <OnboardingPage key={tenantId} tenantId={tenantId} navigate={navigate} onStoreCreated={reloadStores} />
      </Suspense>
    );
  }

  if (route.page === 'customers') {
    const known = list.find((s) => sameStore(s, route.store));
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <CustomersPage key={`${route.store.tenantId}/${route.store.storeId}`} store={route.store} {...(known ? { storeName: known.name } : {})} />
      </Suspense>
    );
  }

  if (route.page === 'recommendations') {
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <RecommendationsPage key={`${route.store.tenantId}/${route.store.storeId}`} store={route.store} />
      </Suspense>
    );
  }

  if (route.page === 'benchmarks') {
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <BenchmarksPage key={route.tenantId} tenantId={route.tenantId} />
      </Suspense>
    );
  }

  if (route.page === 'reports') {
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <ReportsPage tenantId={route.tenantId} stores={stores.status === 'ready' ? stores.stores : null} />
      </Suspense>
    );
  }

  if (route.page === 'overview') {
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <OverviewPage tenantId={route.tenantId} />
      </Suspense>
    );
  }

  if (route.page === 'goals') {
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <GoalsPage tenantId={route.tenantId} stores={stores.status === 'ready' ? stores.stores : null} />
      </Suspense>
    );
  }

  if (route.page === 'quarantine') {
    const known = list.find((s) => sameStore(s, route.store));
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <QuarantinePage key={`${route.store.tenantId}/${route.store.storeId}`} store={route.store} {...(known ? { storeName: known.name } : {})} />
      </Suspense>
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

  if (route.page === 'notifications') {
    return (
      <Suspense fallback={<Message title="Loading…" />}>
        <NotificationsPage />
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
        <a
          href="/onboarding"
          onClick={(e) => {
            e.preventDefault();
            navigate('/onboarding');
          }}
        >
          Set up your first store
        </a>
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
