import { describe, expect, it } from 'vitest';
import { normaliseSettings, widgetTitle } from './catalogue';
import type { Metric, WidgetSettings } from './types';

const custom = 'custom:0193abc' as Metric;
const base: WidgetSettings = { metric: custom, period: 'last-60-minutes', comparison: 'last-week', channel: null, chartType: null, target: 5, targetLabel: 'x' };

describe('custom metrics in widget settings', () => {
  it('keep a kpi or chart on today, without comparison, as the server requires', () => {
    expect(normaliseSettings('kpi', base)).toEqual({ ...base, period: 'today', comparison: 'none', target: null, targetLabel: null });
    expect(normaliseSettings('chart', base)).toMatchObject({ metric: custom, period: 'today', chartType: 'line' });
  });

  it('fall back to a built-in metric on widgets that cannot show one', () => {
    expect(normaliseSettings('goal', { ...base, period: 'today' }).metric).toBe('gross-revenue');
  });

  it('title an untitled widget without inventing a metric name', () => {
    expect(widgetTitle({ id: 'w', kind: 'kpi', title: null, settings: { ...base, period: 'today' } })).toBe('Custom metric, today');
  });
});
