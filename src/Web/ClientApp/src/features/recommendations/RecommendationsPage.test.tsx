// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecommendationsPage } from './RecommendationsPage';
import { dailyFigures, type RecommendationsResponse } from './recommendations';

afterEach(() => vi.unstubAllGlobals());

const campaign: RecommendationsResponse = {
  tenantId: 'acme',
  storeId: 'shop',
  currency: 'USD',
  fromUtc: '2026-10-28T00:00:00Z',
  toUtc: '2026-11-25T00:00:00Z',
  items: [
    {
      id: 'CutAdSpend:FacebookAds:facebook:100',
      kind: 'CutAdSpend',
      title: 'Winter Sale (FacebookAds) returned less than it cost for 3 days',
      action: 'Pause the campaign or cut its budget.',
      revenueAtStake: 151.54,
      figures: [
        { name: 'Spend', value: 240 },
        { name: 'Revenue', value: 88.46 },
        { name: 'ROAS', value: 0.3686 },
        { name: 'Spend 2026-11-22', value: 80 },
        { name: 'Revenue 2026-11-22', value: 30 },
        { name: 'ROAS 2026-11-22', value: 0.375 },
        { name: 'Spend 2026-11-23', value: 80 },
        { name: 'Revenue 2026-11-23', value: 38.46 },
        { name: 'ROAS 2026-11-23', value: 0.4808 },
        { name: 'Spend 2026-11-24', value: 80 },
        { name: 'Revenue 2026-11-24', value: 20 },
        { name: 'ROAS 2026-11-24', value: 0.25 },
        { name: 'Untagged revenue share', value: 18.46 },
      ],
      drillDown: 'channels?channel=FacebookAds&campaign=facebook%3A100',
      status: 'open',
      result: null,
    },
  ],
};

describe('campaign recommendations', () => {
  it('splits dated figures into one row per day, oldest first, and keeps the rest', () => {
    const { names, days, rest } = dailyFigures([...campaign.items[0]!.figures].reverse());
    expect(names).toEqual(['ROAS', 'Revenue', 'Spend']);
    expect(days.map((d) => d.date)).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);
    expect(days[1]!.values).toEqual({ Spend: 80, Revenue: 38.46, ROAS: 0.4808 });
    expect(rest.map((f) => f.name)).toEqual(['Untagged revenue share', 'ROAS', 'Revenue', 'Spend']);
  });

  it('shows a campaign under ROAS 1 with its spend, revenue and ROAS per day, the revenue at stake and the drill-down', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response(JSON.stringify(campaign), { status: 200, headers: { 'Content-Type': 'application/json' } }))));
    render(<RecommendationsPage store={{ tenantId: 'acme', storeId: 'shop' }} />);

    const item = await screen.findByTestId('recommendation-CutAdSpend:FacebookAds:facebook:100');
    expect(within(item).getByRole('heading').textContent).toBe('Winter Sale (FacebookAds) returned less than it cost for 3 days');
    expect(item.textContent).toContain('At stake: 151.54 USD');
    const rows = within(within(item).getByTestId('recommendation-days')).getAllByRole('row').map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['Day', 'Spend', 'Revenue', 'ROAS'],
      ['2026-11-22', '80', '30', '0.375'],
      ['2026-11-23', '80', '38.46', '0.4808'],
      ['2026-11-24', '80', '20', '0.25'],
    ]);
    expect(within(item).getByRole('link', { name: 'Look closer' }).getAttribute('href')).toBe(
      '/stores/acme/shop/channels?channel=FacebookAds&campaign=facebook%3A100',
    );
  });
});
