import { describe, expect, it } from 'vitest';
import { cohortLabel, formatMetric, position, type BenchmarkMetricView } from './benchmarks';

const row = (metric: string, you: number | null): BenchmarkMetricView => ({
  metric,
  you,
  cohort: { level: 'Industry', industry: 'apparel', band: '*', contributors: 6 },
  p25: 0.02,
  p50: 0.03,
  p75: 0.04,
});

describe('benchmarks', () => {
  it('places a figure among the quartiles, lower being better for refunds', () => {
    expect(position(row('ConversionRate', 0.05))).toBe('top quarter');
    expect(position(row('ConversionRate', 0.01))).toBe('bottom quarter');
    expect(position(row('ConversionRate', 0.035))).toBe('better than the median');
    expect(position(row('RefundRate', 0.01))).toBe('top quarter');
    expect(position(row('RefundRate', 0.05))).toBe('bottom quarter');
    expect(position(row('RefundRate', null))).toBe('');
  });

  it('says how many organisations a cohort comes from, or that there are too few', () => {
    expect(cohortLabel({ level: 'IndustryAndBand', industry: 'pets', band: 'under-10k', contributors: 7 }, 5)).toBe(
      '7 pets shops of your size (under-10k)',
    );
    expect(cohortLabel(null, 5)).toBe('Not enough peers yet (fewer than 5 organisations)');
  });

  it('prints rates, growth, money and ratios', () => {
    expect(formatMetric('RefundRate', 0.0421)).toBe('4.2%');
    expect(formatMetric('RevenueGrowthWoW', 0.125)).toBe('+12.5%');
    expect(formatMetric('AverageOrderValue', 54.5)).toBe('$54.50');
    expect(formatMetric('Roas', 3.2)).toBe('3.20×');
    expect(formatMetric('Roas', null)).toBe('—');
  });
});
