// Shapes of /api/tenants/{tenantId}/insights/channels (src/Web/Insights/ChannelInsightsApi.cs) and how its figures print.
import { getJson, tenantApi } from '../../lib/http';

export interface ChannelInsightRow {
  rank: number;
  channel: string;
  revenue: number;
  orders: number;
  averageOrderValue: number | null;
  share: number;
  spend: number;
  roas: number | null;
  firstTouchRoas: number | null;
  firstTouchRevenue: number;
  firstTouchOrders: number;
  lastTouchRevenue: number;
  lastTouchOrders: number;
}

/** What GA4 reported for one touch over the period: users, sessions and conversions, and conversions per session. */
export interface TrafficInsightRow {
  touch: string;
  users: number;
  activeUsers: number;
  sessions: number;
  conversions: number;
  conversionRate: number | null;
  sources: string[];
}

export interface ChannelInsightResponse {
  tenantId: string;
  currency: string;
  timeZone: string;
  period: { firstDate: string; lastDate: string; fromUtc: string; toUtc: string };
  revenue: number;
  orders: number;
  averageOrderValue: number | null;
  spend: number;
  mer: number | null;
  blendedRoas: number | null;
  adAttributedRevenue: number;
  customers: { identifiedOrders: number; customers: number; crossChannelCustomers: number; crossChannelRevenue: number };
  rows: ChannelInsightRow[];
  /** Empty until an analytics property (GA4) is connected. */
  traffic?: TrafficInsightRow[];
}

export function fetchChannelInsights(tenantId: string, period: string, signal?: AbortSignal): Promise<ChannelInsightResponse> {
  return getJson<ChannelInsightResponse>(tenantApi(tenantId, `insights/channels?period=${encodeURIComponent(period)}`), signal);
}

/** A ratio such as ROAS or MER: "3.25×", or "—" when there was no spend to divide by. */
export function formatRatio(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(2)}×`;
}

/** A share of revenue (0-1) as a percentage with one decimal. */
export function formatShare(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** Money in the report's currency; "mixed" (several currencies without a reporting rate) prints as a plain number. */
export function formatAmount(value: number, currency: string): string {
  if (!/^[A-Z]{3}$/.test(currency)) return value.toFixed(2);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(value);
}

/** The rows worth a line: a channel that sold, spent or brought a visit. */
export function visibleRows(rows: ChannelInsightRow[]): ChannelInsightRow[] {
  return rows.filter((r) => r.orders > 0 || r.spend > 0 || r.lastTouchOrders > 0 || r.firstTouchOrders > 0);
}

/** A conversion rate (0-1) as a percentage with two decimals, or "—" without sessions. */
export function formatRate(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(2)}%`;
}

/** Whole counts with thousands separators, as users and sessions read. */
export function formatCount(value: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(value);
}
