import { useCallback, useEffect, useRef, useState } from 'react';
import { CsvButton } from '../../lib/csv/CsvButton';
import { formatCount, formatDelta, formatMoney } from '../../lib/format';
import { LiveTilesClient, pageHub, subscribeByTenant, type ConnectionStatus, type HubConnectionLike } from '../../lib/live';
import { overviewApi, type OrganisationOverview, type OverviewApi, type OverviewFigures } from './overviewApi';
import './organisation.css';

export interface OverviewPageProps {
  tenantId: string;
  api?: OverviewApi;
  createConnection?: () => HubConnectionLike;
}

/**
 * Every store's figures today and the organisation's total in its reporting currency. The server converts (each
 * store at the stored rate of its day, as reports do); the page watches every store's live tiles through the hub and
 * asks for the overview again whenever one of them changes, so the total is always the server's.
 */
const leasePageHub = () => pageHub().lease();

export function OverviewPage({ tenantId, api = overviewApi, createConnection = leasePageHub }: OverviewPageProps) {
  const [overview, setOverview] = useState<OrganisationOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const loading = useRef(false);
  const again = useRef(false);

  // One request at a time; changes that arrive meanwhile are folded into one more request after it.
  const load = useCallback(async () => {
    if (loading.current) {
      again.current = true;
      return;
    }
    loading.current = true;
    try {
      do {
        again.current = false;
        setOverview(await api.get(tenantId));
        setError(null);
      } while (again.current);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      loading.current = false;
    }
  }, [api, tenantId]);

  useEffect(() => {
    void load();
  }, [load]);

  const storeIds = overview?.stores.map((s) => s.storeId).join('|') ?? '';
  useEffect(() => {
    if (!storeIds) return;
    const client = new LiveTilesClient(createConnection(), subscribeByTenant, { status: setStatus, tiles: () => void load() }, { liveOnConnect: true, whenGivenUp: 'offline' });
    void client.setStores(storeIds.split('|').map((storeId) => ({ tenantId, storeId })));
    client.start();
    return () => void client.dispose();
  }, [createConnection, load, storeIds, tenantId]);

  if (error && !overview) return <main className="org"><p role="alert">{error}</p></main>;
  if (!overview) return <main className="org"><p>Loading…</p></main>;
  const currency = overview.reportingCurrency;
  return (
    <main className="org overview" data-testid="overview-page">
      <h1>Today across every store</h1>
      <p className="org__meta">
        In {currency}, each store converted at the stored rate of its own day · <span data-testid="overview-status">{status === 'live' ? 'Live' : status}</span>
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <section aria-label="Total" className="overview__total" data-testid="overview-total">
        <Figure label="Revenue" value={formatMoney(overview.total.revenue, currency)} delta={formatDelta(overview.total.revenueChange).text} testId="overview-total-revenue" />
        <Figure label="Orders" value={formatCount(overview.total.orders)} delta={`${formatCount(overview.total.ordersLastWeek)} last week`} />
        <Figure label="Average order" value={aov(overview.total, currency)} delta={`${formatMoney(overview.total.revenueLastWeek, currency)} last week`} />
      </section>
      <CsvButton tableId="overview-stores" name={`Stores of ${tenantId} today`} />
      <table className="org__table" id="overview-stores" data-testid="overview-stores">
        <thead>
          <tr>
            <th>Store</th>
            <th>Revenue ({currency})</th>
            <th>Orders</th>
            <th>AOV ({currency})</th>
            <th>vs last week</th>
            <th>In its own currency</th>
          </tr>
        </thead>
        <tbody>
          {overview.stores.map((s) => (
            <tr key={s.storeId} data-testid={`overview-store-${s.storeId}`}>
              <td>
                {s.name}
                {s.disconnected ? <small> (disconnected)</small> : null}
              </td>
              <td>{s.converted ? formatMoney(s.converted.revenue, currency) : '–'}</td>
              <td>{formatCount(s.own.orders)}</td>
              <td>{s.converted ? aov(s.converted, currency) : '–'}</td>
              <td>{formatDelta((s.converted ?? s.own).revenueChange).text}</td>
              <td>
                {s.currency === currency ? '—' : `${formatMoney(s.own.revenue, s.currency)} (AOV ${aov(s.own, s.currency)})`}
                {s.problem ? <div role="note" className="org__error">{s.problem}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

function aov(figures: OverviewFigures, currency: string) {
  return figures.averageOrderValue === null ? '–' : formatMoney(figures.averageOrderValue, currency);
}

function Figure({ label, value, delta, testId }: { label: string; value: string; delta: string; testId?: string }) {
  return (
    <div className="overview__figure">
      <div className="org__meta">{label}</div>
      <div className="overview__value" data-testid={testId}>{value}</div>
      <div className="org__meta">{delta}</div>
    </div>
  );
}
