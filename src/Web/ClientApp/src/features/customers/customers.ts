// Shapes of /api/tenants/{t}/stores/{s}/customers/* (src/Web/Customers/CustomersApi.cs) and how they print.
import { getJson, storeApi } from '../../lib/http';
import type { StoreKey } from '../../lib/types';

export interface LifetimeValue {
  customers: number;
  netRevenue: number;
  perCustomer: number | null;
}

export interface CustomerFigures {
  period: { fromUtc: string; toUtc: string };
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  repeatCustomers: number;
  repeatPurchaseRate: number | null;
  averageOrdersPerCustomer: number | null;
  identifiedOrders: number;
  unidentifiedOrders: number;
  ltv90Days: LifetimeValue;
  ltv12Months: LifetimeValue;
}

export interface CustomersSummary {
  tenantId: string;
  storeId: string;
  currency: string;
  timeZone: string;
  period: string;
  from: string;
  to: string;
  figures: CustomerFigures;
}

export interface CohortCell {
  monthsSince: number;
  customers: number;
  retained: number;
}

export interface CohortRow {
  month: string;
  customers: number;
  /** Months 0..11; null for a month that has not begun. */
  cells: (CohortCell | null)[];
}

export interface CohortsResponse {
  tenantId: string;
  storeId: string;
  cohorts: { firstMonth: string; lastMonth: string; rows: CohortRow[] };
}

export const CUSTOMER_PERIODS = [
  { value: 'today', label: 'Today' },
  { value: 'last7', label: 'Last 7 days' },
  { value: 'last30', label: 'Last 30 days' },
  { value: 'last90', label: 'Last 90 days' },
  { value: 'mtd', label: 'Month to date' },
] as const;

export type CustomerPeriod = (typeof CUSTOMER_PERIODS)[number]['value'];

export const fetchCustomers = (store: StoreKey, period: CustomerPeriod, signal?: AbortSignal) =>
  getJson<CustomersSummary>(`${storeApi(store, 'customers/summary')}?period=${encodeURIComponent(period)}`, signal);

export const fetchCohorts = (store: StoreKey, months: number, signal?: AbortSignal) =>
  getJson<CohortsResponse>(`${storeApi(store, 'customers/cohorts')}?months=${months}`, signal);

/** A share (0–1) as a percentage with one decimal; "—" when unknown. */
export function percent(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)}%`;
}

/** Money in the store's currency, to the cent; "—" when unknown. */
export function money(value: number | null, currency: string): string {
  return value === null ? '—' : `${value.toFixed(2)} ${currency}`;
}

/** "2026-03" from the server's first-of-month date. */
export function monthLabel(month: string): string {
  return month.slice(0, 7);
}

/** What a cohort cell says on hover: who of how many ordered that month. */
export function cellTitle(row: CohortRow, cell: CohortCell): string {
  return `${cell.customers} of ${row.customers} customers who first ordered in ${monthLabel(row.month)} ordered in month ${cell.monthsSince}`;
}
