// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../lib/api';
import { kpi, makeTiles } from '../../test/fixtures';
import { FakeHubConnection, settle } from '../../test/fakeHub';
import type { StoreSummary } from '../../lib/types';
import type { BoardsApi } from './api';
import { BoardsServicesContext, defaultBoardsServices } from './services';
import type { WallView } from './types';
import { WallboardPage } from './WallboardPage';

const shop: StoreSummary = { tenantId: 'acme', storeId: 'uk', name: 'UK', channel: 'Shopify', currency: 'GBP', timeZone: 'Europe/London' };
const view: WallView = {
  tenantId: 'acme',
  stores: [shop],
  dashboard: {
    id: 'b1',
    tenantId: 'acme',
    name: 'Shop floor',
    layout: [{ i: 'sales', x: 0, y: 0, w: 4, h: 3 }],
    widgets: [
      {
        id: 'sales',
        kind: 'kpi',
        title: 'Revenue',
        settings: { metric: 'gross-revenue', period: 'today', comparison: 'none', channel: null, chartType: null, target: null, targetLabel: null },
      },
    ],
    createdAt: '2026-11-25T10:00:00Z',
    updatedAt: '2026-11-25T10:00:00Z',
  },
};

const revenue = (value: number) => makeTiles({ tenantId: 'acme', storeId: 'uk', grossRevenue: kpi(value, 0) });

function renderWall(wall: BoardsApi['wall'], answer: () => Promise<ReturnType<typeof makeTiles>>) {
  const connection = new FakeHubConnection();
  connection.subscribeSharedAnswer = () => answer();
  const api = { ...defaultBoardsServices.api, wall } as BoardsApi;
  render(
    <BoardsServicesContext.Provider value={{ ...defaultBoardsServices, api, createConnection: () => connection }}>
      <WallboardPage tokens={['tok']} search="" />
    </BoardsServicesContext.Provider>,
  );
  return connection;
}

beforeEach(() => {
  // jsdom measures nothing: the board renders stacked, and reduced motion shows figures without a count-up.
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
  vi.stubGlobal('matchMedia', (query: string) => ({ matches: query.includes('reduce'), media: query, addEventListener: () => {}, removeEventListener: () => {} }));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('Wallboard', () => {
  it('shows live figures, then greys them out as not live while reconnecting, and fresh ones once back', async () => {
    let value = 100;
    const connection = renderWall(() => Promise.resolve(view), () => Promise.resolve(revenue(value)));
    await act(settle);
    await act(settle);

    expect(screen.getByTestId('wall-status').textContent).toBe('Live');
    expect(screen.getByTestId('widget-sales-value-GBP').getAttribute('data-value')).toBe('100');
    expect(screen.queryByTestId('wall-banner')).toBeNull();

    act(() => connection.dropAndRetry());
    expect(screen.getByTestId('wall-status').textContent).toBe('Reconnecting…');
    expect(screen.getByTestId('wallboard').className).toContain('wall--paused');
    expect(screen.getByTestId('wall-banner').textContent).toBe('Connection lost — reconnecting. Figures from 14:59:30 are not live.');

    value = 250;
    await act(async () => {
      connection.reconnect();
      await settle();
    });
    expect(screen.getByTestId('wall-status').textContent).toBe('Live');
    expect(screen.getByTestId('widget-sales-value-GBP').getAttribute('data-value')).toBe('250');
    expect(screen.getByTestId('wallboard').className).not.toContain('wall--paused');
  });

  it('shows a customer widget’s customers with the guest orders they leave out', async () => {
    const customers: WallView = {
      ...view,
      dashboard: {
        ...view.dashboard,
        widgets: [{ ...view.dashboard.widgets[0]!, settings: { ...view.dashboard.widgets[0]!.settings, metric: 'new-customers' } }],
      },
    };
    renderWall(
      () => Promise.resolve(customers),
      () => Promise.resolve(makeTiles({ tenantId: 'acme', storeId: 'uk', newCustomers: kpi(5, 0), guestOrders: kpi(3, 0) })),
    );
    await act(settle);
    await act(settle);

    expect(screen.getByTestId('widget-sales-value').getAttribute('data-value')).toBe('5');
    expect(screen.getByTestId('widget-sales-guests').textContent).toBe('+ 3 guest orders (no customer id or e-mail)');
  });

  it('says "Not updating" when nothing has arrived for 45 seconds, even with the socket open', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    const connection = renderWall(() => Promise.resolve(view), () => Promise.resolve(revenue(100)));
    await act(settle);
    await act(settle);
    expect(screen.getByTestId('wall-status').textContent).toBe('Live');

    await act(() => vi.advanceTimersByTimeAsync(40_000));
    expect(screen.getByTestId('wall-status').textContent).toBe('Live');
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(screen.getByTestId('wall-status').textContent).toBe('Not updating');
    expect(screen.getByTestId('wallboard').className).toContain('wall--paused');

    act(() => connection.push(revenue(120)));
    expect(screen.getByTestId('wall-status').textContent).toBe('Live');
  });

  it('says the link no longer works once it is revoked', async () => {
    renderWall(() => Promise.reject(new ApiError(410, 'revoked')), () => Promise.resolve(revenue(1)));
    await act(settle);
    expect(screen.getByRole('heading', { name: 'This wallboard link no longer works' })).toBeTruthy();
    expect(screen.queryByTestId('widget-sales')).toBeNull();
  });
});
