// Where the history-reading widgets get their figures: the signed-in history API in the editor, the share-token
// reads on a wallboard (src/Web/Dashboards/WidgetDataApi.cs). Widgets ask through the context, so neither page
// passes anything down and tests swap in fakes.
import { createContext, useContext } from 'react';
import { ApiError, getJson, storeApi } from '../../../lib/http';
import type { StoreKey } from '../../../lib/types';
import type { MetricValues } from '../../metrics/api';
import type { VisitorsBody } from '../../../lib/visitors';

/** One ranked group of a breakdown (the server's BreakdownRow, the fields the widgets use). */
export interface BreakdownRowBody {
  rank: number;
  key: string;
  label: string;
  grossRevenue: number;
  orders: number;
  units: number;
}

export interface BreakdownBody {
  tenantId: string;
  storeId: string;
  currency: string;
  by: string;
  rows: BreakdownRowBody[];
}

export interface RecentOrderBody {
  storeId: string;
  orderId: string;
  placedAt: string;
  total: number;
  currency: string;
  channel: string;
  country: string;
  units: number;
  cancelled: boolean;
}

export interface RecentOrdersBody {
  tenantId: string;
  storeId: string;
  currency: string;
  timeZone: string;
  orders: RecentOrderBody[];
}

/** An alert as src/Web/Alerts lists it (the fields the widget shows). */
export interface AlertBody {
  id: string;
  tenantId: string;
  storeId: string;
  ruleName: string;
  status: 'Firing' | 'Acknowledged' | 'Resolved';
  firedAt: string;
  resolvedAt: string | null;
  message: string;
}

/** A revenue forecast range (src/Engine/Forecasts ForecastRange). */
export interface ForecastRangeBody {
  estimate: number;
  low: number;
  high: number;
}

/** GET /api/tenants/{t}/stores/{s}/forecast (the fields the widget shows). */
export interface ForecastBody {
  tenantId: string;
  storeId: string;
  currency: string;
  todaySoFar: number;
  endOfDay: ForecastRangeBody | null;
  endOfMonth: ForecastRangeBody | null;
  text: string;
}

/** A figure an insight rests on (src/Engine/Insights InsightFigure). */
export interface InsightFigureBody {
  name: string;
  value: number | null;
  previous: number | null;
  unit: string;
}

/** GET /api/tenants/{t}/stores/{s}/insights (src/Engine/Insights StoreInsights). */
export interface InsightsBody {
  tenantId: string;
  storeId: string;
  currency: string;
  comparison: string;
  insights: { kind: string; text: string; figures: InsightFigureBody[] }[];
}

/** GET /api/tenants/{t}/goals/{id} (src/Web/Goals GoalView, the fields the widget shows). */
export interface GoalBody {
  goal: { id: string; name: string; metric: 'Revenue' | 'Orders' };
  currency: string | null;
  progress: { achieved: number; target: number; progressRatio: number; expectedFraction: number; status: string } | null;
  sentence: string;
  note: string | null;
}

/** GET /api/tenants/{t}/benchmarks/widget/{metric} (src/Web/Benchmarks PeerWidgetView). */
export interface PeerWidgetBody {
  tenantId: string;
  metric: string;
  /** Why no quartiles are shown; null when they are. */
  hidden: 'Plan' | 'CohortTooSmall' | null;
  message: string | null;
  you: number | null;
  cohort: { level: 'IndustryAndBand' | 'Industry' | 'All'; industry: string; band: string; contributors: number } | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  minimumPeers: number;
}

export type ProductRank = 'revenue' | 'units';

export interface WidgetDataSource {
  topProducts(store: StoreKey, rank: ProductRank, limit: number, signal: AbortSignal): Promise<BreakdownBody>;
  countries(store: StoreKey, signal: AbortSignal): Promise<BreakdownBody>;
  recentOrders(store: StoreKey, limit: number, signal: AbortSignal): Promise<RecentOrdersBody>;
  alerts(store: StoreKey, limit: number, signal: AbortSignal): Promise<AlertBody[]>;
  forecast(store: StoreKey, signal: AbortSignal): Promise<ForecastBody>;
  insights(store: StoreKey, signal: AbortSignal): Promise<InsightsBody>;
  /** "You vs peers" of the store's organisation (src/Web/Benchmarks); optional so older fakes need not answer it. */
  peers?(store: StoreKey, metric: string, signal: AbortSignal): Promise<PeerWidgetBody>;
  /** An organisation's custom metric today for the store (src/Web/Metrics); optional so older fakes need not answer it. */
  customMetric?(store: StoreKey, metricId: string, signal: AbortSignal): Promise<MetricValues>;
  /** GA4 visitors and conversion (src/Web/Visitors); optional so older fakes need not answer it. */
  visitors?(store: StoreKey, signal: AbortSignal): Promise<VisitorsBody>;
  /** A saved goal with its progress and pace (src/Web/Goals); optional so older fakes need not answer it. */
  goal?(tenantId: string, goalId: string, signal: AbortSignal): Promise<GoalBody>;
}

const storePath = (s: StoreKey) => `${encodeURIComponent(s.tenantId)}/${encodeURIComponent(s.storeId)}`;

/** The signed-in pages: the history API, today in each store's zone. */
export const historyDataSource: WidgetDataSource = {
  topProducts: (s, rank, limit, signal) =>
    getJson(storeApi(s, `history/breakdown?by=product&period=today&compare=none&rank=${rank}&limit=${limit}`), signal),
  countries: (s, signal) => getJson(storeApi(s, 'history/breakdown?by=country&period=today&compare=none&rank=revenue'), signal),
  recentOrders: (s, limit, signal) => getJson(storeApi(s, `orders/recent?limit=${limit}`), signal),
  alerts: (s, limit, signal) =>
    getJson(`/api/tenants/${encodeURIComponent(s.tenantId)}/alerts?storeId=${encodeURIComponent(s.storeId)}&limit=${limit}`, signal),
  forecast: (s, signal) => getJson(storeApi(s, 'forecast'), signal),
  insights: (s, signal) => getJson(storeApi(s, 'insights'), signal),
  visitors: (s, signal) => getJson(storeApi(s, 'visitors'), signal),
  goal: (tenantId, goalId, signal) => getJson(`/api/tenants/${encodeURIComponent(tenantId)}/goals/${encodeURIComponent(goalId)}`, signal),
  peers: (s, metric, signal) => getJson(`/api/tenants/${encodeURIComponent(s.tenantId)}/benchmarks/widget/${encodeURIComponent(metric)}`, signal),
  customMetric: (s, id, signal) =>
    getJson(
      `/api/tenants/${encodeURIComponent(s.tenantId)}/metrics/${encodeURIComponent(id)}/values?storeId=${encodeURIComponent(s.storeId)}&period=today&compare=previous`,
      signal,
    ),
};

/** A wallboard: each store is read through the share token that shows it. */
export function wallDataSource(tokenFor: (store: StoreKey) => string | undefined): WidgetDataSource {
  const base = (s: StoreKey) => {
    const token = tokenFor(s);
    if (!token) throw new ApiError(404, `No share link on this wall shows ${s.tenantId}/${s.storeId}.`);
    return `/api/wall/${encodeURIComponent(token)}/stores/${storePath(s)}`;
  };
  return {
    topProducts: async (s, rank, limit, signal) => getJson(`${base(s)}/top-products?rank=${rank}&limit=${limit}`, signal),
    countries: async (s, signal) => getJson(`${base(s)}/countries`, signal),
    recentOrders: async (s, limit, signal) => getJson(`${base(s)}/orders/recent?limit=${limit}`, signal),
    alerts: async (s, limit, signal) => getJson(`${base(s)}/alerts?limit=${limit}`, signal),
    forecast: async (s, signal) => getJson(`${base(s)}/forecast`, signal),
    insights: async (s, signal) => getJson(`${base(s)}/insights`, signal),
    visitors: async (s, signal) => getJson(`${base(s)}/visitors`, signal),
    goal: async (tenantId, goalId, signal) => {
      // The wall's token is the board's, whichever store is asked about.
      const token = tokenFor({ tenantId, storeId: '' });
      if (!token) throw new ApiError(404, 'This wallboard has no live share link.');
      return getJson(`/api/wall/${encodeURIComponent(token)}/goals/${encodeURIComponent(goalId)}`, signal);
    },
    peers: async (s, metric, signal) => getJson(`${base(s)}/benchmarks/${encodeURIComponent(metric)}`, signal),
    customMetric: async (s, id, signal) => getJson(`${base(s)}/metrics/${encodeURIComponent(id)}?period=today&compare=previous`, signal),
  };
}

export const WidgetDataContext = createContext<WidgetDataSource>(historyDataSource);

export function useWidgetData(): WidgetDataSource {
  return useContext(WidgetDataContext);
}
