import { formatMoney } from '../../../lib/format';
import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { forecastLines } from './historyFigures';
import { useStoreAnswers } from './useStoreAnswers';

/** "On pace for X (range)" per store, from the forecast API; read again as the live tiles move. */
export function ForecastWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const { answers, error, loaded } = useStoreAnswers(entries, (source, store, signal) => source.forecast(store, signal), 'forecast');
  const lines = forecastLines(answers);
  if (!loaded) return <p className="widget__empty">Loading the forecast…</p>;
  if (lines.length === 0) return <p className="widget__empty">{error ? `Could not load the forecast: ${error}` : 'No forecast yet.'}</p>;
  return (
    <ul className="forecast-list" data-testid={`widget-${widget.id}-forecast`}>
      {lines.map((line) => (
        <li key={line.key} data-store={line.key} data-estimate={line.estimate ?? ''}>
          <p className="forecast-list__headline">{line.headline}</p>
          <p className="forecast-list__detail">
            {lines.length > 1 ? `${line.storeName} · ` : ''}
            {formatMoney(line.todaySoFar, line.currency)} so far today
          </p>
        </li>
      ))}
    </ul>
  );
}
