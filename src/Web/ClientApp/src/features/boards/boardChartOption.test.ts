import { describe, expect, it } from 'vitest';
import { buildBoardChartOption, describeChart, describeChartMinute } from './boardChartOption';
import type { ChartData } from './figures';

const data: ChartData = {
  minutes: ['2026-11-25T14:57:00.000Z', '2026-11-25T14:58:00.000Z', '2026-11-25T14:59:00.000Z'],
  series: [
    { key: 'GBP', currency: 'GBP', values: [40, 125.5, 12] },
    { key: 'USD', currency: 'USD', values: [0, 10, 0] },
  ],
};
const colors = { bar: '#111', text: '#222', grid: '#333', tooltipBackground: '#444', tooltipText: '#555', series: ['#a00', '#0a0'] };

describe('board chart option', () => {
  it('draws one series per currency in the chosen style', () => {
    const area = buildBoardChartOption({ data, metric: 'gross-revenue', chartType: 'area', timeZone: 'Europe/London', colors, animate: false });
    const series = area.series as { type: string; name: string; areaStyle?: unknown; data: number[] }[];
    expect(series.map((s) => [s.type, s.name, !!s.areaStyle])).toEqual([
      ['line', 'GBP', true],
      ['line', 'USD', true],
    ]);
    const bar = buildBoardChartOption({ data, metric: 'gross-revenue', chartType: 'bar', timeZone: 'Europe/London', colors, animate: false });
    expect((bar.series as { type: string }[]).map((s) => s.type)).toEqual(['bar', 'bar']);
    const line = buildBoardChartOption({ data, metric: 'gross-revenue', chartType: 'line', timeZone: 'Europe/London', colors, animate: false });
    expect((line.series as { areaStyle?: unknown }[]).some((s) => s.areaStyle)).toBe(false);
  });

  it('labels minutes in the store’s zone', () => {
    const option = buildBoardChartOption({ data, metric: 'orders', chartType: 'bar', timeZone: 'America/New_York', colors, animate: false });
    expect((option.xAxis as { data: string[] }).data).toEqual(['09:57', '09:58', '09:59']);
  });

  it('shows every currency of a minute on hover', () => {
    expect(describeChartMinute(data, 1, 'gross-revenue', 'Europe/London')).toBe('14:58 · £125.50 · US$10.00');
  });

  it('summarises the chart for screen readers', () => {
    expect(describeChart(data, 'gross-revenue', 'Europe/London')).toBe(
      '£177.50 in 3 minutes, busiest 14:58; US$10.00 in 3 minutes, busiest 14:58.',
    );
    expect(describeChart({ minutes: [], series: [] }, 'orders', 'UTC')).toBe('No figures yet.');
  });
});
