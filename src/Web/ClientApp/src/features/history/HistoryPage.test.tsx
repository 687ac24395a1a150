// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HistoryPage } from './HistoryPage';
import type { BreakdownRow, HistoryBreakdown, HistoryKpis, HistorySummary, HistoryTrend, KpiDelta, PeriodInfo, TrendPoint } from './types';

// jsdom has no canvas; the chart's option is covered by trendChartOption.test.ts. The stand-in lets a test "click" a point.
vi.mock('./TrendChart', () => ({
  default: ({ trend, onPick }: { trend: HistoryTrend; onPick: (index: number) => void }) => (
    <div data-testid="history-trend">
      {trend.points.map((p, i) => (
        <button key={p.start} type="button" onClick={() => onPick(i)}>
          point {p.start}
        </button>
      ))}
    </div>
  ),
}));

const d = (value: number | null, previous: number | null): KpiDelta => ({
  value,
  previous,
  change: value !== null && previous !== null ? value - previous : null,
  changeRatio: value !== null && previous ? Math.round(((value - previous) / previous) * 10_000) / 10_000 : null,
});

function period(from: string, to: string): PeriodInfo {
  return { name: 'x', from, to, fromUtc: `${from}T00:00:00Z`, toUtc: `${to}T00:00:00Z` };
}

function kpis(revenue: number, previous: number): HistoryKpis {
  return {
    grossRevenue: d(revenue, previous),
    netRevenue: d(revenue, previous),
    orders: d(10, 8),
    averageOrderValue: d(revenue / 10, previous / 8),
    conversionRate: d(null, null),
    unitsSold: d(14, 9),
    refunds: d(30, 10),
    newCustomers: d(6, 5),
    returningCustomers: d(4, 3),
    sessions: d(0, 0),
    cancelledOrders: d(0, 0),
  };
}

function point(start: string, grossRevenue: number): TrendPoint {
  return { start, startUtc: `${start}Z`, grossRevenue, netRevenue: grossRevenue, orders: 1, units: 1, refunds: 0, averageOrderValue: grossRevenue, sessions: 0, conversionRate: null };
}

function row(rank: number, key: string, revenue: number): BreakdownRow {
  return {
    rank,
    key,
    label: key,
    grossRevenue: revenue,
    revenueShare: 0.5,
    orders: 5,
    units: 7,
    averageOrderValue: revenue / 5,
    refunds: 0,
    refundedUnits: 0,
    returnRate: 0,
    sessions: 0,
    conversionRate: null,
    revenue: d(revenue, revenue / 2),
  };
}

const requests: string[] = [];

function answer(url: string): unknown {
  const query = new URLSearchParams(url.split('?')[1]);
  const custom = query.get('period') === 'custom';
  const shown = custom ? period(query.get('from')!, query.get('to')!) : period('2026-11-18', '2026-11-24');
  const base = { tenantId: 'acme', storeId: 'uk-shop', currency: 'GBP', timeZone: 'Europe/London', period: shown, comparison: period('2026-11-11', '2026-11-17') };
  if (url.includes('/summary')) return { ...base, kpis: custom ? kpis(300, 100) : kpis(1250, 1000) } satisfies HistorySummary;
  if (url.includes('/trend')) {
    return {
      ...base,
      grain: custom ? 'hour' : 'day',
      points: [point('2026-11-18T00:00:00', 500), point('2026-11-19T00:00:00', 750)],
      comparisonPoints: [point('2026-11-11T00:00:00', 400), point('2026-11-12T00:00:00', 600)],
    } satisfies HistoryTrend;
  }
  return {
    ...base,
    storeId: url.startsWith('/api/tenants/acme/history/breakdown') ? null : 'uk-shop',
    by: (query.get('by') ?? 'channel') as HistoryBreakdown['by'],
    rankedBy: (query.get('rank') ?? 'revenue') as HistoryBreakdown['rankedBy'],
    totalGroups: 2,
    rows: [row(1, 'Shopify', 1000), row(2, 'Amazon', 250)],
  } satisfies HistoryBreakdown;
}

describe('History page', () => {
  beforeEach(() => {
    requests.length = 0;
    // jsdom lays nothing out, so it has no scrolling either.
    Element.prototype.scrollIntoView = vi.fn();
    window.history.replaceState(null, '', '/stores/acme/uk-shop/history');
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string) => {
        requests.push(url);
        return Promise.resolve(new Response(JSON.stringify(answer(url)), { status: 200, headers: { 'Content-Type': 'application/json' } }));
      }),
    );
  });

  afterEach(() => vi.unstubAllGlobals());

  const renderPage = () => render(<HistoryPage store={{ tenantId: 'acme', storeId: 'uk-shop' }} storeName="UK shop" navigate={() => {}} />);

  it('shows each KPI with its change against the comparison', async () => {
    renderPage();
    await waitFor(() => expect(screen.getByTestId('kpi-grossRevenue-value').textContent).toBe('£1,250.00'));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('History · UK shop');
    expect(screen.getByTestId('history-period').textContent).toBe(
      'Wed 18 Nov – Tue 24 Nov 2026 compared with previous period (Wed 11 Nov – Tue 17 Nov 2026)',
    );
    expect(screen.getByTestId('kpi-grossRevenue-delta').textContent).toBe('▲ 25.0% vs previous period (was £1,000.00)');
    // More refunds is bad news, and is coloured so.
    expect(screen.getByTestId('kpi-refunds-delta').className).toContain('history-kpi__delta--bad');
    expect(screen.getByTestId('kpi-conversionRate-value').textContent).toBe('—');
    expect(requests.some((u) => u.startsWith('/api/tenants/acme/stores/uk-shop/history/summary?period=last7&compare=previous'))).toBe(true);
  });

  it('ranks channels across the organisation with bars, and re-ranks when drilling down from a KPI', async () => {
    renderPage();
    const table = await screen.findByTestId('history-breakdown');
    expect(within(table).getAllByRole('rowheader').map((c) => c.textContent)).toEqual(['Shopify', 'Amazon']);
    expect(within(table).getAllByRole('columnheader').map((c) => c.textContent)).toContain('Revenue vs previous period');
    expect(requests.some((u) => u.startsWith('/api/tenants/acme/history/breakdown?') && u.includes('by=channel'))).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Break down units sold' }));
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 2, name: 'Channels by units' }));
    await waitFor(() => expect(requests.some((u) => u.includes('by=channel') && u.includes('rank=units'))).toBe(true));
    expect(screen.getByRole('heading', { level: 2, name: 'Channels by units' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Products' }));
    await waitFor(() => expect(requests.some((u) => u.startsWith('/api/tenants/acme/stores/uk-shop/history/breakdown?') && u.includes('by=product'))).toBe(true));
  });

  it('narrows the period to a clicked trend point, and Back returns to the week', async () => {
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'point 2026-11-19T00:00:00' }));
    await waitFor(() => expect(screen.getByTestId('kpi-grossRevenue-value').textContent).toBe('£300.00'));
    expect(window.location.search).toBe('?period=custom&from=2026-11-19&to=2026-11-19&grain=hour');
    expect((screen.getByTestId('period-select') as HTMLSelectElement).value).toBe('custom');
    expect(requests.some((u) => u.includes('/trend?period=custom&compare=previous&from=2026-11-19&to=2026-11-19&grain=hour'))).toBe(true);

    act(() => {
      window.history.back();
    });
    await waitFor(() => expect(screen.getByTestId('kpi-grossRevenue-value').textContent).toBe('£1,250.00'));
    expect((screen.getByTestId('period-select') as HTMLSelectElement).value).toBe('last7');
  });

  it('refuses a custom period that ends before it starts, and says why', async () => {
    renderPage();
    await screen.findByTestId('history-breakdown');
    fireEvent.change(screen.getByTestId('period-select'), { target: { value: 'custom' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-01' } });
    expect((await screen.findByRole('alert')).textContent).toBe('The last day is before the first.');
    expect(requests.some((u) => u.includes('to=2026-11-01'))).toBe(false);
  });
});
