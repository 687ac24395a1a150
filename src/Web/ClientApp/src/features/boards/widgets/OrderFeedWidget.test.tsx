// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreKey, StoreSummary } from '../../../lib/types';
import { makeTiles } from '../../../test/fixtures';
import { settle } from '../../../test/fakeHub';
import { newWidget } from '../catalogue';
import type { StoreFigures } from '../figures';
import { WidgetBody } from '../Widgets';
import { SETTLE_DELAYS_MS } from './useStoreAnswers';
import { WidgetDataContext, type RecentOrderBody, type WidgetDataSource } from './widgetData';

const shop: StoreSummary = { tenantId: 'acme', storeId: 'uk', name: 'UK shop', channel: 'Shopify', currency: 'GBP', timeZone: 'Europe/London' };

function fakeSource(orders: RecentOrderBody[]) {
  const calls: StoreKey[] = [];
  const source: WidgetDataSource = {
    topProducts: () => Promise.reject(new Error('not used')),
    forecast: () => Promise.reject(new Error('not used')),
    insights: () => Promise.reject(new Error('not used')),
    countries: () => Promise.reject(new Error('not used')),
    alerts: () => Promise.reject(new Error('not used')),
    recentOrders: async (store) => {
      calls.push(store);
      return { tenantId: 'acme', storeId: 'uk', currency: 'GBP', timeZone: 'Europe/London', orders: [...orders] };
    },
  };
  return { source, calls };
}

const order = (orderId: string, placedAt: string, total: number, country: string): RecentOrderBody => ({
  storeId: 'uk',
  orderId,
  placedAt,
  total,
  currency: 'GBP',
  channel: 'Shopify',
  country,
  units: 1,
  cancelled: false,
});

beforeEach(() => {
  // Only timers are faked: promises still settle, so the widget's reads resolve under act(settle).
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('live order feed', () => {
  it('lists the latest orders and reads again only when the live tiles say something happened', async () => {
    const orders = [order('#1002', '2026-11-25T15:20:05Z', 42.5, 'FR'), order('#1001', '2026-11-25T15:01:00Z', 10, 'unknown')];
    const { source, calls } = fakeSource(orders);
    const widget = newWidget('order-feed', 'feed');
    const entries = (eventsApplied: number): StoreFigures[] => [
      { store: shop, tiles: makeTiles({ tenantId: 'acme', storeId: 'uk', eventsApplied, asOf: `2026-11-25T15:2${eventsApplied}:00Z` }) },
    ];
    const ui = (n: number) => (
      <WidgetDataContext.Provider value={source}>
        <WidgetBody widget={widget} entries={entries(n)} onDrill={() => {}} />
      </WidgetDataContext.Provider>
    );

    const { rerender } = render(ui(1));
    await act(settle);
    const table = screen.getByTestId('widget-feed-feed');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell').map((c) => c.textContent))).toEqual([
      ['15:20:05', '#1002', '£42.50', 'Shopify', 'France'],
      ['15:01:00', '#1001', '£10.00', 'Shopify', 'Unknown country'],
    ]);
    expect(calls).toHaveLength(1);

    // The relay re-sends unchanged tiles every 15 s: no new read.
    rerender(ui(1));
    await act(settle);
    expect(calls).toHaveLength(1);

    orders.unshift(order('#1003', '2026-11-25T15:25:00Z', 99, 'DE'));
    rerender(ui(2));
    await act(settle);
    expect(calls).toHaveLength(2);
    expect(within(screen.getByTestId('widget-feed-feed')).getAllByRole('row')[1]!.getAttribute('data-order')).toBe('#1003');

    // A few more reads while history takes the batch in, then quiet again.
    await act(async () => {
      vi.advanceTimersByTime(SETTLE_DELAYS_MS[0]);
      await settle();
    });
    expect(calls).toHaveLength(3);
    await act(async () => {
      vi.advanceTimersByTime(60_000);
      await settle();
    });
    expect(calls).toHaveLength(2 + SETTLE_DELAYS_MS.length);
  }, 30_000);
});
