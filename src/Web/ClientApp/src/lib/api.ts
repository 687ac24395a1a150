// The dashboard's REST calls; live updates come over SignalR (see features/dashboard/dashboardHubClient.ts).
import type { DashboardTiles, StoreSummary } from './types';

/** A non-2xx answer, kept with its status so the page can say what went wrong. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!response.ok) {
    throw new ApiError(response.status, `GET ${url} answered ${response.status} ${response.statusText}`.trim());
  }
  return (await response.json()) as T;
}

/** GET /api/stores: every store the dashboard can show. */
export function fetchStores(signal?: AbortSignal): Promise<StoreSummary[]> {
  return getJson<StoreSummary[]>('/api/stores', signal);
}

/** GET /api/stores/{tenantId}/{storeId}/tiles: the store's figures now. */
export function fetchTiles(tenantId: string, storeId: string, signal?: AbortSignal): Promise<DashboardTiles> {
  const url = `/api/stores/${encodeURIComponent(tenantId)}/${encodeURIComponent(storeId)}/tiles`;
  return getJson<DashboardTiles>(url, signal);
}
