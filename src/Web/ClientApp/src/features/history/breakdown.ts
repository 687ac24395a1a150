// Pure helpers for the ranked breakdown table.
import type { BreakdownDimension, BreakdownRow, RankMetric } from './types';

export const dimensionOptions: readonly { value: BreakdownDimension; label: string; noun: string }[] = [
  { value: 'channel', label: 'Channels', noun: 'Channel' },
  { value: 'store', label: 'Stores', noun: 'Store' },
  { value: 'product', label: 'Products', noun: 'Product (SKU)' },
  { value: 'source', label: 'Traffic sources', noun: 'Source' },
  { value: 'country', label: 'Countries', noun: 'Country' },
];

export const rankOptions: readonly { value: RankMetric; label: string }[] = [
  { value: 'revenue', label: 'Revenue' },
  { value: 'units', label: 'Units' },
  { value: 'orders', label: 'Orders' },
  { value: 'refunds', label: 'Refunds' },
  { value: 'returnrate', label: 'Return rate' },
];

/** Channels and stores only mean something across the organisation; products and sources default to this store. */
export function defaultScope(by: BreakdownDimension): 'store' | 'tenant' {
  return by === 'channel' || by === 'store' ? 'tenant' : 'store';
}

/** The figure a row is ranked by, as the bar shows it. */
export function rankValue(row: BreakdownRow, rank: RankMetric): number {
  switch (rank) {
    case 'units':
      return row.units;
    case 'orders':
      return row.orders;
    case 'refunds':
      return row.refunds;
    case 'returnrate':
      return row.returnRate ?? 0;
    default:
      return row.grossRevenue;
  }
}

/** Bar widths in percent of the largest row, so the leader fills the cell and the rest read against it. */
export function barWidths(rows: readonly BreakdownRow[], rank: RankMetric): number[] {
  const values = rows.map((r) => Math.max(0, rankValue(r, rank)));
  const max = Math.max(0, ...values);
  return values.map((v) => (max > 0 ? Math.round((v / max) * 1000) / 10 : 0));
}

/**
 * A row's revenue against the comparison: "▲ 12.5%", "new" where it sold nothing then, "—" without a comparison
 * or when both are zero.
 */
export function formatRowChange(row: BreakdownRow): string {
  const { value, previous } = row.revenue;
  if (value === null || previous === null) return '—';
  if (previous === 0) return value > 0 ? 'new' : '—';
  const ratio = (value - previous) / previous;
  const tenths = Math.round(Math.abs(ratio) * 1000);
  if (tenths === 0) return '— 0.0%';
  return `${ratio > 0 ? '▲' : '▼'} ${(tenths / 10).toFixed(1)}%`;
}
