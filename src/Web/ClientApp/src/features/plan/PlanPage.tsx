import { useCallback, useEffect, useState } from 'react';
import { ProblemError, send, tenantApi } from './http';
import './settings.css';

export interface PlanLimitsView {
  tier: string;
  maxStores: number | null;
  maxChannels: number | null;
  maxDashboards: number | null;
  historyRetention: string;
  apiAccess: boolean;
  whiteLabel: boolean;
}

export interface PlanView {
  tenantId: string;
  tier: string;
  source: 'stored' | 'configured';
  limits: PlanLimitsView;
  usage: { stores: number; channels: number; dashboards: number };
  tiers: PlanLimitsView[];
  updatedAt: string | null;
  updatedBy: string | null;
}

const count = (n: number | null) => (n === null ? 'Unlimited' : String(n));

/** The organisation's plan: what it allows, what is used, and the tiers to move to (owners only). */
export function PlanPage({ tenantId }: { tenantId: string }) {
  const [plan, setPlan] = useState<PlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

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

  const change = async (tier: string) => {
    setSaving(true);
    setError(null);
    try {
      setPlan(await send<PlanView>('PUT', tenantApi(tenantId, 'plan'), { tier }));
    } catch (e) {
      setError(e instanceof ProblemError ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <main className="settings-page">
      <h1>Plan</h1>
      {error ? (
        <p role="alert" className="settings-page__error" data-testid="plan-error">
          {error}
        </p>
      ) : null}
      {plan ? (
        <>
          <p data-testid="plan-tier">
            <strong>{plan.tier}</strong> {plan.source === 'configured' ? '(set by the operator)' : plan.updatedBy ? `(chosen by ${plan.updatedBy})` : null}
          </p>
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
                <th scope="row">Stores</th>
                <td>{count(plan.limits.maxStores)}</td>
                <td data-testid="usage-stores">{plan.usage.stores}</td>
              </tr>
              <tr>
                <th scope="row">Channel connections</th>
                <td>{count(plan.limits.maxChannels)}</td>
                <td data-testid="usage-channels">{plan.usage.channels}</td>
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
                <th scope="row">API access</th>
                <td colSpan={2}>{plan.limits.apiAccess ? 'Yes' : 'No'}</td>
              </tr>
              <tr>
                <th scope="row">White-label</th>
                <td colSpan={2}>{plan.limits.whiteLabel ? 'Yes' : 'No'}</td>
              </tr>
            </tbody>
          </table>
          <h2>Change plan</h2>
          <ul className="tier-list">
            {plan.tiers.map((t) => (
              <li key={t.tier} className={t.tier === plan.tier ? 'tier-list__item tier-list__item--current' : 'tier-list__item'}>
                <h3>{t.tier}</h3>
                <p>
                  {count(t.maxStores)} stores · {count(t.maxChannels)} channels · {count(t.maxDashboards)} dashboards · history{' '}
                  {t.historyRetention}
                  {t.apiAccess ? ' · API' : ''}
                  {t.whiteLabel ? ' · white-label' : ''}
                </p>
                <button type="button" disabled={saving || t.tier === plan.tier} onClick={() => void change(t.tier)}>
                  {t.tier === plan.tier ? 'Current plan' : `Move to ${t.tier}`}
                </button>
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
