// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tableRows } from '../../lib/csv/tableCsv';
import { CustomersPage } from './CustomersPage';
import type { CohortsResponse, CustomersSummary } from './customers';

const summary = (period: string, customers: number): CustomersSummary => ({
  tenantId: 'acme',
  storeId: 'shop',
  currency: 'GBP',
  timeZone: 'Europe/London',
  period,
  from: '2026-10-26',
  to: '2026-11-24',
  figures: {
    period: { fromUtc: '2026-10-26T00:00:00Z', toUtc: '2026-11-25T00:00:00Z' },
    customers,
    newCustomers: 3,
    returningCustomers: customers - 3,
    repeatCustomers: 2,
    repeatPurchaseRate: 0.25,
    averageOrdersPerCustomer: 1.38,
    identifiedOrders: 11,
    unidentifiedOrders: 4,
    ltv90Days: { customers: 2, netRevenue: 90.5, perCustomer: 45.25 },
    ltv12Months: { customers: 0, netRevenue: 0, perCustomer: null },
  },
});

const cohorts: CohortsResponse = {
  tenantId: 'acme',
  storeId: 'shop',
  cohorts: {
    firstMonth: '2026-10-01',
    lastMonth: '2026-11-01',
    rows: [
      { month: '2026-10-01', customers: 8, cells: [{ monthsSince: 0, customers: 8, retained: 1 }, { monthsSince: 1, customers: 3, retained: 0.375 }, ...Array<null>(10).fill(null)] },
      { month: '2026-11-01', customers: 0, cells: [{ monthsSince: 0, customers: 0, retained: 0 }, ...Array<null>(11).fill(null)] },
    ],
  },
};

describe('CustomersPage', () => {
  const urls: string[] = [];
  beforeEach(() => {
    urls.length = 0;
    vi.stubGlobal('fetch', (url: string) => {
      urls.push(url);
      const period = /period=(\w+)/.exec(url)?.[1] ?? '';
      const body = url.includes('/customers/cohorts') ? cohorts : summary(period, period === 'last7' ? 5 : 8);
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    });
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('shows the headline figures and a cohort table with counts on hover and blanks for months to come', async () => {
    render(<CustomersPage store={{ tenantId: 'acme', storeId: 'shop' }} storeName="Shop" />);
    await waitFor(() => expect(screen.getByTestId('customer-customers').textContent).toContain('8'));
    expect(screen.getByTestId('customer-repeat-rate').textContent).toContain('25.0%');
    expect(screen.getByTestId('customer-ltv-90').textContent).toContain('45.25 GBP');
    expect(screen.getByTestId('customer-ltv-12').textContent).toContain('—');
    expect(screen.getByTestId('customer-orders').textContent).toContain('11 identified · 4 unidentified');

    const table = await screen.findByTestId('cohort-table');
    const october = within(table).getByText('2026-10').closest('tr')!;
    const second = october.querySelector("td[data-k='1']")!;
    expect(second.textContent).toBe('37.5%');
    expect(second.getAttribute('title')).toBe('3 of 8 customers who first ordered in 2026-10 ordered in month 1');
    expect(october.querySelector("td[data-k='2']")!.textContent).toBe('');
    expect(within(table).getByText('2026-11').closest('tr')!.querySelector("td[data-k='0']")!.textContent).toBe('—');
    expect(urls).toContain('/api/tenants/acme/stores/shop/customers/cohorts?months=12');

    // The cohort table downloads as CSV like every other table, with the figures the page shows.
    expect(screen.getByRole('button', { name: 'Download Retention by first-order month as CSV' })).toBeTruthy();
    const rows = tableRows(table as HTMLTableElement);
    expect(rows[0]?.slice(0, 3)).toEqual(['First order', 'Customers', expect.any(String)]);
    expect(rows.find((r) => r[0] === '2026-10')?.slice(0, 4)).toEqual(['2026-10', '8', '100.0%', '37.5%']);
  });

  it('asks again for the chosen period', async () => {
    render(<CustomersPage store={{ tenantId: 'acme', storeId: 'shop' }} />);
    await waitFor(() => expect(screen.getByTestId('customer-customers').textContent).toContain('8'));
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: 'last7' } });
    await waitFor(() => expect(screen.getByTestId('customer-customers').textContent).toContain('5'));
    expect(urls).toContain('/api/tenants/acme/stores/shop/customers/summary?period=last7');
  });
});
