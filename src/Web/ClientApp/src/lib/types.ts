// Shapes of the server's JSON (camelCase), mirroring src/Contracts/Tiles/DashboardTiles.cs and the /api/stores rows.

/** A store the signed-in merchant can watch, as listed by GET /api/stores. */
export interface StoreSummary {
  tenantId: string;
  storeId: string;
  name: string;
  channel: string;
  currency: string;
  timeZone: string;
}

/** One KPI figure now and at the same local time a week earlier; changeRatio is null when last week was zero. */
export interface KpiTile {
  value: number;
  lastWeek: number;
  changeRatio: number | null;
}

/** Revenue taken in one UTC minute. */
export interface MinutePoint {
  minute: string;
  grossRevenue: number;
  orders: number;
}

/** The figures of a store's tiles, for the whole store or one of its channels. */
export interface TileFigures {
  grossRevenue: KpiTile;
  netRevenue: KpiTile;
  refunds: KpiTile;
  orders: KpiTile;
  averageOrderValue: KpiTile;
  unitsSold: KpiTile;
  /** Distinct customers today (people, not orders) whose first order ever was today; returningCustomers had ordered before. */
  newCustomers: KpiTile;
  returningCustomers: KpiTile;
  /** Orders by guests with neither customer id nor e-mail: not people, so in neither customer figure; absent from older servers. */
  guestOrders?: KpiTile;
  revenuePerMinute: MinutePoint[];
}

/** Everything one dashboard shows, always sent whole. */
export interface DashboardTiles extends TileFigures {
  tenantId: string;
  storeId: string;
  currency: string;
  timeZone: string;
  localDate: string;
  asOf: string;
  eventsApplied: number;
  /** Set when the customer figures count only orders placed from this instant on (the store was recovered from an older snapshot). */
  customersCountedFrom?: string | null;
  /** The same figures split by each order's own channel; absent from servers older than the split. */
  channels?: ChannelTiles[];
}

/** One channel's share of a store's tiles, counted over that channel's orders only. */
export interface ChannelTiles extends TileFigures {
  channel: string;
}

/** Identifies one store's dashboard. */
export interface StoreKey {
  tenantId: string;
  storeId: string;
}

export function sameStore(a: StoreKey | null | undefined, b: StoreKey | null | undefined): boolean {
  return !!a && !!b && a.tenantId === b.tenantId && a.storeId === b.storeId;
}
