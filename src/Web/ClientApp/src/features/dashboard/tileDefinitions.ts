// The eight tiles in reading order: which figure each shows and how it is printed.
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
}

export const tileDefinitions: readonly TileDefinition[] = [
  { id: 'gross-revenue', label: 'Gross revenue', kind: 'money', higherIsBetter: true, pick: (t) => t.grossRevenue },
  { id: 'net-revenue', label: 'Net revenue', kind: 'money', higherIsBetter: true, pick: (t) => t.netRevenue },
  { id: 'orders', label: 'Orders', kind: 'count', higherIsBetter: true, pick: (t) => t.orders },
  { id: 'aov', label: 'Average order value', kind: 'money', higherIsBetter: true, pick: (t) => t.averageOrderValue },
  { id: 'units', label: 'Units sold', kind: 'count', higherIsBetter: true, pick: (t) => t.unitsSold },
  { id: 'new-customers', label: 'New customers', kind: 'count', higherIsBetter: true, pick: (t) => t.newCustomers },
  {
    id: 'returning-customers',
    label: 'Returning customers',
    kind: 'count',
    higherIsBetter: true,
    pick: (t) => t.returningCustomers,
  },
  { id: 'refunds', label: 'Refunds', kind: 'money', higherIsBetter: false, pick: (t) => t.refunds },
];
