// The widget palette and which settings each widget accepts. The server checks the same rules
// (src/Web/Dashboards/DashboardValidation.cs). Top products, the order map and the order feed read today's history
// and the alerts list, forecast and insights read their own APIs (widgets/widgetData.ts); the rest are figures the live tiles carry.
import { customMetricId, type ChartType, type Comparison, type Metric, type Period, type Widget, type WidgetKind, type WidgetSettings } from './types';

export const GRID_COLUMNS = 12;

export interface PaletteEntry {
  kind: WidgetKind;
  label: string;
  description: string;
  /** Size in grid units when dropped or added. */
  size: { w: number; h: number };
}

export const palette: readonly PaletteEntry[] = [
  { kind: 'kpi', label: 'KPI number', description: 'One figure with its change on last week', size: { w: 3, h: 3 } },
  { kind: 'chart', label: 'Chart', description: 'Line, area or bar chart, minute by minute', size: { w: 6, h: 5 } },
  { kind: 'ranking', label: 'Channel ranking', description: 'Channels ranked by a figure', size: { w: 4, h: 5 } },
  { kind: 'goal', label: 'Goal gauge', description: 'Progress towards a target, e.g. Black Friday', size: { w: 3, h: 4 } },
  { kind: 'top-products', label: 'Top products', description: "Today's best sellers by revenue or units", size: { w: 4, h: 6 } },
  { kind: 'order-map', label: 'Orders map', description: "Today's revenue or orders by country", size: { w: 6, h: 6 } },
  { kind: 'order-feed', label: 'Live order feed', description: 'The latest orders as they arrive', size: { w: 6, h: 6 } },
  { kind: 'forecast', label: 'Forecast', description: 'Where today’s revenue is heading, with a range', size: { w: 4, h: 3 } },
  { kind: 'alerts', label: 'Alerts', description: 'Alerts firing, acknowledged and resolved', size: { w: 4, h: 5 } },
  { kind: 'insights', label: 'Insights', description: 'What moved today against last week, with the figures', size: { w: 5, h: 5 } },
  { kind: 'saved-goal', label: 'Saved goal', description: 'Progress and pace of a goal set on the Goals page', size: { w: 4, h: 4 } },
  { kind: 'visitors', label: 'Visitors and conversion', description: 'Visitors now, sessions by source and conversion, from Google Analytics 4', size: { w: 4, h: 5 } },
  { kind: 'peers', label: 'You vs peers', description: 'One figure against the quartiles of similar shops', size: { w: 4, h: 4 } },
];

export const metricLabels: Record<Metric, string> = {
  'gross-revenue': 'Gross revenue',
  'net-revenue': 'Net revenue',
  refunds: 'Refunds',
  orders: 'Orders',
  'average-order-value': 'Average order value',
  'units-sold': 'Units sold',
  'new-customers': 'New customers',
  'returning-customers': 'Returning customers',
  'conversion-rate': 'Conversion rate',
  'repeat-rate': 'Repeat-customer rate',
  'refund-rate': 'Refund rate',
  'revenue-growth-wow': 'Revenue growth, week over week',
  'revenue-growth-mom': 'Revenue growth, 28 days over 28',
  roas: 'ROAS',
};

/** What "you vs peers" compares: the peer benchmark metrics, over the last 28 days of the whole organisation. */
export const peerMetrics: readonly Metric[] = [
  'conversion-rate',
  'average-order-value',
  'repeat-rate',
  'refund-rate',
  'revenue-growth-wow',
  'revenue-growth-mom',
  'roas',
];

export const periodLabels: Record<Period, string> = {
  today: 'Today so far',
  'last-60-minutes': 'Last 60 minutes',
  'last-15-minutes': 'Last 15 minutes',
};

export const comparisonLabels: Record<Comparison, string> = {
  none: 'No comparison',
  'last-week': 'Same time last week',
};

export const chartTypeLabels: Record<ChartType, string> = { line: 'Line', area: 'Area', bar: 'Bar' };

/** Channels a store can come from (src/Contracts SalesChannel), for the channel filter. */
export const channels = [
  'OnlineStore',
  'Shopify',
  'WooCommerce',
  'Stripe',
  'PayPal',
  'Amazon',
  'GoogleAnalytics',
  'FacebookAds',
  'GoogleAds',
  'Shipping',
] as const;

const todayMetrics: readonly Metric[] = [
  'gross-revenue',
  'net-revenue',
  'refunds',
  'orders',
  'average-order-value',
  'units-sold',
  'new-customers',
  'returning-customers',
];
// The last hour's per-minute series carries revenue and orders, nothing else.
const minuteMetrics: readonly Metric[] = ['gross-revenue', 'orders', 'average-order-value'];
const chartMetrics: readonly Metric[] = ['gross-revenue', 'orders'];
const goalMetrics: readonly Metric[] = ['gross-revenue', 'net-revenue', 'orders', 'units-sold'];

/** Money metrics are summed per currency; the rest are counts and add up across stores. */
export function isMoney(metric: Metric): boolean {
  return metric === 'gross-revenue' || metric === 'net-revenue' || metric === 'refunds' || metric === 'average-order-value';
}

/** False where a rise is bad news (refunds). */
export function higherIsBetter(metric: Metric): boolean {
  return metric !== 'refunds';
}

export function periodsFor(kind: WidgetKind): Period[] {
  switch (kind) {
    case 'chart':
      return ['last-60-minutes', 'last-15-minutes'];
    case 'goal':
    case 'top-products':
    case 'order-map':
    case 'order-feed':
    case 'alerts':
    case 'forecast':
    case 'insights':
    case 'visitors':
    case 'saved-goal':
    case 'peers':
      return ['today'];
    default:
      return ['today', 'last-60-minutes', 'last-15-minutes'];
  }
}

export function metricsFor(kind: WidgetKind, period: Period): readonly Metric[] {
  if (kind === 'chart') return chartMetrics;
  if (kind === 'goal') return goalMetrics;
  if (kind === 'top-products') return ['gross-revenue', 'units-sold'];
  if (kind === 'order-map') return ['gross-revenue', 'orders'];
  // Visitors, sources and conversion come together from GA4: there is no figure to choose.
  // A saved goal brings its own metric.
  if (kind === 'order-feed' || kind === 'alerts' || kind === 'visitors' || kind === 'saved-goal') return ['orders'];
  if (kind === 'forecast' || kind === 'insights') return ['gross-revenue'];
  if (kind === 'peers') return peerMetrics;
  return period === 'today' ? todayMetrics : minuteMetrics;
}

export function comparisonsFor(kind: WidgetKind, period: Period): Comparison[] {
  return period === 'today' && (kind === 'kpi' || kind === 'ranking') ? ['none', 'last-week'] : ['none'];
}

/** A new widget of `kind` with settings that make sense straight away. */
export function newWidget(kind: WidgetKind, id: string): Widget {
  const base: WidgetSettings = {
    metric: 'gross-revenue',
    period: 'today',
    comparison: 'none',
    channel: null,
    chartType: null,
    target: null,
    targetLabel: null,
  };
  switch (kind) {
    case 'kpi':
      return { id, kind, title: null, settings: { ...base, comparison: 'last-week' } };
    case 'chart':
      return { id, kind, title: null, settings: { ...base, period: 'last-60-minutes', chartType: 'bar' } };
    case 'ranking':
      return { id, kind, title: null, settings: { ...base, comparison: 'last-week' } };
    case 'goal':
      return { id, kind, title: null, settings: { ...base, target: 10_000, targetLabel: 'Daily target' } };
    case 'top-products':
    case 'order-map':
    case 'forecast':
    case 'insights':
      return { id, kind, title: null, settings: base };
    case 'order-feed':
    case 'alerts':
    case 'visitors':
      return { id, kind, title: null, settings: { ...base, metric: 'orders' } };
    case 'saved-goal':
      return { id, kind, title: null, settings: { ...base, metric: 'orders', goalId: null } };
    case 'peers':
      return { id, kind, title: null, settings: { ...base, metric: 'conversion-rate' } };
  }
}

/**
 * Settings after one field changed: anything the new combination does not allow falls back to the first allowed
 * value, so the editor can never save a widget the server would refuse.
 */
export function normaliseSettings(kind: WidgetKind, settings: WidgetSettings): WidgetSettings {
  // A custom metric (src/Web/Metrics) is today's figure in a kpi or today's hours in a chart; the server allows nothing else.
  if (customMetricId(settings.metric) !== null && (kind === 'kpi' || kind === 'chart')) {
    return {
      metric: settings.metric,
      period: 'today',
      comparison: 'none',
      channel: settings.channel && (channels as readonly string[]).includes(settings.channel) ? settings.channel : null,
      chartType: kind === 'chart' ? (settings.chartType ?? 'line') : null,
      target: null,
      targetLabel: null,
    };
  }
  const periods = periodsFor(kind);
  const period = periods.includes(settings.period) ? settings.period : periods[0]!;
  const metrics = metricsFor(kind, period);
  const metric = metrics.includes(settings.metric) ? settings.metric : metrics[0]!;
  const comparisons = comparisonsFor(kind, period);
  const comparison = comparisons.includes(settings.comparison) ? settings.comparison : 'none';
  return {
    metric,
    period,
    comparison,
    // Peers compare the whole organisation; the server refuses a channel there.
    channel: kind !== 'peers' && settings.channel && (channels as readonly string[]).includes(settings.channel) ? settings.channel : null,
    chartType: kind === 'chart' ? (settings.chartType ?? 'bar') : null,
    target: kind === 'goal' ? settings.target : null,
    targetLabel: kind === 'goal' ? settings.targetLabel : null,
    ...(kind === 'saved-goal' ? { goalId: settings.goalId ?? null } : {}),
  };
}

/** The heading a widget shows: its own title, or what it measures. */
export function widgetTitle(widget: Widget): string {
  if (widget.title?.trim()) return widget.title.trim();
  const { metric, period, channel } = widget.settings;
  const on = channel ? ` · ${channel}` : '';
  if (widget.kind === 'top-products') return `Top products by ${metric === 'units-sold' ? 'units' : 'revenue'}, today${on}`;
  if (widget.kind === 'order-map') return `${metric === 'orders' ? 'Orders' : 'Revenue'} by country, today${on}`;
  if (widget.kind === 'order-feed') return `Latest orders${on}`;
  if (widget.kind === 'alerts') return `Alerts${on}`;
  if (widget.kind === 'forecast') return `Revenue forecast, today${on}`;
  if (widget.kind === 'insights') return `Insights, today against last week${on}`;
  if (widget.kind === 'visitors') return 'Visitors and conversion';
  if (widget.kind === 'saved-goal') return 'Goal';
  if (widget.kind === 'peers') return `${metricLabels[metric]}: you vs peers, last 28 days`;
  if (customMetricId(metric) !== null) return `Custom metric, today${on}`;
  const what = widget.kind === 'ranking' ? `Channels by ${metricLabels[metric].toLowerCase()}` : metricLabels[metric];
  const when = widget.kind === 'goal' ? 'today' : periodLabels[period].toLowerCase();
  return `${what}, ${when}${channel ? ` · ${channel}` : ''}`;
}
