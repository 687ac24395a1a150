import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { insightLines } from './historyFigures';
import { useStoreAnswers } from './useStoreAnswers';

/** Plain-language insights per store from the insights API, each with the figures it rests on; read again as the live tiles move. */
export function InsightsWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const { answers, error, loaded } = useStoreAnswers(entries, (source, store, signal) => source.insights(store, signal), 'insights');
  const lines = insightLines(answers);
  if (!loaded) return <p className="widget__empty">Loading insights…</p>;
  if (lines.length === 0) return <p className="widget__empty">{error ? `Could not load insights: ${error}` : 'Nothing stands out against last week yet.'}</p>;
  return (
    <ul className="forecast-list" data-testid={`widget-${widget.id}-insights`}>
      {lines.map((line) => (
        <li key={line.key} data-kind={line.kind}>
          <p className="forecast-list__headline">{line.text}</p>
          <p className="forecast-list__detail">
            {answers.length > 1 ? `${line.storeName} · ` : ''}
            {line.figures.join(' · ')}
          </p>
        </li>
      ))}
    </ul>
  );
}
