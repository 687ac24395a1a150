// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeHubConnection } from '../../test/fakeHub';
import { makeTiles } from '../../test/fixtures';
import type { OrganisationOverview, OverviewFigures } from './overviewApi';
import { OverviewPage } from './OverviewPage';

function figures(revenue: number, orders: number, revenueLastWeek: number): OverviewFigures {
  return {
    revenue, orders, averageOrderValue: orders ? Math.round((revenue / orders) * 100) / 100 : null, revenueLastWeek, ordersLastWeek: 1,
    revenueChange: revenueLastWeek ? (revenue - revenueLastWeek) / revenueLastWeek : null,
  };
}

function overview(ukRevenue: number): OrganisationOverview {
  const uk = figures(ukRevenue, 2, 80);
  const de = figures(199.05, 2, 103.34);
  return {
    tenantId: 'acme', reportingCurrency: 'GBP', asOf: '2026-11-25T15:30:00Z',
    stores: [
      { storeId: 'de', name: 'DE shop', currency: 'EUR', localDate: '2026-11-25', disconnected: false, own: figures(233.33, 2, 120), rate: 0.8531, rateLastWeek: 0.8612, converted: de, problem: null },
      { storeId: 'uk', name: 'UK shop', currency: 'GBP', localDate: '2026-11-25', disconnected: false, own: uk, rate: 1, rateLastWeek: 1, converted: uk, problem: null },
    ],
    total: figures(ukRevenue + 199.05, 4, 183.34),
  };
}

describe('OverviewPage', () => {
  it('shows the total and both currencies of a converted store, and asks again when a store’s live tiles change', async () => {
    const get = vi.fn().mockResolvedValueOnce(overview(150.35)).mockResolvedValue(overview(250.35));
    const hub = new FakeHubConnection();
    render(<OverviewPage tenantId="acme" api={{ get }} createConnection={() => hub} />);

    expect((await screen.findByTestId('overview-total-revenue')).textContent).toBe('£349.40');
    const de = screen.getByTestId('overview-store-de');
    expect(de.textContent).toContain('£199.05');
    expect(de.textContent).toContain('€233.33');
    await waitFor(() => expect(hub.subscribes().map((args) => args[1])).toEqual(expect.arrayContaining(['de', 'uk'])));

    hub.push(makeTiles({ tenantId: 'acme', storeId: 'uk' }));
    await waitFor(() => expect(screen.getByTestId('overview-total-revenue').textContent).toBe('£449.40'));
    expect(within(screen.getByTestId('overview-store-uk')).getByText('£250.35')).toBeTruthy();
  });
});
