import { useCallback, useEffect, useState } from 'react';
import { ProblemError, send, tenantApi } from './http';
import './settings.css';

export interface PlanLimitsView {
  tier: string;
  maxSalesChannels: number | null;
  maxMonthlyRevenueUsd: number | null;
  maxDashboards: number | null;
  historyRetention: string;
  features: string[];
}

export interface RevenueUsage {
  month: string;
  currency: string;
  revenue: number;
  cap: number | null;
  percent: number | null;
  overCapSince: string | null;
  graceEndsAt: string | null;
  liveViewBlocked: boolean;
  unconverted: string[];
}

export interface PlanView {
  tenantId: string;
  tier: string;
  source: 'Free' | 'Trial' | 'Subscription' | 'Assigned' | 'Configured' | 'SelfHosted';
  limits: PlanLimitsView;
  usage: { salesChannels: number; dashboards: number };
  revenue: RevenueUsage;
  trial: { endsAt: string; daysLeft: number; active: boolean } | null;
  subscription: { tier: string | null; status: string; currentPeriodEnd: string | null; cancelAtPeriodEnd: boolean; lastInvoiceStatus: string | null } | null;
  billing: boolean;
  tiers: PlanLimitsView[];
  pausedAlertRules: { id: string; name: string; kind: string; reason: string }[];
}

/** The tiers Checkout sells; Enterprise is sold by contract. */
const SOLD = ['Starter', 'Growth', 'Scale'];

const FEATURES: Record<string, string> = {
  CustomAlerts: 'custom alerts',
  AdvancedAnalytics: 'advanced analytics',
  ApiAccess: 'API access',
  WhiteLabel: 'white-label',
  DataWarehouse: 'data warehouse',
  SsoReady: 'SSO-ready',
  Sla: 'SLA',
};

const count = (n: number | null) => (n === null ? 'Unlimited' : String(n));
const dollars = (n: number | null) => (n === null ? 'Unlimited' : `$${n >= 1000 ? `${n / 1000}K` : n}`);
const money = (n: number, currency: string) => n.toLocaleString(undefined, { style: 'currency', currency, maximumFractionDigits: 0 });
const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** Where the tier comes from, in words. */
export function describeSource(plan: PlanView): string {
  switch (plan.source) {
    case 'Trial':
      return plan.trial ? `trial · ${plan.trial.daysLeft} day${plan.trial.daysLeft === 1 ? '' : 's'} left, ends ${day(plan.trial.endsAt)}` : 'trial';
    case 'Free':
      return plan.trial ? 'the trial has ended' : '';
    case 'Subscription':
      return plan.subscription?.cancelAtPeriodEnd && plan.subscription.currentPeriodEnd
        ? `subscription · ends ${day(plan.subscription.currentPeriodEnd)}`
        : `subscription · ${plan.subscription?.status ?? 'active'}`;
    case 'Assigned':
    case 'Configured':
      return 'set by the operator';
    case 'SelfHosted':
      return 'self-hosted, no billing';
  }
}

/** The organisation's plan: what it allows, what is used (revenue this month included), and the upgrade through Stripe Checkout. */
export function PlanPage({ tenantId }: { tenantId: string }) {
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const returned = new URLSearchParams(window.location.search).get('checkout');

  const load = useCallback(
    (signal?: AbortSignal) =>
      send<PlanView>('GET', tenantApi(tenantId, 'plan'), undefined, signal).then(setPlan, (e: unknown) => {
        if (!signal?.aborted) setError(e instanceof Error ? e.message : String(e));
      }),
    [tenantId],
  );
  useEffect(() => {
    const abort = new AbortController();
    void load(abort.signal);
    document.title = 'Plan · SalesDash';
    return () => abort.abort();
  }, [load]);

  // Stripe sends the browser to Checkout or the portal; the tier changes when Stripe's webhook says it was paid.
  const go = async (path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const { url } = await send<{ url: string }>('POST', tenantApi(tenantId, path), body);
      window.location.assign(url);
    } catch (e) {
      setError(e instanceof ProblemError ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <main className="settings-page">
      <h1>Plan</h1>
      {returned === 'success' ? <p data-testid="checkout-returned">Payment received: the plan changes as soon as Stripe confirms it.</p> : null}
      {error ? (
        <p role="alert" className="settings-page__error" data-testid="plan-error">
          {error}
        </p>
      ) : null}
      {plan ? (
        <>
          <p data-testid="plan-tier">
            <strong>{plan.tier}</strong> {describeSource(plan) ? `(${describeSource(plan)})` : null}
          </p>
          {plan.subscription?.lastInvoiceStatus === 'payment_failed' ? (
            <p role="alert" data-testid="payment-failed">
              The last payment failed. Update the payment details in the billing portal.
            </p>
          ) : null}
          <table className="settings-table">
            <caption>Limits and usage</caption>
            <thead>
              <tr>
                <th scope="col">Limit</th>
                <th scope="col">Allowed</th>
                <th scope="col">In use</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Sales channels</th>
                <td>{count(plan.limits.maxSalesChannels)}</td>
                <td data-testid="usage-channels">{plan.usage.salesChannels}</td>
              </tr>
              <tr>
                <th scope="row">Tracked revenue ({plan.revenue.month})</th>
                <td>
                  {dollars(plan.limits.maxMonthlyRevenueUsd)}
                  {plan.revenue.cap !== null && plan.revenue.currency !== 'USD' ? ` (${money(plan.revenue.cap, plan.revenue.currency)})` : ''}
                </td>
                <td data-testid="usage-revenue">
                  {money(plan.revenue.revenue, plan.revenue.currency)}
                  {plan.revenue.percent !== null ? ` · ${plan.revenue.percent}%` : ''}
                </td>
              </tr>
              <tr>
                <th scope="row">Dashboards</th>
                <td>{count(plan.limits.maxDashboards)}</td>
                <td data-testid="usage-dashboards">{plan.usage.dashboards}</td>
              </tr>
              <tr>
                <th scope="row">History kept</th>
                <td colSpan={2}>{plan.limits.historyRetention}</td>
              </tr>
              <tr>
                <th scope="row">Included</th>
                <td colSpan={2}>{plan.limits.features.map((f) => FEATURES[f] ?? f).join(', ') || '—'}</td>
              </tr>
            </tbody>
          </table>
          {plan.revenue.graceEndsAt ? (
            <p role="alert" data-testid="revenue-over-cap">
              Tracked revenue is over this plan&apos;s monthly allowance.{' '}
              {plan.revenue.liveViewBlocked
                ? 'The live view is paused until you upgrade; history and exports stay available.'
                : `Data keeps flowing until ${day(plan.revenue.graceEndsAt)}; then the live view asks for an upgrade.`}
            </p>
          ) : null}
          {plan.pausedAlertRules.length ? (
            <section data-testid="paused-alert-rules">
              <h2>Paused alert rules</h2>
              <p>These rules are kept but not evaluated on this plan; they run again after an upgrade.</p>
              <ul>
                {plan.pausedAlertRules.map((r) => (
                  <li key={r.id}>
                    <strong>{r.name}</strong> — {r.reason}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {plan.billing && plan.source === 'Subscription' ? (
            <button type="button" disabled={busy} onClick={() => void go('plan/portal')}>
              Manage billing
            </button>
          ) : null}
          <h2>Plans</h2>
          <ul className="tier-list">
            {plan.tiers.map((t) => (
              <li key={t.tier} className={t.tier === plan.tier ? 'tier-list__item tier-list__item--current' : 'tier-list__item'} data-testid={`tier-${t.tier}`}>
                <h3>{t.tier}</h3>
                <p>
                  {count(t.maxSalesChannels)} sales channels · {dollars(t.maxMonthlyRevenueUsd)} revenue/month · {count(t.maxDashboards)} dashboards · history{' '}
                  {t.historyRetention}
                  {t.features.length ? ` · ${t.features.map((f) => FEATURES[f] ?? f).join(', ')}` : ''}
                </p>
                {t.tier === plan.tier ? (
                  <span>Current plan</span>
                ) : plan.billing && plan.source !== 'Subscription' && SOLD.includes(t.tier) ? (
                  <button type="button" disabled={busy} onClick={() => void go('plan/checkout', { tier: t.tier })}>
                    Upgrade to {t.tier}
                  </button>
                ) : t.tier === 'Enterprise' && plan.billing ? (
                  <span>Contact sales</span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : error ? null : (
        <p>Loading…</p>
      )}
    </main>
  );
}
