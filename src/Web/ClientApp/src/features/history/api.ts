// GET /api/history/...: summaries, trends and breakdowns. Problems (400/404) come back as problem+json with a detail.
import { ApiError } from '../../lib/api';
import type { StoreKey } from '../../lib/types';
import { historyQuery, trendQuery, type HistorySelection } from './period';
import type { BreakdownDimension, HistoryBreakdown, HistorySummary, HistoryTrend, RankMetric } from './types';

/** The problem's own words where the server gave some, so a bad custom period says what is wrong with it. */
export async function readProblem(response: Response, what: string): Promise<ApiError> {
  let detail = '';
  try {
    const body = (await response.json()) as { detail?: unknown; title?: unknown };
    detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : '';
  } catch {
    // Not JSON: the status line is all there is.
  }
  return new ApiError(response.status, detail || `${what} answered ${response.status} ${response.statusText}`.trim());
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  if (!response.ok) throw await readProblem(response, `GET ${url}`);
  return (await response.json()) as T;
}

function storeBase(store: StoreKey): string {
  return `/api/history/${encodeURIComponent(store.tenantId)}/${encodeURIComponent(store.storeId)}`;
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
  const base = scope === 'tenant' ? `/api/history/${encodeURIComponent(store.tenantId)}` : storeBase(store);
  const extra: Record<string, string> = { by, rank };
  if (limit !== null) extra.limit = String(limit);
  return getJson(`${base}/breakdown?${historyQuery(selection, extra)}`, signal);
}
