import { describe, expect, it } from 'vitest';
import { kpi, lastHour, makeTiles } from '../../test/fixtures';
import type { StoreSummary } from '../../lib/types';
import { newWidget } from './catalogue';
import {
  channelBreakdown,
  chartData,
  figuresFor,
  goalState,
  guestOrdersFor,
  minuteBreakdown,
  entriesForChannel,
  rankingRows,
  storesShownBy,
  type StoreFigures,
} from './figures';

const uk: StoreSummary = { tenantId: 'acme', storeId: 'uk', name: 'UK shop', channel: 'Shopify', currency: 'GBP', timeZone: 'Europe/London' };
const woo: StoreSummary = { tenantId: 'acme', storeId: 'woo', name: 'Woo shop', channel: 'WooCommerce', currency: 'GBP', timeZone: 'Europe/London' };
const us: StoreSummary = { tenantId: 'acme', storeId: 'us', name: 'US shop', channel: 'Shopify', currency: 'USD', timeZone: 'America/New_York' };

function entry(store: StoreSummary, overrides: Parameters<typeof makeTiles>[0] = {}): StoreFigures {
  return { store, tiles: makeTiles({ tenantId: store.tenantId, storeId: store.storeId, currency: store.currency, ...overrides }) };
}

describe('figuresFor', () => {
  it('shows a single store’s own figure and comparison exactly', () => {
    const [figure] = figuresFor({ metric: 'gross-revenue', period: 'today' }, [entry(uk)]);
    expect(figure).toEqual({ currency: 'GBP', value: 12345.67, lastWeek: 11000, changeRatio: 0.1223, storeCount: 1 });
  });

  it('adds up stores in one currency, to the penny', () => {
    const figures = figuresFor({ metric: 'gross-revenue', period: 'today' }, [
      entry(uk, { grossRevenue: kpi(0.1, 0.2) }),
      entry(woo, { grossRevenue: kpi(0.2, 0.1) }),
    ]);
    expect(figures).toEqual([{ currency: 'GBP', value: 0.3, lastWeek: 0.3, changeRatio: 0, storeCount: 2 }]);
  });

  it('never adds pounds to dollars: one figure per currency', () => {
    const figures = figuresFor({ metric: 'refunds', period: 'today' }, [entry(us), entry(uk), entry(woo)]);
    expect(figures.map((f) => [f.currency, f.value, f.storeCount])).toEqual([
      ['GBP', 1090.84, 2],
      ['USD', 545.42, 1],
    ]);
  });

  it('adds counts across currencies', () => {
    const figures = figuresFor({ metric: 'orders', period: 'today' }, [entry(us), entry(uk)]);
    expect(figures).toEqual([{ currency: null, value: 642, lastWeek: 700, changeRatio: -0.0829, storeCount: 2 }]);
  });

  it('works out average order value from the sums rather than averaging averages', () => {
    const figures = figuresFor({ metric: 'average-order-value', period: 'today' }, [
      entry(uk, { grossRevenue: kpi(100, 0), orders: kpi(1, 0) }),
      entry(woo, { grossRevenue: kpi(300, 90), orders: kpi(5, 3) }),
    ]);
    // (100 + 300) / 6, not (100 + 60) / 2; last week 90 / 3.
    expect(figures).toEqual([{ currency: 'GBP', value: 66.67, lastWeek: 30, changeRatio: 1.2223, storeCount: 2 }]);
  });

  it('sums the last minutes of the per-minute series for recent periods', () => {
    // lastHour(): £40 (1 order), £125.50 (3) and £12 (1) in the last three minutes.
    expect(figuresFor({ metric: 'gross-revenue', period: 'last-15-minutes' }, [entry(uk)])[0]!.value).toBe(177.5);
    expect(figuresFor({ metric: 'orders', period: 'last-60-minutes' }, [entry(uk), entry(us)])[0]!.value).toBe(10);
    expect(figuresFor({ metric: 'average-order-value', period: 'last-15-minutes' }, [entry(uk)])[0]!.value).toBe(35.5);
  });

  it('has no average order value for a quiet quarter hour', () => {
    const quiet = lastHour().map((p) => ({ ...p, grossRevenue: 0, orders: 0 }));
    expect(figuresFor({ metric: 'average-order-value', period: 'last-15-minutes' }, [entry(uk, { revenuePerMinute: quiet })])[0]!.value).toBeNull();
  });

  it('shows nothing until a store has figures', () => {
    expect(figuresFor({ metric: 'orders', period: 'today' }, [])).toEqual([]);
  });
});

describe('guestOrdersFor', () => {
  it('adds up the guest orders of every store beside a customer figure of today', () => {
    const entries = [entry(uk, { guestOrders: kpi(4, 1) }), entry(us, { guestOrders: kpi(3, 0) })];
    expect(guestOrdersFor({ metric: 'new-customers', period: 'today' }, entries)).toBe(7);
    expect(guestOrdersFor({ metric: 'returning-customers', period: 'today' }, entries)).toBe(7);
  });

  it('has none for other figures, recent periods or servers that send none', () => {
    const entries = [entry(uk, { guestOrders: kpi(4, 1) })];
    expect(guestOrdersFor({ metric: 'orders', period: 'today' }, entries)).toBeNull();
    expect(guestOrdersFor({ metric: 'new-customers', period: 'last-60-minutes' }, entries)).toBeNull();
    expect(guestOrdersFor({ metric: 'new-customers', period: 'today' }, [entry(woo)])).toBeNull();
  });

  it('follows a channel filter to that channel’s guests', () => {
    const store = mixedShopify();
    const amazon = entriesForChannel('Amazon', [store]);
    expect(guestOrdersFor({ metric: 'new-customers', period: 'today' }, amazon)).toBe(2);
  });
});

describe('storesShownBy', () => {
  it('covers every store even under a channel filter, since any store can take orders on any channel', () => {
    const kpi1 = newWidget('kpi', 'k1');
    const wooOnly = { ...kpi1, settings: { ...kpi1.settings, channel: 'WooCommerce' } };
    expect(storesShownBy([wooOnly], [uk, woo, us])).toEqual([uk, woo, us]);
    expect(storesShownBy([], [uk])).toEqual([]);
  });
});

describe('chartData', () => {
  it('draws the last 15 minutes per currency', () => {
    const data = chartData({ metric: 'gross-revenue', period: 'last-15-minutes' }, [entry(uk), entry(us)]);
    expect(data.minutes).toHaveLength(15);
    expect(data.minutes.at(-1)).toBe('2026-11-25T14:59:00.000Z');
    expect(data.series.map((s) => s.key)).toEqual(['GBP', 'USD']);
    expect(data.series[0]!.values.slice(-3)).toEqual([40, 125.5, 12]);
  });

  it('adds orders across stores minute by minute', () => {
    const data = chartData({ metric: 'orders', period: 'last-60-minutes' }, [entry(uk), entry(us)]);
    expect(data.series).toHaveLength(1);
    expect(data.series[0]!.values.slice(-3)).toEqual([2, 6, 2]);
  });

  it('leaves out minutes one store has not reported rather than drawing them as zero', () => {
    const later = lastHour().map((p) => ({ ...p, minute: new Date(Date.parse(p.minute) + 60_000).toISOString() }));
    const data = chartData({ metric: 'orders', period: 'last-60-minutes' }, [entry(uk), entry(woo, { revenuePerMinute: later })]);
    expect(data.minutes).toHaveLength(59);
    expect(data.minutes[0]).toBe('2026-11-25T14:01:00.000Z');
    expect(data.minutes.at(-1)).toBe('2026-11-25T14:59:00.000Z');
  });
});

/** A Shopify store whose own tiles hold 10 Shopify orders (£100) and 4 Amazon orders (£80) today. */
function mixedShopify(): StoreFigures {
  const share = (channel: string, orders: number, gross: number) => ({
    channel,
    grossRevenue: kpi(gross, 0),
    netRevenue: kpi(gross, 0),
    refunds: kpi(0, 0),
    orders: kpi(orders, 0),
    averageOrderValue: kpi(gross / orders, 0),
    unitsSold: kpi(orders, 0),
    newCustomers: kpi(orders, 0),
    returningCustomers: kpi(0, 0),
    guestOrders: kpi(channel === 'Amazon' ? 2 : 5, 0),
    revenuePerMinute: lastHour(),
  });
  return entry(uk, { orders: kpi(14, 0), grossRevenue: kpi(180, 0), channels: [share('Shopify', 10, 100), share('Amazon', 4, 80)] });
}

describe('order channel', () => {
  it('ranks Amazon orders under a Shopify store as Amazon', () => {
    const rows = rankingRows({ metric: 'orders', period: 'today' }, [mixedShopify(), entry(woo, { orders: kpi(6, 0) })]);
    expect(rows.map((r) => [r.rank, r.channel, r.value])).toEqual([
      [1, 'Shopify', 10],
      [2, 'WooCommerce', 6],
      [3, 'Amazon', 4],
    ]);
  });

  it('filters a widget to the orders of its channel, whichever store took them', () => {
    const amazon = entriesForChannel('Amazon', [mixedShopify(), entry(woo)]);
    expect(figuresFor({ metric: 'gross-revenue', period: 'today' }, amazon)).toEqual([
      { currency: 'GBP', value: 80, lastWeek: 0, changeRatio: null, storeCount: 1 },
    ]);
    expect(amazon.map((e) => e.store.storeId)).toEqual(['uk']);
  });

  it('breaks Amazon down into the stores that took Amazon orders', () => {
    const rows = channelBreakdown('Amazon', { metric: 'orders', period: 'today' }, [mixedShopify(), entry(us, { orders: kpi(7, 0) })]);
    expect(rows.map((r) => [r.store.name, r.value])).toEqual([['UK shop', 4]]);
  });
});

describe('rankingRows', () => {
  it('ranks channels by the figure, best first', () => {
    const rows = rankingRows({ metric: 'orders', period: 'today' }, [
      entry(uk, { orders: kpi(10, 5) }),
      entry(woo, { orders: kpi(30, 40) }),
    ]);
    expect(rows.map((r) => [r.rank, r.channel, r.value, r.changeRatio])).toEqual([
      [1, 'WooCommerce', 30, -0.25],
      [2, 'Shopify', 10, 1],
    ]);
  });

  it('ranks money within each currency', () => {
    const rows = rankingRows({ metric: 'gross-revenue', period: 'today' }, [
      entry(uk, { grossRevenue: kpi(10, 0) }),
      entry(woo, { grossRevenue: kpi(20, 0) }),
      entry(us, { grossRevenue: kpi(999, 0) }),
    ]);
    expect(rows.map((r) => [r.currency, r.rank, r.channel, r.value])).toEqual([
      ['GBP', 1, 'WooCommerce', 20],
      ['GBP', 2, 'Shopify', 10],
      ['USD', 1, 'Shopify', 999],
    ]);
  });
});

describe('goalState', () => {
  it('measures today’s figure against the target', () => {
    expect(goalState({ metric: 'gross-revenue', target: 50_000 }, [entry(uk)])).toEqual({
      kind: 'progress',
      value: 12345.67,
      target: 50_000,
      ratio: 12345.67 / 50_000,
      currency: 'GBP',
    });
  });

  it('refuses to add up a money goal across currencies', () => {
    expect(goalState({ metric: 'gross-revenue', target: 1000 }, [entry(uk), entry(us)])).toEqual({ kind: 'mixed', currencies: ['GBP', 'USD'] });
    expect(goalState({ metric: 'orders', target: 1000 }, [entry(uk), entry(us)])).toMatchObject({ kind: 'progress', value: 642 });
  });
});

describe('drill-downs', () => {
  it('breaks a chart minute down by store', () => {
    const rows = minuteBreakdown('2026-11-25T14:58:00Z', [entry(uk), entry(us)]);
    expect(rows.map((r) => [r.store.name, r.currency, r.grossRevenue, r.orders])).toEqual([
      ['UK shop', 'GBP', 125.5, 3],
      ['US shop', 'USD', 125.5, 3],
    ]);
  });

  it('breaks a channel down into its stores, best first', () => {
    const rows = channelBreakdown('Shopify', { metric: 'orders', period: 'today' }, [
      entry(uk, { orders: kpi(3, 0) }),
      entry(woo, { orders: kpi(50, 0) }),
      entry(us, { orders: kpi(7, 0) }),
    ]);
    expect(rows.map((r) => [r.store.name, r.value])).toEqual([
      ['US shop', 7],
      ['UK shop', 3],
    ]);
  });
});
