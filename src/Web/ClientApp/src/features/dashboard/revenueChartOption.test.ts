import { describe, expect, it } from 'vitest';
import { lastHour } from '../../test/fixtures';
import { buildRevenueChartOption, describeMinute, describeRevenue } from './revenueChartOption';

const colors = { bar: '#00f', text: '#999', grid: '#333', tooltipBackground: '#222', tooltipText: '#fff' };

describe('revenue chart', () => {
  it('labels the x axis in the store’s local time', () => {
    const option = buildRevenueChartOption({ points: lastHour(), currency: 'USD', timeZone: 'America/New_York', colors, animate: true });
    const xAxis = option.xAxis as { data: string[] };
    expect(xAxis.data).toHaveLength(60);
    expect(xAxis.data[0]).toBe('09:00');
    expect(xAxis.data[59]).toBe('09:59');
  });

  it('plots each minute’s revenue as a bar', () => {
    const option = buildRevenueChartOption({ points: lastHour(), currency: 'GBP', timeZone: 'Europe/London', colors, animate: true });
    const [series] = option.series as { type: string; data: number[] }[];
    expect(series?.type).toBe('bar');
    expect(series?.data.slice(-4)).toEqual([0, 40, 125.5, 12]);
  });

  it('shows revenue and orders for the hovered minute', () => {
    const points = lastHour();
    const option = buildRevenueChartOption({ points, currency: 'GBP', timeZone: 'Europe/London', colors, animate: true });
    const tooltip = option.tooltip as { formatter: (params: unknown) => string };
    expect(tooltip.formatter([{ dataIndex: 58 }])).toBe('14:58 · £125.50 · 3 orders');
    expect(describeMinute(points[57]!, 'GBP', 'Europe/London')).toBe('14:57 · £40.00 · 1 order');
  });

  it('turns animation off when the user prefers reduced motion', () => {
    const option = buildRevenueChartOption({ points: lastHour(), currency: 'GBP', timeZone: 'Europe/London', colors, animate: false });
    expect(option.animation).toBe(false);
  });

  it('summarises the hour for screen readers', () => {
    expect(describeRevenue(lastHour(), 'GBP', 'Europe/London')).toBe(
      'Revenue per minute over the last 60 minutes: £177.50 from 5 orders. Busiest minute 14:58 with £125.50.',
    );
    expect(describeRevenue([], 'GBP', 'Europe/London')).toBe('Revenue per minute: no data yet.');
  });
});
