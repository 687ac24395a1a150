// The dashboard's REST calls; live updates come over SignalR (lib/live).
import { getJson, storeApi } from './http';
import type { DashboardTiles, StoreSummary } from './types';

export { ApiError } from './http';

/** GET /api/stores: every store the dashboard can show. */
export function fetchStores(signal?: AbortSignal): Promise<StoreSummary[]> {
  return getJson<StoreSummary[]>('/api/stores', signal);
}

/** GET /api/tenants/{tenantId}/stores/{storeId}/tiles: the store's figures now. */
export function fetchTiles(tenantId: string, storeId: string, signal?: AbortSignal): Promise<DashboardTiles> {
  return getJson<DashboardTiles>(storeApi({ tenantId, storeId }, 'tiles'), signal);
}
