// "Alert me when this…": a widget links to the Alerts page with the rule prefilled in the query string, so any page can
// offer it without importing the editor.

/** What a new rule starts from when a widget opens the editor. */
export interface RuleDraft {
  name?: string;
  kind?: 'Threshold' | 'PercentChange' | 'Anomaly' | 'NoOrders';
  metric?: string;
  storeId?: string | null;
  channel?: string | null;
  threshold?: number | null;
  windowMinutes?: number;
}

const METRICS = new Set(['Revenue', 'Orders', 'AverageOrderValue', 'ConversionRate']);
const KINDS = new Set(['Threshold', 'PercentChange', 'Anomaly', 'NoOrders']);

export interface AlertMeWhen {
  tenantId: string;
  /** The store the widget shows; null or absent for an organisation-wide widget. */
  storeId?: string | null | undefined;
  /** The widget's figure in alert terms (Revenue, Orders, AverageOrderValue, ConversionRate). */
  metric: string;
  /** The widget's channel filter; null for every channel. */
  channel?: string | null | undefined;
  /** What the widget is called, to name the rule. */
  title?: string | undefined;
}

/** The alert metric a widget's figure maps to; null for figures no rule can watch (refunds, visitors, ...). */
export function alertMetricOf(figure: string): string | null {
  const key = figure.replace(/[\s_-]/g, '').toLowerCase();
  const map: Record<string, string> = {
    revenue: 'Revenue',
    revenuetoday: 'Revenue',
    grossrevenue: 'Revenue',
    netrevenue: 'Revenue',
    sales: 'Revenue',
    orders: 'Orders',
    orderstoday: 'Orders',
    ordercount: 'Orders',
    aov: 'AverageOrderValue',
    averageordervalue: 'AverageOrderValue',
    conversion: 'ConversionRate',
    conversionrate: 'ConversionRate',
  };
  return map[key] ?? null;
}

/** The Alerts page address that opens a new rule for this widget. */
export function alertMeHref({ tenantId, storeId, metric, channel, title }: AlertMeWhen): string {
  const q = new URLSearchParams({ newRule: '1', metric });
  if (storeId) q.set('store', storeId);
  if (channel) q.set('channel', channel);
  if (title) q.set('name', title);
  return `/t/${encodeURIComponent(tenantId)}/alerts?${q.toString()}`;
}

/** The draft an Alerts page address carries; undefined when it carries none. Unknown metrics are dropped, not guessed. */
export function ruleDraftFrom(search: string): RuleDraft | undefined {
  const q = new URLSearchParams(search);
  if (q.get('newRule') !== '1') return undefined;
  const metric = q.get('metric');
  const kind = q.get('kind');
  const draft: RuleDraft = { kind: kind && KINDS.has(kind) ? (kind as NonNullable<RuleDraft['kind']>) : 'Threshold' };
  if (metric && METRICS.has(metric)) draft.metric = metric;
  const store = q.get('store');
  if (store) draft.storeId = store;
  const channel = q.get('channel');
  if (channel) draft.channel = channel;
  const name = q.get('name');
  if (name) draft.name = name.slice(0, 80);
  return draft;
}
