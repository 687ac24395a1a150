import { formatMetric, type MetricValues } from '../../metrics/api';
import type { StoreFigures } from '../figures';
import type { Widget } from '../types';
import { useStoreAnswers } from './useStoreAnswers';

/** A tiny line of the metric's hourly values; hours without a value leave a gap. */
export function sparklinePath(points: readonly (number | null)[], width: number, height: number): string {
  const values = points.filter((v): v is number => v !== null);
  if (values.length === 0) return '';
  const min = Math.min(...values, 0);
  const max = Math.max(...values, 0);
  const span = max - min || 1;
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  let path = '';
  let drawing = false;
  points.forEach((v, i) => {
    if (v === null) {
      drawing = false;
      return;
    }
    const x = (i * step).toFixed(1);
    const y = (height - ((v - min) / span) * height).toFixed(1);
    path += `${drawing ? 'L' : 'M'}${x} ${y} `;
    drawing = true;
  });
  return path.trim();
}

/**
 * A kpi or chart widget showing an organisation's custom metric: today's value per store (against the same part
 * of yesterday), and for a chart the hour-by-hour line. Read from history, again as the live tiles move.
 */
export function CustomMetricWidget({ widget, entries, metricId }: { widget: Widget; entries: readonly StoreFigures[]; metricId: string }) {
  const { answers, error, loaded } = useStoreAnswers<MetricValues>(
    entries,
    (source, store, signal) =>
      source.customMetric ? source.customMetric(store, metricId, signal) : Promise.reject(new Error('Custom metrics are not available here.')),
    `custom:${metricId}`,
  );
  if (!loaded) return <p className="widget__empty">Loading…</p>;
  if (answers.length === 0) return <p className="widget__empty">{error ? `Could not load this metric: ${error}` : 'No figures yet.'}</p>;
  return (
    <div className="kpi" data-testid={`widget-${widget.id}-custom`}>
      {answers.map(({ store, body }) => (
        <div key={`${store.tenantId}/${store.storeId}`}>
          <p className="kpi__value" data-testid={`widget-${widget.id}-value-${store.storeId}`} data-value={body.value ?? ''}>
            {formatMetric(body.value, body.format, body.currency)}
          </p>
          <p className="kpi__delta">
            {answers.length > 1 ? `${store.name} · ` : ''}
            {body.name} · yesterday by now {formatMetric(body.previous, body.format, body.currency)}
          </p>
          {widget.kind === 'chart' ? (
            <svg viewBox="0 0 240 60" width="100%" height="60" role="img" aria-label={`${body.name} hour by hour today`} preserveAspectRatio="none">
              <path d={sparklinePath(body.points.map((p) => p.value), 240, 56)} fill="none" stroke="var(--accent)" strokeWidth="2" />
            </svg>
          ) : null}
        </div>
      ))}
    </div>
  );
}
