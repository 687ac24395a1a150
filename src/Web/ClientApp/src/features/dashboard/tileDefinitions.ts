// The eight tiles in reading order: which figure each shows and how it is printed.
import { formatCount, formatLocalTime } from '../../lib/format';
import type { DashboardTiles, KpiTile } from '../../lib/types';

export type TileKind = 'money' | 'count';

export interface TileDefinition {
  /** Used in data-testid="tile-<id>"; end-to-end tests depend on these exact ids. */
  id: string;
  label: string;
  kind: TileKind;
  /** False where a rise is bad news (refunds), which flips the delta's colour but not its arrow. */
  higherIsBetter: boolean;
  pick: (tiles: DashboardTiles) => KpiTile;
  /** A line under the figure that says what it leaves out; null for none. */
  note?: (tiles: DashboardTiles) => string | null;
}

/** What the customer tiles leave out: guests who cannot be told apart (and, after an upgrade, orders before a time). */
export function customersNote(tiles: DashboardTiles, withGuests: boolean): string | null {
  const guests = tiles.guestOrders?.value ?? 0;
  const parts = [
    withGuests && guests > 0 ? `+ ${formatCount(guests)} guest ${guests === 1 ? 'order' : 'orders'} (no customer id or e-mail)` : null,
    tiles.customersCountedFrom ? `counted since ${formatLocalTime(tiles.customersCountedFrom, tiles.timeZone)}` : null,
  ].filter((part): part is string => part !== null);
  return parts.length === 0 ? null : parts.join(' · ');
}

export const tileDefinitions: readonly TileDefinition[] = [
  { id: 'gross-revenue', label: 'Gross revenue', kind: 'money', higherIsBetter: true, pick: (t) => t.grossRevenue },
  { id: 'net-revenue', label: 'Net revenue', kind: 'money', higherIsBetter: true, pick: (t) => t.netRevenue },
  { id: 'orders', label: 'Orders', kind: 'count', higherIsBetter: true, pick: (t) => t.orders },
  { id: 'aov', label: 'Average order value', kind: 'money', higherIsBetter: true, pick: (t) => t.averageOrderValue },
  { id: 'units', label: 'Units sold', kind: 'count', higherIsBetter: true, pick: (t) => t.unitsSold },
  {
    id: 'new-customers',
    label: 'New customers',
    kind: 'count',
    higherIsBetter: true,
    pick: (t) => t.newCustomers,
    note: (t) => customersNote(t, true),
  },
  {
    id: 'returning-customers',
    label: 'Returning customers',
    kind: 'count',
    higherIsBetter: true,
    pick: (t) => t.returningCustomers,
    note: (t) => customersNote(t, false),
  },
  { id: 'refunds', label: 'Refunds', kind: 'money', higherIsBetter: false, pick: (t) => t.refunds },
];
