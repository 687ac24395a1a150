// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlanBanner } from './PlanBanner';
import { PlanPage, type PlanView } from './PlanPage';

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

const tier = (name: string, channels: number | null, dashboards: number | null) => ({
  tier: name,
  maxSalesChannels: channels,
  maxMonthlyRevenueUsd: 10000,
  maxDashboards: dashboards,
  historyRetention: '7 days',
  features: [],
});

const trial: PlanView = {
  tenantId: 'acme',
  tier: 'Growth',
  source: 'Trial',
  limits: { ...tier('Growth', 3, null), features: ['CustomAlerts'] },
  usage: { salesChannels: 1, dashboards: 2 },
  revenue: { month: '2026-11', currency: 'GBP', revenue: 1200, cap: 400000, percent: 0, overCapSince: null, graceEndsAt: null, liveViewBlocked: false, unconverted: [] },
  trial: { endsAt: '2026-12-09T15:30:00Z', daysLeft: 3, active: true },
  subscription: null,
  billing: true,
  tiers: [tier('Free', 1, 1), tier('Starter', 1, 5), tier('Growth', 3, null), tier('Scale', null, null), tier('Enterprise', null, null)],
  pausedAlertRules: [],
};

afterEach(() => vi.unstubAllGlobals());

describe('PlanPage', () => {
  it('shows the trial, the usage, and upgrades through the checkout URL the server answers', async () => {
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, search: '', assign });
    const fetch = vi.fn((url: string, init?: RequestInit) =>
      init?.method === 'POST' ? answer(200, { url: `https://checkout.example/${url.split('/').pop()}` }) : answer(200, trial),
    );
    vi.stubGlobal('fetch', fetch);
    render(<PlanPage tenantId="acme" />);

    expect((await screen.findByTestId('plan-tier')).textContent).toContain('Growth (trial · 3 days left');
    expect(screen.getByTestId('usage-channels').textContent).toBe('1');
    expect(screen.queryByRole('button', { name: 'Upgrade to Enterprise' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Upgrade to Scale' }));

    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.example/checkout'));
    expect(fetch).toHaveBeenCalledWith('/api/tenants/acme/plan/checkout', expect.objectContaining({ method: 'POST', body: JSON.stringify({ tier: 'Scale' }) }));
  });
});

describe('PlanPage paused alert rules', () => {
  it('lists each rule the tier pauses with its reason, and nothing when none is paused', async () => {
    const reason = 'Paused: The Growth plan does not include advanced analytics. The Scale plan includes it.';
    vi.stubGlobal('location', { ...window.location, search: '', assign: vi.fn() });
    vi.stubGlobal('fetch', vi.fn(() => answer(200, { ...trial, pausedAlertRules: [{ id: 'r1', name: 'Odd revenue', kind: 'Anomaly', reason }] })));
    const { unmount } = render(<PlanPage tenantId="acme" />);
    expect((await screen.findByTestId('paused-alert-rules')).textContent).toContain(`Odd revenue — ${reason}`);
    unmount();

    vi.stubGlobal('fetch', vi.fn(() => answer(200, trial)));
    render(<PlanPage tenantId="acme" />);
    await screen.findByTestId('plan-tier');
    expect(screen.queryByTestId('paused-alert-rules')).toBeNull();
  });
});

describe('PlanBanner', () => {
  it('says how many trial days are left, and that a finished trial fell to Free', async () => {
    vi.stubGlobal('fetch', vi.fn(() => answer(200, trial)));
    const { unmount } = render(<PlanBanner tenantId="acme" planHref="/t/acme/plan" onOpen={() => undefined} />);
    expect((await screen.findByTestId('plan-banner')).textContent).toBe('Growth trial: 3 days left. Choose a plan');
    unmount();

    vi.stubGlobal('fetch', vi.fn(() => answer(200, { ...trial, tier: 'Free', source: 'Free', trial: { ...trial.trial, daysLeft: 0, active: false } })));
    render(<PlanBanner tenantId="acme" planHref="/t/acme/plan" onOpen={() => undefined} />);
    expect((await screen.findByTestId('plan-banner')).textContent).toBe('Your trial has ended: this organisation is on the Free plan. Choose a plan');
  });
});
