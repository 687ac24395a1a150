import { describe, expect, it } from 'vitest';
import { bucketLabel, buildTrendChartOption, describeTrend } from './trendChartOption';
import type { HistoryTrend, TrendPoint } from './types';

function point(start: string, grossRevenue: number, orders = 1): TrendPoint {
  return { start, startUtc: `${start}Z`, grossRevenue, netRevenue: grossRevenue, orders, units: orders, refunds: 0, averageOrderValue: orders ? grossRevenue / orders : null, sessions: 0, conversionRate: null };
}

const trend: HistoryTrend = {
  tenantId: 't',
  storeId: 's',
  currency: 'GBP',
  timeZone: 'Europe/London',
  grain: 'day',
  period: { name: 'Last7', from: '2026-11-18', to: '2026-11-20', fromUtc: '', toUtc: '' },
  comparison: { name: 'Last7:Previous', from: '2026-11-15', to: '2026-11-17', fromUtc: '', toUtc: '' },
  points: [point('2026-11-18T00:00:00', 100), point('2026-11-19T00:00:00', 300), point('2026-11-20T00:00:00', 50)],
  comparisonPoints: [point('2026-11-15T00:00:00', 80), point('2026-11-16T00:00:00', 90), point('2026-11-17T00:00:00', 70)],
};

const colors = { current: '#00f', comparison: '#888', text: '#999', grid: '#333', tooltipBackground: '#000', tooltipText: '#fff' };

describe('trend chart', () => {
  it('labels buckets in the store’s own time, not the browser’s', () => {
    expect(bucketLabel('2026-11-18T00:00:00', 'day', true)).toBe('18 Nov');
    expect(bucketLabel('2026-11-16T00:00:00', 'week', true)).toBe('w/c 16 Nov');
    expect(bucketLabel('2026-11-18T23:00:00', 'hour', false)).toBe('23:00');
    expect(bucketLabel('2026-11-18T23:00:00', 'hour', true)).toBe('18 Nov 23:00');
  });

  it('overlays the comparison, bucket for bucket, as a dashed line', () => {
    const option = buildTrendChartOption({ trend, metric: 'grossRevenue', colors, animate: false });
    expect(option.xAxis.data).toEqual(['18 Nov', '19 Nov', '20 Nov']);
    expect(option.series).toHaveLength(2);
    expect(option.series[0]).toMatchObject({ name: 'Wed 18 Nov – Fri 20 Nov 2026', data: [100, 300, 50] });
    expect(option.series[1]).toMatchObject({ name: 'Sun 15 Nov – Tue 17 Nov 2026', data: [80, 90, 70], lineStyle: { type: 'dashed' } });
  });

  it('draws one line without a comparison, and gaps where a rate is unknown', () => {
    const alone: HistoryTrend = { ...trend, comparison: null, comparisonPoints: null, points: [point('2026-11-18T00:00:00', 0, 0), point('2026-11-19T00:00:00', 30, 2)] };
    const option = buildTrendChartOption({ trend: alone, metric: 'averageOrderValue', colors, animate: false });
    expect(option.series).toHaveLength(1);
    expect(option.series[0]).toMatchObject({ data: [null, 15] });
  });

  it('tells a screen reader what is drawn and where it peaks', () => {
    expect(describeTrend(trend, 'grossRevenue')).toBe(
      'Revenue by day, Wed 18 Nov – Fri 20 Nov 2026, compared with Sun 15 Nov – Tue 17 Nov 2026; highest £300.00 at 19 Nov.',
    );
  });
});
