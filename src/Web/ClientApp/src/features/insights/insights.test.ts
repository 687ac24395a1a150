import { describe, expect, it } from 'vitest';
import { formatAmount, formatCount, formatRate, formatRatio, formatShare, visibleRows, type ChannelInsightRow } from './insights';

const row = (channel: string, overrides: Partial<ChannelInsightRow>): ChannelInsightRow => ({
  rank: 1,
  channel,
  revenue: 0,
  orders: 0,
  averageOrderValue: null,
  share: 0,
  spend: 0,
  roas: null,
  firstTouchRoas: null,
  firstTouchRevenue: 0,
  firstTouchOrders: 0,
  lastTouchRevenue: 0,
  lastTouchOrders: 0,
  ...overrides,
});

describe('channel insight figures', () => {
  it('prints ROAS and MER as multiples and a dash without spend', () => {
    expect(formatRatio(3.3333)).toBe('3.33×');
    expect(formatRatio(null)).toBe('—');
  });

  it('prints share as a percentage', () => {
    expect(formatShare(0.6667)).toBe('66.7%');
  });

  it('prints money in the report currency, and plainly when currencies are mixed', () => {
    expect(formatAmount(1508.1, 'USD')).toBe('$1,508.10');
    expect(formatAmount(12.5, 'mixed')).toBe('12.50');
  });

  it('keeps channels that sold, spent or brought visits', () => {
    const rows = [row('Shopify', { orders: 2 }), row('FacebookAds', { spend: 20 }), row('newsletter', { lastTouchOrders: 1 }), row('idle', {})];
    expect(visibleRows(rows).map((r) => r.channel)).toEqual(['Shopify', 'FacebookAds', 'newsletter']);
  });

  it('prints conversion rate as a percentage with two decimals and a dash without sessions', () => {
    expect(formatRate(0.0583)).toBe('5.83%');
    expect(formatRate(null)).toBe('—');
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(4.5)).toBe('4.5');
  });
});
