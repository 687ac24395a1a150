import { describe, expect, it } from 'vitest';
import { barWidths, defaultScope, formatRowChange } from './breakdown';
import type { BreakdownRow } from './types';

function row(key: string, grossRevenue: number, previous: number | null, extra: Partial<BreakdownRow> = {}): BreakdownRow {
  return {
    rank: 1,
    key,
    label: key,
    grossRevenue,
    revenueShare: null,
    orders: 0,
    units: 0,
    averageOrderValue: null,
    refunds: 0,
    refundedUnits: 0,
    returnRate: null,
    sessions: 0,
    conversionRate: null,
    revenue: { value: grossRevenue, previous, change: null, changeRatio: null },
    ...extra,
  };
}

describe('breakdown', () => {
  it('draws bars against the leader on the ranking figure', () => {
    const rows = [row('shopify', 800, null, { units: 10 }), row('amazon', 200, null, { units: 40 })];
    expect(barWidths(rows, 'revenue')).toEqual([100, 25]);
    expect(barWidths(rows, 'units')).toEqual([25, 100]);
    expect(barWidths([row('none', 0, null)], 'revenue')).toEqual([0]);
  });

  it('says how each group moved, and "new" for one that sold nothing before', () => {
    expect(formatRowChange(row('a', 150, 100))).toBe('▲ 50.0%');
    expect(formatRowChange(row('a', 75, 100))).toBe('▼ 25.0%');
    expect(formatRowChange(row('a', 75, 0))).toBe('new');
    expect(formatRowChange(row('a', 75, null))).toBe('—');
  });

  it('looks at channels and stores across the organisation, products in this store', () => {
    expect(defaultScope('channel')).toBe('tenant');
    expect(defaultScope('store')).toBe('tenant');
    expect(defaultScope('product')).toBe('store');
  });
});
