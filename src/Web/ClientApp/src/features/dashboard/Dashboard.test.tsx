// @vitest-environment jsdom
import { act, render, screen, waitFor, within } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import { demoShop, makeTiles, usShop } from '../../test/fixtures';
import { FakeHubConnection, settle } from '../../test/fakeHub';
import type { DashboardTiles, StoreSummary } from '../../lib/types';
import { DashboardServicesContext, type DashboardServices } from './useDashboardHub';

// jsdom has no canvas; the chart's option is covered by revenueChartOption.test.ts.
vi.mock('./RevenueChart', () => ({
  RevenueChart: ({ points }: { points: readonly unknown[] }) => <div data-testid="revenue-chart" data-points={points.length} />,
}));

const tileIds = ['gross-revenue', 'net-revenue', 'orders', 'aov', 'units', 'new-customers', 'returning-customers', 'refunds'];

function renderApp(path: string, stores: StoreSummary[], tilesFor: (storeId: string) => DashboardTiles) {
  window.history.replaceState(null, '', path);
  const connection = new FakeHubConnection();
  connection.subscribeAnswer = (_, storeId) => Promise.resolve(tilesFor(storeId));
  const services: DashboardServices = {
    createConnection: () => connection,
    // The REST answer never arrives in these tests unless they say so: the hub must carry the page.
    fetchTiles: () => new Promise(() => {}),
  };
  render(
    <DashboardServicesContext.Provider value={services}>
      <App loadStores={() => Promise.resolve(stores)} />
    </DashboardServicesContext.Provider>,
  );
  return connection;
}

function reduceMotion() {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: query.includes('reduce'),
    media: query,
    addEventListener: () => {},
    removeEventListener: () => {},
  }));
}

beforeEach(reduceMotion);
afterEach(() => vi.unstubAllGlobals());

describe('Dashboard page', () => {
  it('opens the first store at / with every tile, the date and a Live badge', async () => {
    renderApp('/', [demoShop, usShop], () => makeTiles());

    expect(await screen.findByRole('heading', { level: 1, name: 'Demo Outfitters' })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('connection-status').textContent).toBe('Live'));
    for (const id of tileIds) expect(screen.getByTestId(`tile-${id}`)).toBeTruthy();
    expect(screen.getByTestId('tile-gross-revenue-value').textContent).toBe('£12,345.67');
    expect(screen.getByTestId('tile-aov-value').getAttribute('data-value')).toBe('38.46');
    expect(screen.getByTestId('tile-orders-delta').textContent).toBe('▼ 8.3% vs last week');
    expect(screen.getByTestId('tile-net-revenue-delta').textContent).toBe('— 0.0% vs last week');
    expect(screen.getByTestId('local-date').textContent).toContain('Wednesday 25 November 2026');
    expect(screen.getByTestId('last-updated').textContent).toBe('Updated 14:59:30');
    expect((await screen.findByTestId('revenue-chart')).getAttribute('data-points')).toBe('60');
    expect(screen.getByTestId('tiles').getAttribute('aria-live')).toBe('polite');
  });

  it('counts customers, not orders, and shows guest orders apart on the customer tile', async () => {
    const connection = renderApp('/dashboards/demo/demo-shop', [demoShop], () => makeTiles({ guestOrders: { value: 12, lastWeek: 9, changeRatio: 0.3333 } }));
    await waitFor(() => expect(screen.getByTestId('tile-new-customers-note').textContent).toBe('+ 12 guest orders (no customer id or e-mail)'));
    expect(screen.getByTestId('tile-new-customers-value').getAttribute('data-value')).toBe('87');
    expect(screen.queryByTestId('tile-returning-customers-note')).toBeNull();

    // A store recovered from a snapshot older than customer counting says from when its customers are counted.
    act(() =>
      connection.push(makeTiles({ guestOrders: { value: 1, lastWeek: 0, changeRatio: null }, customersCountedFrom: '2026-11-25T10:31:00Z', asOf: '2026-11-25T15:00:01Z' })),
    );
    expect(screen.getByTestId('tile-new-customers-note').textContent).toBe('+ 1 guest order (no customer id or e-mail) · counted since 10:31');
    expect(screen.getByTestId('tile-returning-customers-note').textContent).toBe('counted since 10:31');
  });

  it('shows pushed figures as they arrive', async () => {
    const connection = renderApp('/dashboards/demo/demo-shop', [demoShop], () => makeTiles());
    await waitFor(() => expect(screen.getByTestId('tile-orders-value').getAttribute('data-value')).toBe('321'));

    act(() => connection.push(makeTiles({ orders: { value: 322, lastWeek: 350, changeRatio: -0.08 }, asOf: '2026-11-25T15:00:01Z' })));

    expect(screen.getByTestId('tile-orders-value').getAttribute('data-value')).toBe('322');
    expect(screen.getByTestId('tile-orders-value').textContent).toBe('322');
    expect(screen.getByTestId('tile-orders-delta').textContent).toBe('▼ 8.0% vs last week');
    expect(screen.getByTestId('last-updated').textContent).toBe('Updated 15:00:01');
  });

  it('says Reconnecting… while the link is down and shows fresh figures once back', async () => {
    let orders = 321;
    const connection = renderApp('/', [demoShop], () => makeTiles({ orders: { value: orders, lastWeek: 350, changeRatio: null } }));
    await waitFor(() => expect(screen.getByTestId('connection-status').textContent).toBe('Live'));

    act(() => connection.dropAndRetry());
    expect(screen.getByTestId('connection-status').textContent).toBe('Reconnecting…');

    orders = 330;
    await act(async () => {
      connection.reconnect();
      await settle();
    });
    expect(screen.getByTestId('connection-status').textContent).toBe('Live');
    expect(screen.getByTestId('tile-orders-value').getAttribute('data-value')).toBe('330');
  });

  it('switches store from the picker, following the URL', async () => {
    const connection = renderApp('/', [demoShop, usShop], (storeId) =>
      storeId === 'us-shop'
        ? makeTiles({ storeId, currency: 'USD', timeZone: 'America/New_York', localDate: '2026-11-25' })
        : makeTiles(),
    );
    await waitFor(() => expect(screen.getByTestId('connection-status').textContent).toBe('Live'));

    await act(async () => {
      fireEvent.change(screen.getByTestId('store-switcher'), { target: { value: 'demo/us-shop' } });
      await settle();
    });

    expect(window.location.pathname).toBe('/dashboards/demo/us-shop');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Demo US');
    await waitFor(() => expect(screen.getByTestId('tile-gross-revenue-value').textContent).toBe('US$12,345.67'));
    expect(screen.getByTestId('last-updated').textContent).toBe('Updated 09:59:30');
    expect(connection.invocations.map((i) => `${i.method} ${String(i.args[1])}`)).toEqual([
      'subscribe demo-shop',
      'unsubscribe demo-shop',
      'subscribe us-shop',
    ]);
  });

  it('says so when there are no stores yet', async () => {
    renderApp('/', [], () => makeTiles());
    expect(await screen.findByRole('heading', { name: 'No stores connected yet' })).toBeTruthy();
  });

  it('shows the REST figures and an Offline badge when the hub cannot connect', async () => {
    window.history.replaceState(null, '', '/dashboards/demo/demo-shop');
    const connection = new FakeHubConnection();
    connection.startBehaviour = () => Promise.reject(new Error('blocked'));
    render(
      <DashboardServicesContext.Provider
        value={{ createConnection: () => connection, fetchTiles: () => Promise.resolve(makeTiles()) }}
      >
        <App loadStores={() => Promise.resolve([demoShop])} />
      </DashboardServicesContext.Provider>,
    );

    await waitFor(() => expect(screen.getByTestId('connection-status').textContent).toBe('Offline'));
    const tiles = screen.getByTestId('tiles');
    expect(within(tiles).getByTestId('tile-refunds-value').textContent).toBe('£545.42');
  });
});
