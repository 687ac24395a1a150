import { lazy, Suspense, type ReactNode } from 'react';
import { formatLocalDate, formatLocalTimeWithSeconds } from '../../lib/format';
import type { DashboardTiles, StoreSummary } from '../../lib/types';
import { connectionStatusText, type ConnectionStatus } from '../../lib/live';
import { Tile } from './Tile';
import { tileDefinitions } from './tileDefinitions';
import { alertMeHref, alertMetricOf } from '../../lib/alertLinks';

// ECharts is most of the bundle; loading it separately lets the tiles paint first on a slow phone.
const RevenueChart = lazy(() => import('./RevenueChart').then((module) => ({ default: module.RevenueChart })));

export interface DashboardViewProps {
  store: StoreSummary;
  stores: readonly StoreSummary[];
  onSelectStore: (store: StoreSummary) => void;
  status: ConnectionStatus;
  tiles: DashboardTiles | null;
  /** The store-local date to show before the first figures arrive. */
  fallbackLocalDate: string;
  loadError: string | null;
  /** GA4 visitors and conversion, shown under today's tiles (nothing when no analytics channel is connected). */
  analytics?: ReactNode;
}

/** What a merchant sees for one store: header, eight KPI tiles and the last hour's revenue. */
export function DashboardView({ store, stores, onSelectStore, status, tiles, fallbackLocalDate, loadError, analytics }: DashboardViewProps) {
  const currency = tiles?.currency ?? store.currency;
  const timeZone = tiles?.timeZone ?? store.timeZone;
  const selectedKey = `${store.tenantId}/${store.storeId}`;

  return (
    <div className="dashboard">
      <header className="dashboard__header">
        <div className="dashboard__title">
          <h1>{store.name}</h1>
          <p className="dashboard__date" data-testid="local-date">
            {formatLocalDate(tiles?.localDate ?? fallbackLocalDate)}
            {store.channel ? <span className="dashboard__channel"> · {store.channel}</span> : null}
          </p>
        </div>
        <div className="dashboard__meta">
          {stores.length > 1 ? (
            <label className="store-switcher">
              <span className="store-switcher__label">Store</span>
              <select
                value={selectedKey}
                data-testid="store-switcher"
                onChange={(event) => {
                  const next = stores.find((s) => `${s.tenantId}/${s.storeId}` === event.target.value);
                  if (next) onSelectStore(next);
                }}
              >
                {stores.some((s) => `${s.tenantId}/${s.storeId}` === selectedKey) ? null : (
                  <option value={selectedKey}>{store.name}</option>
                )}
                {stores.map((s) => (
                  <option key={`${s.tenantId}/${s.storeId}`} value={`${s.tenantId}/${s.storeId}`}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <span className={`connection connection--${status}`} role="status">
            <span data-testid="connection-status">{connectionStatusText[status]}</span>
          </span>
          <span className="dashboard__updated" data-testid="last-updated">
            {tiles ? (
              <>
                Updated <time dateTime={tiles.asOf}>{formatLocalTimeWithSeconds(tiles.asOf, timeZone)}</time>
              </>
            ) : (
              'Waiting for figures'
            )}
          </span>
        </div>
      </header>

      <main>
        <section aria-labelledby="today-heading">
          <h2 id="today-heading" className="section-heading">
            Today so far
          </h2>
          {loadError ? (
            <p className="notice notice--error" role="alert">
              Could not load this store’s figures: {loadError}
            </p>
          ) : null}
          <div className="tiles" aria-live="polite" aria-busy={tiles ? 'false' : 'true'} data-testid="tiles">
            {tiles ? (
              tileDefinitions.map((definition) => (
                <Tile
                  key={definition.id}
                  id={definition.id}
                  label={definition.label}
                  kind={definition.kind}
                  higherIsBetter={definition.higherIsBetter}
                  tile={definition.pick(tiles)}
                  currency={currency}
                  alertHref={tileAlertHref(store, definition.id, definition.label)}
                  note={definition.note?.(tiles) ?? null}
                />
              ))
            ) : loadError ? null : (
              <p className="notice">Loading figures…</p>
            )}
          </div>
        </section>

        {analytics}

        <section className="chart-card" aria-labelledby="chart-heading">
          <h2 id="chart-heading" className="section-heading">
            Revenue per minute, last 60 minutes
          </h2>
          <Suspense fallback={<div className="revenue-chart" aria-busy="true" />}>
            <RevenueChart points={tiles?.revenuePerMinute ?? []} currency={currency} timeZone={timeZone} />
          </Suspense>
        </section>
      </main>
    </div>
  );
}

/** "Alert me when this…" for a tile whose figure a rule can watch: the store's rule on that metric. */
export function tileAlertHref(store: StoreSummary, tileId: string, label: string): string | null {
  const metric = alertMetricOf(tileId);
  return metric ? alertMeHref({ tenantId: store.tenantId, storeId: store.storeId, metric, title: `${label} (${store.name})` }) : null;
}
