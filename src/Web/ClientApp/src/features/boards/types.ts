// Shapes of /api/tenants/{tenantId}/dashboards and /api/wall/{token} (camelCase), mirroring src/Web/Dashboards.
import type { StoreSummary } from '../../lib/types';
import type { Branding } from '../branding/branding';

export type WidgetKind = 'kpi' | 'chart' | 'ranking' | 'goal' | 'top-products' | 'order-map' | 'order-feed' | 'alerts' | 'forecast' | 'insights' | 'visitors' | 'saved-goal' | 'peers';
export type Metric =
  | 'gross-revenue'
  | 'net-revenue'
  | 'refunds'
  | 'orders'
  | 'average-order-value'
  | 'units-sold'
  | 'new-customers'
  | 'returning-customers'
  // "You vs peers" compares these (src/Web/Benchmarks PeerBenchmarks.WidgetMetrics).
  | 'conversion-rate'
  | 'repeat-rate'
  | 'refund-rate'
  | 'revenue-growth-wow'
  | 'revenue-growth-mom'
  | 'roas';
export type Period = 'today' | 'last-60-minutes' | 'last-15-minutes';
export type Comparison = 'none' | 'last-week';
export type ChartType = 'line' | 'area' | 'bar';

export interface WidgetSettings {
  metric: Metric;
  period: Period;
  comparison: Comparison;
  /** A SalesChannel name ("Shopify"…); null shows every channel of the organisation. */
  channel: string | null;
  chartType: ChartType | null;
  target: number | null;
  targetLabel: string | null;
  /** The goal a saved-goal widget shows (src/Web/Goals); left out by every other kind. */
  goalId?: string | null;
}

export interface Widget {
  id: string;
  kind: WidgetKind;
  title: string | null;
  settings: WidgetSettings;
}

/** Grid position in react-grid-layout's units: 12 columns, rows of fixed height. */
export interface GridItem {
  i: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface BoardInput {
  name: string;
  layout: GridItem[];
  widgets: Widget[];
}

export interface Board extends BoardInput {
  id: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
}

export interface BoardSummary {
  id: string;
  name: string;
  widgetCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface ShareLink {
  id: string;
  dashboardId: string;
  createdAt: string;
  revokedAt: string | null;
  /** When the link stops working; null for a link that works until switched off. */
  expiresAt?: string | null;
}

export interface ShareLinkCreated {
  id: string;
  token: string;
  url: string;
  createdAt: string;
  expiresAt?: string | null;
}

export interface WallView {
  tenantId: string;
  dashboard: Board;
  stores: StoreSummary[];
  /** The organisation's product name, logo and colours (SalesDash's unless its plan includes white-label). */
  branding?: Branding | null;
}

/** A widget showing an organisation's custom metric holds "custom:" and the metric's id as its metric. */
export const CUSTOM_METRIC_PREFIX = 'custom:';

export function customMetricId(metric: string): string | null {
  return metric.startsWith(CUSTOM_METRIC_PREFIX) ? metric.slice(CUSTOM_METRIC_PREFIX.length) : null;
}
