import { lazy, Suspense } from 'react';
import type { StoreFigures } from '../figures';
import { retryingImport } from '../retryingImport';
import type { Widget } from '../types';
import { countryFigures } from './historyFigures';
import { formatCountryValue } from './orderMapOption';
import { useStoreAnswers } from './useStoreAnswers';

// ECharts and the world outlines load only on boards that show a map.
const OrderMapChart = lazy(() => retryingImport(() => import('./OrderMapChart')));

/** Today's revenue or orders by country: a shaded world map, and the same figures as a table for screen readers. */
export function OrderMapWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const measure = widget.settings.metric === 'orders' ? 'orders' : 'revenue';
  const { answers, error, loaded } = useStoreAnswers(entries, (source, store, signal) => source.countries(store, signal), 'countries');
  if (!loaded) return <p className="widget__empty">Loading today’s countries…</p>;
  const figures = countryFigures(answers, measure);
  if (figures.kind === 'mixed') {
    return (
      <p className="widget__empty">
        These stores sell in {figures.currencies.join(' and ')}; revenue by country needs one currency. Pick a channel, or show orders.
      </p>
    );
  }
  if (figures.rows.length === 0) return <p className="widget__empty">{error ? `Could not load countries: ${error}` : 'No orders yet today.'}</p>;
  const label = measure === 'orders' ? 'Orders' : 'Revenue';
  return (
    <div className="order-map">
      <Suspense fallback={<div className="board-chart order-map__chart" aria-busy="true" />}>
        <OrderMapChart id={widget.id} rows={figures.rows} measure={measure} currency={figures.currency} />
      </Suspense>
      <table className="visually-hidden" data-testid={`widget-${widget.id}-countries`}>
        <caption>{label} by country today</caption>
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col">{label}</th>
          </tr>
        </thead>
        <tbody>
          {figures.rows.map((row) => (
            <tr key={row.code} data-country={row.code}>
              <th scope="row">{row.name}</th>
              <td data-value={row.value}>{formatCountryValue(row.value, measure, figures.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
