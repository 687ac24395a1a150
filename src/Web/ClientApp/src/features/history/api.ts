// GET /api/tenants/{t}/stores/{s}/history/...: summaries, trends and breakdowns. Problems (400/404) come back as
// problem+json; lib/http turns them into errors carrying the server's detail.
import { getJson, storeApi, tenantApi } from '../../lib/http';
import type { StoreKey } from '../../lib/types';
import { historyQuery, trendQuery, type HistorySelection } from './period';
import type { BreakdownDimension, HistoryBreakdown, HistorySummary, HistoryTrend, RankMetric } from './types';

function storeBase(store: StoreKey): string {
  return storeApi(store, 'history');
}

export function fetchSummary(store: StoreKey, selection: HistorySelection, signal: AbortSignal): Promise<HistorySummary> {
  return getJson(`${storeBase(store)}/summary?${historyQuery(selection)}`, signal);
}

export function fetchTrend(store: StoreKey, selection: HistorySelection, today: string, signal: AbortSignal): Promise<HistoryTrend> {
  return getJson(`${storeBase(store)}/trend?${trendQuery(selection, today)}`, signal);
}

/** One store's groups, or (scope 'tenant') every store of the organisation summed. */
export function fetchBreakdown(
  store: StoreKey,
  scope: 'store' | 'tenant',
  selection: HistorySelection,
  by: BreakdownDimension,
  rank: RankMetric,
  limit: number | null,
  signal: AbortSignal,
): Promise<HistoryBreakdown> {
  const base = scope === 'tenant' ? tenantApi(store.tenantId, 'history') : storeBase(store);
  const extra: Record<string, string> = { by, rank };
  if (limit !== null) extra.limit = String(limit);
  return getJson(`${base}/breakdown?${historyQuery(selection, extra)}`, signal);
}
