import { lazy, Suspense, useCallback, useEffect, useId, useRef, useState, type MouseEvent } from 'react';
import { dashboardPath, importPath } from '../../app/routing';
import { usePrefersReducedMotion } from '../../app/usePrefersReducedMotion';
import { formatMoney, localDateIn } from '../../lib/format';
import type { StoreKey } from '../../lib/types';
import { fetchBreakdown, fetchSummary, fetchTrend } from './api';
import { barWidths, defaultScope, dimensionOptions, formatRowChange, rankOptions } from './breakdown';
import { formatHistoryDelta, formatKpi, kpiDefinitions, trendMetricKind, trendMetricLabels, type KpiDefinition, type TrendMetric } from './kpis';
import {
  autoGrain,
  compareOptions,
  compareWords,
  customPeriodProblem,
  describePeriod,
  grainOptions,
  historyQuery,
  narrowToPoint,
  periodDays,
  periodOptions,
  searchFromSelection,
  selectionFromSearch,
  trendQuery,
  type HistorySelection,
  type PeriodKind,
} from './period';
import { bucketLabel } from './trendChartOption';
import type { BreakdownDimension, Grain, HistoryBreakdown, HistoryTrend, RankMetric } from './types';
import { useFetched } from './useFetched';
import './history.css';
import { ExportButtons } from '../reports/ExportButtons';
import { historyExportUrl } from '../reports/exportLinks';
import '../reports/exports.css';

// ECharts is most of the bundle; the figures and tables paint before it arrives.
const TrendChart = lazy(() => import('./TrendChart'));

export interface HistoryPageProps {
  store: StoreKey;
  /** The store's name and zone when the store list has them; the page works from the figures' own otherwise. */
  storeName?: string;
  timeZone?: string;
  navigate: (path: string) => void;
}

const breakdownLimit = 25;

/** Keeps the selection in the address bar, so a view can be shared and Back undoes a drill-down. */
function useSelection(): [HistorySelection, (next: HistorySelection) => void] {
  const [selection, setSelection] = useState(() => selectionFromSearch(window.location.search));
  useEffect(() => {
    const onPop = () => setSelection(selectionFromSearch(window.location.search));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const change = useCallback((next: HistorySelection) => {
    setSelection(next);
    window.history.pushState(null, '', `${window.location.pathname}${searchFromSelection(next)}`);
  }, []);
  return [selection, change];
}

/** "Compared to what, and why": a store's figures over a period against another, its trend, and what drove it. */
export function HistoryPage({ store, storeName, timeZone, navigate }: HistoryPageProps) {
  const [selection, setSelection] = useSelection();
  const [metric, setMetric] = useState<TrendMetric>('grossRevenue');
  const [by, setBy] = useState<BreakdownDimension>('channel');
  const [scope, setScope] = useState<'store' | 'tenant'>(defaultScope('channel'));
  const [rank, setRank] = useState<RankMetric>('revenue');
  const [showAll, setShowAll] = useState(false);
  const [draftFrom, setDraftFrom] = useState(selection.from ?? '');
  const [draftTo, setDraftTo] = useState(selection.to ?? '');
  const breakdownHeading = useRef<HTMLHeadingElement>(null);
  const reducedMotion = usePrefersReducedMotion();
  const ids = useId();

  const storeKey = `${store.tenantId}/${store.storeId}`;
  const selectionKey = `${storeKey}?${searchFromSelection(selection)}`;
  const summary = useFetched(selectionKey, (signal) => fetchSummary(store, selection, signal));
  const zone = summary.data?.timeZone ?? timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const today = localDateIn(new Date(), zone);
  const trend = useFetched(`${selectionKey}|${today}`, (signal) => fetchTrend(store, selection, today, signal));
  const limit = showAll ? null : breakdownLimit;
  const breakdown = useFetched(`${selectionKey}|${by}|${scope}|${rank}|${limit}`, (signal) =>
    fetchBreakdown(store, scope, selection, by, rank, limit, signal),
  );

  useEffect(() => {
    setDraftFrom(selection.from ?? '');
    setDraftTo(selection.to ?? '');
  }, [selection.from, selection.to]);

  const currency = summary.data?.currency ?? trend.data?.currency ?? '';
  const words = compareWords(selection.compare);
  const days = periodDays(selection, today);
  const grains = grainOptions(days);

  const go = (to: string) => (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    navigate(to);
  };

  const pickPeriod = (period: PeriodKind) => {
    if (period === 'custom') {
      // Start a custom period from the dates on screen, so switching to it changes nothing until a date is edited.
      const from = summary.data?.period.from ?? today;
      const to = summary.data?.period.to ?? today;
      setSelection({ ...selection, period, from, to });
    } else {
      setSelection({ ...selection, period, from: null, to: null });
    }
  };

  const applyCustom = (from: string, to: string) => {
    setDraftFrom(from);
    setDraftTo(to);
    if (!customPeriodProblem(from || null, to || null)) setSelection({ ...selection, period: 'custom', from, to });
  };

  const drill = (definition: KpiDefinition) => {
    if (definition.trend) setMetric(definition.trend);
    setRank(definition.rank);
    breakdownHeading.current?.scrollIntoView({ behavior: reducedMotion ? 'auto' : 'smooth', block: 'start' });
    breakdownHeading.current?.focus({ preventScroll: true });
  };

  const narrow = (data: HistoryTrend, index: number) => {
    const point = data.points[index];
    if (!point) return;
    const next = narrowToPoint(point.start, data.grain, data.period, selection.compare);
    if (next) setSelection(next);
  };

  const pickDimension = (next: BreakdownDimension) => {
    setBy(next);
    setScope(defaultScope(next));
  };

  const customInvalid = selection.period === 'custom' ? customPeriodProblem(draftFrom || null, draftTo || null) : null;
  const dimension = dimensionOptions.find((d) => d.value === by) ?? dimensionOptions[0]!;
  const rankLabel = rankOptions.find((r) => r.value === rank)?.label ?? 'Revenue';

  return (
    <div className="history">
      <header className="history__header">
        <div>
          <h1>History · {storeName ?? store.storeId}</h1>
          <p className="history__period" data-testid="history-period" aria-live="polite">
            {summary.data ? (
              <>
                {describePeriod(summary.data.period)}
                {summary.data.comparison ? <span className="history__muted"> {words.replace(/^vs/, 'compared with')} ({describePeriod(summary.data.comparison)})</span> : null}
              </>
            ) : (
              'Loading period…'
            )}
          </p>
        </div>
        <nav className="history__links" aria-label="This store">
          <a href={dashboardPath(store)} onClick={go(dashboardPath(store))}>
            Live dashboard
          </a>
          <a href={importPath(store)} onClick={go(importPath(store))}>
            Import history
          </a>
        </nav>
      </header>

      <form className="history__controls" aria-label="Period and comparison" onSubmit={(e) => e.preventDefault()}>
        <Choice label="Period" value={selection.period} options={periodOptions} onChange={pickPeriod} testId="period-select" />
        {selection.period === 'custom' ? (
          <>
            <label>
              <span>From</span>
              <input type="date" value={draftFrom} onChange={(e) => applyCustom(e.target.value, draftTo)} aria-describedby={`${ids}-custom`} />
            </label>
            <label>
              <span>To</span>
              <input type="date" value={draftTo} onChange={(e) => applyCustom(draftFrom, e.target.value)} aria-describedby={`${ids}-custom`} />
            </label>
          </>
        ) : null}
        <Choice label="Compare with" value={selection.compare} options={compareOptions} onChange={(compare) => setSelection({ ...selection, compare })} />
        <label>
          <span>Trend by</span>
          <select
            value={selection.grain && grains.includes(selection.grain) ? selection.grain : ''}
            onChange={(e) => setSelection({ ...selection, grain: (e.target.value || null) as Grain | null })}
          >
            <option value="">Automatic ({autoGrain(days)})</option>
            {grains.map((g) => (
              <option key={g} value={g}>
                {g[0]!.toUpperCase() + g.slice(1)}
              </option>
            ))}
          </select>
        </label>
        <p id={`${ids}-custom`} className={customInvalid ? 'history__problem' : 'visually-hidden'} role={customInvalid ? 'alert' : undefined}>
          {customInvalid ?? 'Dates are the store’s own days, both included.'}
        </p>
      </form>

      {summary.status === 'error' ? <LoadProblem what="figures" message={summary.message} /> : null}

      <main>
        <section aria-labelledby={`${ids}-kpis`}>
          <div className="history-card__head">
            <h2 id={`${ids}-kpis`} className="section-heading">
              Key figures
            </h2>
            <ExportButtons label="key figures" href={(format) => historyExportUrl(store, 'summary', historyQuery(selection), format)} />
          </div>
          <ul className="history-kpis" aria-busy={summary.status === 'loading'} data-testid="history-kpis">
            {kpiDefinitions.map((definition) => {
              const delta = summary.data?.kpis[definition.id];
              const shown = delta ? formatHistoryDelta(delta, definition.kind, definition.higherIsBetter, currency, words) : null;
              return (
                <li key={definition.id} className="history-kpi">
                  <h3 className="history-kpi__label">{definition.label}</h3>
                  <p className="history-kpi__value" data-testid={`kpi-${definition.id}-value`} data-value={delta?.value ?? ''}>
                    {delta ? formatKpi(delta.value, definition.kind, currency) : '…'}
                  </p>
                  {shown && shown.text ? (
                    <p className={`history-kpi__delta history-kpi__delta--${shown.sentiment}`} data-testid={`kpi-${definition.id}-delta`}>
                      {shown.text}
                      {/* "was" adds nothing to "▲ from £0.00". */}
                      {delta && delta.previous !== null && delta.previous !== 0 ? (
                        <span className="history-kpi__previous"> (was {formatKpi(delta.previous, definition.kind, currency)})</span>
                      ) : null}
                    </p>
                  ) : null}
                  <button type="button" className="history-kpi__drill" onClick={() => drill(definition)} aria-label={`Break down ${definition.label.toLowerCase()}`}>
                    Break down
                  </button>
                </li>
              );
            })}
          </ul>
        </section>

        <section className="history-card" aria-labelledby={`${ids}-trend`}>
          <div className="history-card__head">
            <h2 id={`${ids}-trend`} className="section-heading">
              {trendMetricLabels[metric]} {trend.data ? `by ${trend.data.grain}` : ''}
            </h2>
            <ExportButtons label="trend" href={(format) => historyExportUrl(store, 'trend', trendQuery(selection, today), format)} />
            <Choice label="Show" value={metric} options={trendMetricOptions} onChange={setMetric} />
          </div>
          {trend.status === 'error' ? <LoadProblem what="trend" message={trend.message} /> : null}
          {trend.data ? (
            <>
              <Suspense fallback={<div className="history-trend__chart" aria-busy="true" />}>
                <TrendChart trend={trend.data} metric={metric} onPick={(index) => trend.data && narrow(trend.data, index)} />
              </Suspense>
              <TrendTable trend={trend.data} metric={metric} onNarrow={(index) => trend.data && narrow(trend.data, index)} />
            </>
          ) : (
            <div className="history-trend__chart" aria-busy="true" />
          )}
        </section>

        <section className="history-card" aria-labelledby={`${ids}-breakdown`}>
          <div className="history-card__head">
            <h2 id={`${ids}-breakdown`} className="section-heading" ref={breakdownHeading} tabIndex={-1}>
              {dimension.label} by {rankLabel.toLowerCase()}
            </h2>
            <ExportButtons
              label="breakdown"
              href={(format) =>
                historyExportUrl(store, 'breakdown', historyQuery(selection, { by, rank, ...(limit !== null ? { limit: String(limit) } : {}) }), format, scope)
              }
            />
          </div>
          <div className="history-tabs" role="group" aria-label="Break down by">
            {dimensionOptions.map((d) => (
              <button key={d.value} type="button" aria-pressed={d.value === by} onClick={() => pickDimension(d.value)}>
                {d.label}
              </button>
            ))}
          </div>
          <div className="history-card__options">
            <label>
              <span>Stores</span>
              <select value={scope} onChange={(e) => setScope(e.target.value as 'store' | 'tenant')}>
                <option value="store">This store</option>
                <option value="tenant">All stores of {store.tenantId}</option>
              </select>
            </label>
            <Choice label="Rank by" value={rank} options={rankOptions} onChange={setRank} />
          </div>
          {breakdown.status === 'error' ? <LoadProblem what="breakdown" message={breakdown.message} /> : null}
          {breakdown.data ? (
            <BreakdownTable
              data={breakdown.data}
              noun={dimension.noun}
              rank={rank}
              words={words}
              busy={breakdown.status === 'loading'}
              showAll={showAll}
              onShowAll={() => setShowAll(true)}
            />
          ) : breakdown.status === 'loading' ? (
            <p className="notice">Loading…</p>
          ) : null}
        </section>
      </main>
    </div>
  );
}

const trendMetricOptions = (Object.keys(trendMetricLabels) as TrendMetric[]).map((value) => ({ value, label: trendMetricLabels[value] }));

/** A labelled drop-down of the page's controls. */
function Choice<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  testId?: string | undefined;
}) {
  return (
    <label>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T)} data-testid={testId}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

function LoadProblem({ what, message }: { what: string; message: string }) {
  return (
    <p className="notice notice--error" role="alert">
      Could not load the {what}: {message}
    </p>
  );
}

function TrendTable({ trend, metric, onNarrow }: { trend: HistoryTrend; metric: TrendMetric; onNarrow: (index: number) => void }) {
  const kind = trendMetricKind(metric);
  const spans = trend.period.from !== trend.period.to;
  return (
    <details className="history-trend__table">
      <summary>Show the trend as a table</summary>
      <div className="history-table-wrap">
        <table>
          <caption className="visually-hidden">
            {trendMetricLabels[metric]} by {trend.grain}
          </caption>
          <thead>
            <tr>
              <th scope="col">{trend.grain[0]!.toUpperCase() + trend.grain.slice(1)}</th>
              <th scope="col" className="num">
                {trendMetricLabels[metric]}
              </th>
              {trend.comparisonPoints ? (
                <th scope="col" className="num">
                  Comparison
                </th>
              ) : null}
              {trend.grain !== 'minute' ? <th scope="col">Look closer</th> : null}
            </tr>
          </thead>
          <tbody>
            {trend.points.map((p, i) => {
              const then = trend.comparisonPoints?.[i];
              const label = bucketLabel(p.start, trend.grain, spans);
              return (
                <tr key={p.start}>
                  <th scope="row">{label}</th>
                  <td className="num">{formatKpi(p[metric], kind, trend.currency)}</td>
                  {trend.comparisonPoints ? <td className="num">{then ? formatKpi(then[metric], kind, trend.currency) : '—'}</td> : null}
                  {trend.grain !== 'minute' ? (
                    <td>
                      <button type="button" onClick={() => onNarrow(i)} aria-label={`Look closer at ${label}`}>
                        Open
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}

interface BreakdownTableProps {
  data: HistoryBreakdown;
  noun: string;
  rank: RankMetric;
  words: string;
  busy: boolean;
  showAll: boolean;
  onShowAll: () => void;
}

/** Ranked groups side by side, each with a bar against the leader on the ranking figure. */
function BreakdownTable({ data, noun, rank, words, busy, showAll, onShowAll }: BreakdownTableProps) {
  // A tenant whose stores trade in several currencies answers "EUR,GBP": figures are summed unconverted.
  const mixed = data.currency.includes(',');
  const money = (value: number | null) => (value === null ? '—' : mixed ? value.toFixed(2) : formatMoney(value, data.currency));
  const widths = barWidths(data.rows, rank);
  if (data.rows.length === 0) return <p className="notice">Nothing was sold in this period.</p>;
  return (
    <>
      {mixed ? (
        <p className="history__muted">These stores trade in {data.currency.replaceAll(',', ', ')}; figures are added as they are, not converted.</p>
      ) : null}
      <div className="history-table-wrap">
        <table className="history-breakdown" aria-busy={busy} data-testid="history-breakdown">
          <caption className="visually-hidden">
            {noun} ranked by {rank}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">{noun}</th>
              <th scope="col" className="num">
                Revenue
              </th>
              <th scope="col" className="num">
                Share
              </th>
              <th scope="col" className="num">
                Orders
              </th>
              <th scope="col" className="num">
                Units
              </th>
              <th scope="col" className="num">
                Refunds
              </th>
              <th scope="col" className="num">
                Return rate
              </th>
              {data.comparison ? (
                <th scope="col" className="num">
                  Revenue {words}
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((row, i) => (
              <tr key={row.key}>
                <td className="num">{row.rank}</td>
                <th scope="row" className="history-breakdown__name">
                  <span>{row.label || row.key}</span>
                  <span className="history-bar" aria-hidden="true">
                    <span style={{ width: `${widths[i] ?? 0}%` }} />
                  </span>
                </th>
                <td className="num">{money(row.grossRevenue)}</td>
                <td className="num">{formatKpi(row.revenueShare, 'percent', '')}</td>
                <td className="num">{formatKpi(row.orders, 'count', '')}</td>
                <td className="num">{formatKpi(row.units, 'count', '')}</td>
                <td className="num">{money(row.refunds)}</td>
                <td className="num">{formatKpi(row.returnRate, 'percent', '')}</td>
                {data.comparison ? <td className="num">{formatRowChange(row)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!showAll && data.totalGroups > data.rows.length ? (
        <p>
          Top {data.rows.length} of {data.totalGroups}.{' '}
          <button type="button" onClick={onShowAll}>
            Show all
          </button>
        </p>
      ) : null}
    </>
  );
}
