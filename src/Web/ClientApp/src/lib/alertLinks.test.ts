import { describe, expect, it } from 'vitest';
import { alertMeHref, alertMetricOf, ruleDraftFrom } from './alertLinks';

describe('alert me when this…', () => {
  it('carries the widget metric, store and channel filter to the editor and back', () => {
    const href = alertMeHref({ tenantId: 'acme co', storeId: 'uk-shop', metric: 'AverageOrderValue', channel: 'Amazon', title: 'AOV on Amazon' });
    const url = new URL(href, 'http://x');
    expect(url.pathname).toBe('/t/acme%20co/alerts');
    expect(ruleDraftFrom(url.search)).toEqual({ kind: 'Threshold', metric: 'AverageOrderValue', storeId: 'uk-shop', channel: 'Amazon', name: 'AOV on Amazon' });
  });

  it('maps widget figures to the metrics rules watch and refuses the rest', () => {
    expect(['gross-revenue', 'net-revenue', 'orders', 'average-order-value', 'aov'].map(alertMetricOf)).toEqual([
      'Revenue', 'Revenue', 'Orders', 'AverageOrderValue', 'AverageOrderValue',
    ]);
    expect(alertMetricOf('refunds')).toBeNull();
    expect(alertMetricOf('units-sold')).toBeNull();
  });

  it('reads no draft from an ordinary address and drops a metric it does not know', () => {
    expect(ruleDraftFrom('')).toBeUndefined();
    expect(ruleDraftFrom('?newRule=1&metric=Profit')).toEqual({ kind: 'Threshold' });
  });
});
