import { describe, expect, it } from 'vitest';
import { comparisonsFor, metricsFor, newWidget, normaliseSettings, palette, periodsFor, widgetTitle } from './catalogue';

describe('palette', () => {
  it('offers only widgets whose figures the server has today', () => {
    expect(palette.map((p) => p.kind)).toEqual(['kpi', 'chart', 'ranking', 'goal', 'top-products', 'order-map', 'order-feed', 'forecast', 'alerts', 'insights', 'saved-goal', 'visitors', 'peers']);
  });
});

describe('settings rules', () => {
  it('offers the peer benchmark metrics to you vs peers, organisation-wide and for no single channel', () => {
    const peers = newWidget('peers', 'p-1');
    expect(metricsFor('peers', 'today')).toEqual([
      'conversion-rate',
      'average-order-value',
      'repeat-rate',
      'refund-rate',
      'revenue-growth-wow',
      'revenue-growth-mom',
      'roas',
    ]);
    expect(normaliseSettings('peers', { ...peers.settings, metric: 'orders', channel: 'Shopify' })).toMatchObject({
      metric: 'conversion-rate',
      channel: null,
      period: 'today',
    });
    expect(widgetTitle({ ...peers, settings: { ...peers.settings, metric: 'refund-rate' } })).toBe('Refund rate: you vs peers, last 28 days');
  });

  it('offers every tile for today but only revenue, orders and order value for recent minutes', () => {
    expect(metricsFor('kpi', 'today')).toHaveLength(8);
    expect(metricsFor('kpi', 'last-15-minutes')).toEqual(['gross-revenue', 'orders', 'average-order-value']);
  });

  it('compares with last week for today only', () => {
    expect(comparisonsFor('kpi', 'today')).toEqual(['none', 'last-week']);
    expect(comparisonsFor('kpi', 'last-60-minutes')).toEqual(['none']);
    expect(comparisonsFor('goal', 'today')).toEqual(['none']);
  });

  it('charts the last hour or quarter hour', () => {
    expect(periodsFor('chart')).toEqual(['last-60-minutes', 'last-15-minutes']);
  });

  it('falls back to allowed values when a change makes the rest invalid', () => {
    const kpi = newWidget('kpi', 'kpi-1');
    const refundsToday = { ...kpi.settings, metric: 'refunds' as const };
    expect(normaliseSettings('kpi', { ...refundsToday, period: 'last-60-minutes' })).toEqual({
      ...refundsToday,
      period: 'last-60-minutes',
      metric: 'gross-revenue',
      comparison: 'none',
    });
  });

  it('drops settings a kind does not use and unknown channels', () => {
    const settings = normaliseSettings('kpi', { ...newWidget('goal', 'g').settings, channel: 'Etsy', chartType: 'line' });
    expect(settings).toMatchObject({ channel: null, chartType: null, target: null, targetLabel: null });
  });
});

describe('widgetTitle', () => {
  it('uses the title when there is one, else says what is measured', () => {
    const kpi = newWidget('kpi', 'kpi-1');
    expect(widgetTitle(kpi)).toBe('Gross revenue, today so far');
    expect(widgetTitle({ ...kpi, settings: { ...kpi.settings, channel: 'Shopify' } })).toBe('Gross revenue, today so far · Shopify');
    expect(widgetTitle({ ...kpi, title: ' Black Friday ' })).toBe('Black Friday');
    expect(widgetTitle(newWidget('ranking', 'r'))).toBe('Channels by gross revenue, today so far');
  });
});
