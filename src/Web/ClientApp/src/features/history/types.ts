// Shapes of GET /api/tenants/{t}/stores/{s}/history/... (camelCase), mirroring src/Web/History/HistoryApi.cs and src/Engine/History/HistoryQueries.cs.

/** A figure over the period and over its comparison; previous is null without a comparison, value null when unknown. */
export interface KpiDelta {
  value: number | null;
  previous: number | null;
  change: number | null;
  changeRatio: number | null;
}

export interface HistoryKpis {
  grossRevenue: KpiDelta;
  netRevenue: KpiDelta;
  orders: KpiDelta;
  averageOrderValue: KpiDelta;
  conversionRate: KpiDelta;
  unitsSold: KpiDelta;
  refunds: KpiDelta;
  newCustomers: KpiDelta;
  returningCustomers: KpiDelta;
  sessions: KpiDelta;
  cancelledOrders: KpiDelta;
}

/** A resolved period: store-local dates, both inclusive, and the UTC range. */
export interface PeriodInfo {
  name: string;
  from: string;
  to: string;
  fromUtc: string;
  toUtc: string;
}

export interface HistorySummary {
  tenantId: string;
  storeId: string | null;
  currency: string;
  timeZone: string;
  period: PeriodInfo;
  comparison: PeriodInfo | null;
  kpis: HistoryKpis;
}

/** One bucket; start is store-local wall-clock time without an offset, e.g. "2026-11-20T00:00:00". */
export interface TrendPoint {
  start: string;
  startUtc: string;
  grossRevenue: number;
  netRevenue: number;
  orders: number;
  units: number;
  refunds: number;
  averageOrderValue: number | null;
  sessions: number;
  conversionRate: number | null;
}

export type Grain = 'minute' | 'hour' | 'day' | 'week';

export interface HistoryTrend {
  tenantId: string;
  storeId: string | null;
  currency: string;
  timeZone: string;
  grain: Grain;
  period: PeriodInfo;
  comparison: PeriodInfo | null;
  points: TrendPoint[];
  comparisonPoints: TrendPoint[] | null;
}

export type BreakdownDimension = 'channel' | 'store' | 'product' | 'source' | 'country';
export type RankMetric = 'revenue' | 'units' | 'orders' | 'refunds' | 'returnrate';

export interface BreakdownRow {
  rank: number;
  key: string;
  label: string;
  grossRevenue: number;
  revenueShare: number | null;
  orders: number;
  units: number;
  averageOrderValue: number | null;
  refunds: number;
  refundedUnits: number;
  returnRate: number | null;
  sessions: number;
  conversionRate: number | null;
  revenue: KpiDelta;
}

export interface HistoryBreakdown {
  tenantId: string;
  storeId: string | null;
  currency: string;
  timeZone: string;
  by: BreakdownDimension;
  rankedBy: RankMetric;
  period: PeriodInfo;
  comparison: PeriodInfo | null;
  totalGroups: number;
  rows: BreakdownRow[];
}
