// Builders for server payloads used across tests; figures are chosen so every formatted string is checkable by eye.
import type { DashboardTiles, KpiTile, MinutePoint, StoreSummary } from '../lib/types';

export function kpi(value: number, lastWeek: number): KpiTile {
  return { value, lastWeek, changeRatio: lastWeek === 0 ? null : Math.round(((value - lastWeek) / lastWeek) * 10000) / 10000 };
}

/** 60 minutes ending at 14:59 UTC on 25 Nov 2026, with revenue only in the last three. */
export function lastHour(): MinutePoint[] {
  const start = Date.UTC(2026, 10, 25, 14, 0);
  return Array.from({ length: 60 }, (_, i) => ({
    minute: new Date(start + i * 60_000).toISOString(),
    grossRevenue: i === 57 ? 40 : i === 58 ? 125.5 : i === 59 ? 12 : 0,
    orders: i === 57 ? 1 : i === 58 ? 3 : i === 59 ? 1 : 0,
  }));
}

export function makeTiles(overrides: Partial<DashboardTiles> = {}): DashboardTiles {
  return {
    tenantId: 'demo',
    storeId: 'demo-shop',
    currency: 'GBP',
    timeZone: 'Europe/London',
    localDate: '2026-11-25',
    asOf: '2026-11-25T14:59:30Z',
    grossRevenue: kpi(12345.67, 11000),
    netRevenue: kpi(11800.25, 11800.25),
    refunds: kpi(545.42, 300),
    orders: kpi(321, 350),
    averageOrderValue: kpi(38.46, 31.43),
    unitsSold: kpi(1042, 0),
    newCustomers: kpi(87, 80),
    returningCustomers: kpi(234, 270),
    revenuePerMinute: lastHour(),
    eventsApplied: 4096,
    ...overrides,
  };
}

export const demoShop: StoreSummary = {
  tenantId: 'demo',
  storeId: 'demo-shop',
  name: 'Demo Outfitters',
  channel: 'Shopify',
  currency: 'GBP',
  timeZone: 'Europe/London',
};

export const usShop: StoreSummary = {
  tenantId: 'demo',
  storeId: 'us-shop',
  name: 'Demo US',
  channel: 'WooCommerce',
  currency: 'USD',
  timeZone: 'America/New_York',
};
