// GET /api/tenants/{t}/overview (src/Web/Organisation): every store today, rolled up in the reporting currency.
import { getJson, tenantApi } from '../../lib/http';

export interface OverviewFigures {
  revenue: number;
  orders: number;
  averageOrderValue: number | null;
  revenueLastWeek: number;
  ordersLastWeek: number;
  revenueChange: number | null;
}

export interface OverviewStore {
  storeId: string;
  name: string;
  currency: string;
  localDate: string;
  disconnected: boolean;
  own: OverviewFigures;
  rate: number | null;
  rateLastWeek: number | null;
  /** In the reporting currency; null when no rate is stored (then `problem` says which). */
  converted: OverviewFigures | null;
  problem: string | null;
}

export interface OrganisationOverview {
  tenantId: string;
  reportingCurrency: string;
  asOf: string;
  stores: OverviewStore[];
  total: OverviewFigures;
}

export const overviewApi = {
  get: (tenantId: string, signal?: AbortSignal) => getJson<OrganisationOverview>(tenantApi(tenantId, 'overview'), signal),
};
export type OverviewApi = typeof overviewApi;
