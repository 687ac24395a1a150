// Which figures the History page shows, how each prints, and what its delta says.
import { formatCount, formatMoney, type DeltaDirection, type Sentiment, deltaSentiment } from '../../lib/format';
import type { HistoryKpis, KpiDelta, RankMetric, TrendPoint } from './types';

export type KpiKind = 'money' | 'count' | 'percent';

/** The trend lines a KPI can be drawn as. */
export type TrendMetric = 'grossRevenue' | 'orders' | 'units' | 'refunds' | 'averageOrderValue' | 'conversionRate';

export interface KpiDefinition {
  id: keyof HistoryKpis;
  label: string;
  kind: KpiKind;
  higherIsBetter: boolean;
  /** What the breakdown ranks by when the person drills down from this KPI. */
  rank: RankMetric;
  /** The trend line drawn for this KPI; null where the trend has no such series. */
  trend: TrendMetric | null;
}

export const kpiDefinitions: readonly KpiDefinition[] = [
  { id: 'grossRevenue', label: 'Revenue', kind: 'money', higherIsBetter: true, rank: 'revenue', trend: 'grossRevenue' },
  { id: 'orders', label: 'Orders', kind: 'count', higherIsBetter: true, rank: 'orders', trend: 'orders' },
  { id: 'averageOrderValue', label: 'Average order value', kind: 'money', higherIsBetter: true, rank: 'revenue', trend: 'averageOrderValue' },
  { id: 'conversionRate', label: 'Conversion rate', kind: 'percent', higherIsBetter: true, rank: 'orders', trend: 'conversionRate' },
  { id: 'unitsSold', label: 'Units sold', kind: 'count', higherIsBetter: true, rank: 'units', trend: 'units' },
  { id: 'refunds', label: 'Refunds', kind: 'money', higherIsBetter: false, rank: 'refunds', trend: 'refunds' },
  { id: 'newCustomers', label: 'Orders from new customers', kind: 'count', higherIsBetter: true, rank: 'orders', trend: null },
  { id: 'returningCustomers', label: 'Orders from returning customers', kind: 'count', higherIsBetter: true, rank: 'orders', trend: null },
];

export const trendMetricLabels: Record<TrendMetric, string> = {
  grossRevenue: 'Revenue',
  orders: 'Orders',
  units: 'Units sold',
  refunds: 'Refunds',
  averageOrderValue: 'Average order value',
  conversionRate: 'Conversion rate',
};

export function trendMetricKind(metric: TrendMetric): KpiKind {
  return metric === 'grossRevenue' || metric === 'refunds' || metric === 'averageOrderValue'
    ? 'money'
    : metric === 'conversionRate'
      ? 'percent'
      : 'count';
}

/** A point's figure for a metric; null where it is unknown (no orders for AOV, no sessions for conversion). */
export function trendValue(point: TrendPoint, metric: TrendMetric): number | null {
  return point[metric];
}

const percentFormat = new Intl.NumberFormat('en-GB', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 2 });

/** A figure as printed; "—" where it is unknown (a rate of nothing). */
export function formatKpi(value: number | null, kind: KpiKind, currency: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (kind === 'money') return formatMoney(value, currency);
  if (kind === 'percent') return percentFormat.format(value);
  return formatCount(value);
}

export interface HistoryDelta {
  text: string;
  direction: DeltaDirection;
  sentiment: Sentiment;
}

/**
 * The line under a KPI: "▲ 12.5% vs previous period", or "▲ from £0.00" where the comparison was zero (a percentage of
 * nothing means nothing). Rates compare in percentage points, which is how people talk about conversion.
 */
export function formatHistoryDelta(
  delta: KpiDelta,
  kind: KpiKind,
  higherIsBetter: boolean,
  currency: string,
  words: string,
): HistoryDelta {
  const suffix = words ? ` ${words}` : '';
  const none = (text: string): HistoryDelta => ({ text, direction: 'none', sentiment: 'neutral' });
  if (!words) return none('');
  if (delta.value === null || delta.previous === null) return none(`— no figure to compare${suffix}`);
  const signed = (direction: DeltaDirection, body: string): HistoryDelta => ({
    text: `${direction === 'up' ? '▲' : direction === 'down' ? '▼' : '—'} ${body}${suffix}`,
    direction,
    sentiment: deltaSentiment(direction, higherIsBetter),
  });
  if (kind === 'percent') {
    const points = Math.round((delta.value - delta.previous) * 1000) / 10;
    const direction: DeltaDirection = points > 0 ? 'up' : points < 0 ? 'down' : 'flat';
    return signed(direction, `${Math.abs(points).toFixed(1)} pts`);
  }
  if (delta.previous === 0) {
    if (delta.value === 0) return signed('flat', '0.0%');
    return signed(delta.value > 0 ? 'up' : 'down', `from ${formatKpi(0, kind, currency)}`);
  }
  const ratio = delta.changeRatio ?? (delta.value - delta.previous) / delta.previous;
  const tenths = Math.round(Math.abs(ratio) * 1000);
  const direction: DeltaDirection = tenths === 0 ? 'flat' : ratio > 0 ? 'up' : 'down';
  return signed(direction, `${(tenths / 10).toFixed(1)}%`);
}
