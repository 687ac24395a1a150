import { lazy, Suspense } from 'react';
import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';
import { deltaSentiment, formatDelta, formatMoney, formatCount } from '../../lib/format';
import { useCountUp } from '../../lib/useCountUp';
import { higherIsBetter, isMoney, metricLabels } from './catalogue';
import { chartData, figuresFor, goalState, guestOrdersFor, rankingRows, type Figure, type StoreFigures } from './figures';
import { formatFigure, formatProgress } from './format';
import { retryingImport } from './retryingImport';
import type { Metric, Widget } from './types';
import { customMetricId } from './types';
import { AlertsWidget, CustomMetricWidget, ForecastWidget, InsightsWidget, OrderFeedWidget, OrderMapWidget, PeersWidget, SavedGoalWidget, TopProductsWidget, VisitorsWidget } from './widgets';

// ECharts is most of the bundle; boards without a chart never load it.
const BoardChart = lazy(() => retryingImport(() => import('./BoardChart')));

/** Where a click on a widget drills into. */
export type Drill = { kind: 'minute'; widget: Widget; minute: string } | { kind: 'channel'; widget: Widget; channel: string };

export interface WidgetBodyProps {
  widget: Widget;
  entries: readonly StoreFigures[];
  onDrill: (drill: Drill) => void;
}

/** A widget's content: what its settings ask for, from the stores its channel filter covers. */
export function WidgetBody({ widget, entries, onDrill }: WidgetBodyProps) {
  if (entries.length === 0) {
    return (
      <p className="widget__empty">
        {widget.settings.channel ? `No ${widget.settings.channel} orders yet.` : 'Waiting for figures…'}
      </p>
    );
  }
  const custom = customMetricId(widget.settings.metric);
  if (custom !== null && (widget.kind === 'kpi' || widget.kind === 'chart')) return <CustomMetricWidget widget={widget} entries={entries} metricId={custom} />;
  switch (widget.kind) {
    case 'kpi':
      return <KpiWidget widget={widget} entries={entries} />;
    case 'chart':
      return <ChartWidget widget={widget} entries={entries} onDrill={onDrill} />;
    case 'ranking':
      return <RankingWidget widget={widget} entries={entries} onDrill={onDrill} />;
    case 'goal':
      return <GoalWidget widget={widget} entries={entries} />;
    case 'top-products':
      return <TopProductsWidget widget={widget} entries={entries} />;
    case 'order-map':
      return <OrderMapWidget widget={widget} entries={entries} />;
    case 'order-feed':
      return <OrderFeedWidget widget={widget} entries={entries} />;
    case 'alerts':
      return <AlertsWidget widget={widget} entries={entries} />;
    case 'forecast':
      return <ForecastWidget widget={widget} entries={entries} />;
    case 'insights':
      return <InsightsWidget widget={widget} entries={entries} />;
    case 'visitors':
      return <VisitorsWidget widget={widget} entries={entries} />;
    case 'saved-goal':
      return <SavedGoalWidget widget={widget} entries={entries} />;
    case 'peers':
      return <PeersWidget widget={widget} entries={entries} />;
  }
}

function KpiFigure({ id, figure, metric, compare }: { id: string; figure: Figure; metric: Metric; compare: boolean }) {
  const reducedMotion = usePrefersReducedMotion();
  const shown = useCountUp(figure.value ?? 0, !reducedMotion);
  const text = figure.value === null ? '—' : formatFigure(shown, metric, figure.currency);
  const delta = formatDelta(figure.changeRatio);
  const sentiment = deltaSentiment(delta.direction, higherIsBetter(metric));
  const suffix = figure.currency ? `-${figure.currency}` : '';
  return (
    <div className="kpi">
      {/* data-value is the exact figure, never the tween in progress; screen readers get the settled text. */}
      <p className="kpi__value" data-testid={`widget-${id}-value${suffix}`} data-value={figure.value ?? ''} aria-hidden="true">
        {text}
      </p>
      <p className="visually-hidden">{formatFigure(figure.value, metric, figure.currency)}</p>
      {compare ? (
        <p className={`kpi__delta tile__delta--${sentiment}`} title={`Same time last week: ${formatFigure(figure.lastWeek, metric, figure.currency)}`}>
          {delta.text}
        </p>
      ) : null}
    </div>
  );
}

function KpiWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const figures = figuresFor(widget.settings, entries);
  const compare = widget.settings.comparison === 'last-week';
  const guests = guestOrdersFor(widget.settings, entries);
  return (
    <div className={`kpis${figures.length > 1 ? ' kpis--several' : ''}`}>
      {figures.map((figure) => (
        <KpiFigure key={figure.currency ?? 'count'} id={widget.id} figure={figure} metric={widget.settings.metric} compare={compare} />
      ))}
      {guests !== null && guests > 0 ? (
        <p className="kpi__note" data-testid={`widget-${widget.id}-guests`}>
          + {formatCount(guests)} guest {guests === 1 ? 'order' : 'orders'} (no customer id or e-mail)
        </p>
      ) : null}
    </div>
  );
}

function ChartWidget({ widget, entries, onDrill }: WidgetBodyProps) {
  const data = chartData(widget.settings, entries);
  const timeZone = entries[0]?.tiles.timeZone ?? 'UTC';
  return (
    <Suspense fallback={<div className="board-chart" aria-busy="true" />}>
      <BoardChart
        id={widget.id}
        data={data}
        metric={widget.settings.metric}
        chartType={widget.settings.chartType ?? 'bar'}
        timeZone={timeZone}
        onPick={(minute) => onDrill({ kind: 'minute', widget, minute })}
      />
    </Suspense>
  );
}

function RankingWidget({ widget, entries, onDrill }: WidgetBodyProps) {
  const rows = rankingRows(widget.settings, entries);
  const compare = widget.settings.comparison === 'last-week';
  const severalCurrencies = new Set(rows.map((r) => r.currency)).size > 1;
  return (
    <table className="ranking" data-testid={`widget-${widget.id}-ranking`}>
      <caption className="visually-hidden">Channels ranked by {metricLabels[widget.settings.metric].toLowerCase()}</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Channel</th>
          <th scope="col" className="num">
            {metricLabels[widget.settings.metric]}
          </th>
          {compare ? (
            <th scope="col" className="num">
              vs last week
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const delta = formatDelta(row.changeRatio);
          return (
            <tr key={`${row.channel}-${row.currency ?? ''}`} data-channel={row.channel}>
              <td>{row.rank}</td>
              <td>
                <button type="button" className="link-button" onClick={() => onDrill({ kind: 'channel', widget, channel: row.channel })}>
                  {row.channel}
                  {severalCurrencies && row.currency ? ` (${row.currency})` : ''}
                </button>
              </td>
              <td className="num" data-value={row.value ?? ''}>
                {formatFigure(row.value, widget.settings.metric, row.currency)}
              </td>
              {compare ? (
                <td className={`num tile__delta--${deltaSentiment(delta.direction, higherIsBetter(widget.settings.metric))}`}>
                  {delta.text.replace(' vs last week', '')}
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Semicircle gauge: an arc from left to right, filled in proportion to progress (capped at full). */
function Gauge({ ratio }: { ratio: number }) {
  const clamped = Math.min(1, Math.max(0, ratio));
  const angle = Math.PI * (1 - clamped);
  const x = 50 + 40 * Math.cos(angle);
  const y = 50 - 40 * Math.sin(angle);
  return (
    <svg viewBox="0 0 100 55" className="gauge" aria-hidden="true" focusable="false">
      <path d="M 10 50 A 40 40 0 0 1 90 50" className="gauge__track" />
      {clamped > 0 ? <path d={`M 10 50 A 40 40 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}`} className="gauge__fill" /> : null}
    </svg>
  );
}

function GoalWidget({ widget, entries }: { widget: Widget; entries: readonly StoreFigures[] }) {
  const state = goalState(widget.settings, entries);
  const metric = widget.settings.metric;
  if (state.kind === 'waiting') return <p className="widget__empty">Waiting for figures…</p>;
  if (state.kind === 'mixed') {
    return (
      <p className="widget__empty">
        These stores sell in {state.currencies.join(' and ')}; a money goal needs one currency. Pick a channel in the widget’s settings.
      </p>
    );
  }
  const format = (n: number) => (isMoney(metric) && state.currency ? formatMoney(n, state.currency) : formatCount(n));
  const label = widget.settings.targetLabel?.trim() || 'Target';
  const progress = formatProgress(state.ratio);
  return (
    <div
      className={`goal${state.ratio >= 1 ? ' goal--met' : ''}`}
      role="progressbar"
      aria-label={`${label}: ${metricLabels[metric]}`}
      aria-valuemin={0}
      aria-valuemax={state.target}
      aria-valuenow={Math.min(state.value, state.target)}
      aria-valuetext={`${progress} of ${format(state.target)}`}
    >
      <Gauge ratio={state.ratio} />
      <p className="goal__progress" data-testid={`widget-${widget.id}-progress`} data-value={state.value}>
        {progress}
      </p>
      <p className="goal__detail">
        {format(state.value)} of {format(state.target)}
        <span className="goal__label"> · {label}</span>
      </p>
    </div>
  );
}
