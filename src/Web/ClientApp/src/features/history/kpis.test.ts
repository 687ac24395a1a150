import { describe, expect, it } from 'vitest';
import { formatHistoryDelta, formatKpi } from './kpis';

const delta = (value: number | null, previous: number | null, changeRatio: number | null = null) => ({
  value,
  previous,
  change: value !== null && previous !== null ? value - previous : null,
  changeRatio,
});

describe('KPI figures', () => {
  it('prints money, counts and rates, and a dash for a rate of nothing', () => {
    expect(formatKpi(1234.5, 'money', 'GBP')).toBe('£1,234.50');
    expect(formatKpi(1234, 'count', 'GBP')).toBe('1,234');
    expect(formatKpi(0.0345, 'percent', 'GBP')).toBe('3.45%');
    expect(formatKpi(null, 'percent', 'GBP')).toBe('—');
  });
});

describe('KPI deltas', () => {
  const words = 'vs previous period';

  it('says how much and which way, coloured by whether it is good news', () => {
    expect(formatHistoryDelta(delta(125, 100, 0.25), 'money', true, 'GBP', words)).toEqual({
      text: '▲ 25.0% vs previous period',
      direction: 'up',
      sentiment: 'good',
    });
    expect(formatHistoryDelta(delta(150, 100, 0.5), 'money', false, 'GBP', 'vs same period last year')).toEqual({
      text: '▲ 50.0% vs same period last year',
      direction: 'up',
      sentiment: 'bad',
    });
    expect(formatHistoryDelta(delta(90, 100, -0.1), 'count', true, 'GBP', words).text).toBe('▼ 10.0% vs previous period');
  });

  it('does not invent a percentage over nothing', () => {
    expect(formatHistoryDelta(delta(40, 0), 'money', true, 'USD', words).text).toBe('▲ from US$0.00 vs previous period');
    expect(formatHistoryDelta(delta(0, 0), 'count', true, 'USD', words)).toMatchObject({ text: '— 0.0% vs previous period', direction: 'flat' });
    expect(formatHistoryDelta(delta(0.03, null), 'percent', true, 'USD', words).text).toBe('— no figure to compare vs previous period');
  });

  it('compares rates in percentage points', () => {
    expect(formatHistoryDelta(delta(0.035, 0.03, 0.1667), 'percent', true, 'USD', words).text).toBe('▲ 0.5 pts vs previous period');
  });

  it('says nothing without a comparison', () => {
    expect(formatHistoryDelta(delta(10, null), 'money', true, 'USD', '').text).toBe('');
  });
});
