import { describe, expect, it } from 'vitest';
import type { StoreSummary } from '../../../lib/types';
import { countryFigures, countryName, feedRows, forecastLines, insightLines, orderTime, topProducts } from './historyFigures';
import type { BreakdownBody, RecentOrdersBody } from './widgetData';

const uk: StoreSummary = { tenantId: 'acme', storeId: 'uk', name: 'UK shop', channel: 'Shopify', currency: 'GBP', timeZone: 'Europe/London' };
const ie: StoreSummary = { ...uk, storeId: 'ie', name: 'Irish shop', currency: 'EUR', timeZone: 'Europe/Dublin' };
const uk2: StoreSummary = { ...uk, storeId: 'uk2', name: 'UK outlet', channel: 'WooCommerce' };

const row = (key: string, grossRevenue: number, units: number, orders = 1) => ({ rank: 0, key, label: `Title of ${key}`, grossRevenue, units, orders });
const breakdown = (store: StoreSummary, rows: ReturnType<typeof row>[]): { store: StoreSummary; body: BreakdownBody } => ({
  store,
  body: { tenantId: store.tenantId, storeId: store.storeId, currency: store.currency, by: 'product', rows },
});

describe('top products', () => {
  it('adds the same SKU across stores of one currency and ranks by revenue', () => {
    const rows = topProducts(
      [breakdown(uk, [row('MUG', 30, 3), row('TEE', 100, 4)]), breakdown(uk2, [row('MUG', 80.1, 8), row('CAP', 12.5, 1)])],
      'revenue',
      10,
    );
    expect(rows.map((r) => [r.rank, r.sku, r.revenue, r.units])).toEqual([
      [1, 'MUG', 110.1, 11],
      [2, 'TEE', 100, 4],
      [3, 'CAP', 12.5, 1],
    ]);
  });

  it('never adds pounds to euros: revenue ranks within each currency, units across them', () => {
    const answers = [breakdown(uk, [row('MUG', 30, 3)]), breakdown(ie, [row('MUG', 50, 2), row('TEE', 90, 9)])];
    expect(topProducts(answers, 'revenue', 1).map((r) => [r.rank, r.sku, r.currency, r.revenue])).toEqual([
      [1, 'TEE', 'EUR', 90],
      [1, 'MUG', 'GBP', 30],
    ]);
    expect(topProducts(answers, 'units', 2).map((r) => [r.rank, r.sku, r.units])).toEqual([
      [1, 'TEE', 9],
      [2, 'MUG', 3],
    ]);
  });
});

describe('countries', () => {
  it('sums revenue per country in one currency, largest first, with names', () => {
    const figures = countryFigures(
      [breakdown(uk, [row('FR', 95, 4, 2), row('DE', 35, 2, 1)]), breakdown(uk2, [row('DE', 70, 1, 3), row('unknown', 5, 1, 1)])],
      'revenue',
    );
    expect(figures).toEqual({
      kind: 'ready',
      measure: 'revenue',
      currency: 'GBP',
      total: 205,
      rows: [
        { code: 'DE', name: 'Germany', value: 105, orders: 4 },
        { code: 'FR', name: 'France', value: 95, orders: 2 },
        { code: 'unknown', name: 'Unknown country', value: 5, orders: 1 },
      ],
    });
  });

  it('counts orders across currencies but will not add money in two', () => {
    const answers = [breakdown(uk, [row('FR', 95, 4, 2)]), breakdown(ie, [row('FR', 10, 1, 1), row('IE', 60, 1, 5)])];
    expect(countryFigures(answers, 'revenue')).toEqual({ kind: 'mixed', currencies: ['EUR', 'GBP'] });
    const orders = countryFigures(answers, 'orders');
    expect(orders.kind === 'ready' && orders.rows.map((r) => [r.code, r.value])).toEqual([
      ['IE', 5],
      ['FR', 3],
    ]);
  });

  it('names countries in British English', () => {
    expect([countryName('US'), countryName('GB'), countryName('unknown'), countryName('Narnia')]).toEqual([
      'United States',
      'United Kingdom',
      'Unknown country',
      'Narnia',
    ]);
  });
});

describe('order feed', () => {
  const feed = (store: StoreSummary, orders: [string, string, number][]): { store: StoreSummary; body: RecentOrdersBody } => ({
    store,
    body: {
      tenantId: store.tenantId,
      storeId: store.storeId,
      currency: store.currency,
      timeZone: store.timeZone,
      orders: orders.map(([orderId, placedAt, total]) => ({
        storeId: store.storeId,
        orderId,
        placedAt,
        total,
        currency: store.currency,
        channel: store.channel,
        country: 'GB',
        units: 1,
        cancelled: false,
      })),
    },
  });

  it('interleaves stores newest first and keeps the newest only', () => {
    const rows = feedRows(
      [
        feed(uk, [
          ['#1003', '2026-11-25T15:20:00Z', 30],
          ['#1002', '2026-11-25T15:00:00Z', 20],
        ]),
        feed(uk2, [['W-9', '2026-11-25T15:10:00Z', 99.5]]),
      ],
      2,
    );
    expect(rows.map((r) => [r.orderId, r.storeName, r.total])).toEqual([
      ['#1003', 'UK shop', 30],
      ['W-9', 'UK outlet', 99.5],
    ]);
  });

  it('prints the time in the store’s zone', () => {
    expect(orderTime('2026-07-01T14:05:09Z', 'Europe/London')).toBe('15:05:09');
    expect(orderTime('2026-07-01T14:05:09Z', 'Not/AZone')).toBe('14:05:09');
  });
});

describe('forecast', () => {
  const body = (store: StoreSummary, endOfDay: { estimate: number; low: number; high: number } | null, todaySoFar: number, text = '') => ({
    store,
    body: { tenantId: 'acme', storeId: store.storeId, currency: store.currency, todaySoFar, endOfDay, endOfMonth: null, text },
  });

  it('says where each store is heading in its own currency, or why it cannot yet', () => {
    const lines = forecastLines([
      body(uk, { estimate: 1234, low: 1100, high: 1400.5 }, 512.3),
      body(ie, null, 20, 'Not enough history for a forecast yet (3 days).'),
    ]);
    expect(lines.map((l) => [l.storeName, l.headline, l.estimate])).toEqual([
      ['UK shop', 'On pace for £1,234.00 (£1,100.00–£1,400.50)', 1234],
      ['Irish shop', 'Not enough history for a forecast yet (3 days).', null],
    ]);
  });
});

describe('insights', () => {
  it('shows each insight as the server wrote it, with the figures behind it in the store’s currency', () => {
    const lines = insightLines([
      {
        store: uk,
        body: {
          tenantId: 'acme',
          storeId: uk.storeId,
          currency: 'GBP',
          comparison: 'last Wednesday to the same time',
          insights: [
            {
              kind: 'channel-change',
              text: 'Revenue from Amazon fell 60% against last Wednesday at this time (GBP 160.00 against GBP 400.00, 4 orders against 10).',
              figures: [
                { name: 'Channel revenue', value: 160, previous: 400, unit: 'GBP' },
                { name: 'Channel orders', value: 4, previous: 10, unit: 'orders' },
              ],
            },
            {
              kind: 'ad-channel',
              text: 'Revenue from Facebook Ads visits fell 50%…',
              figures: [{ name: 'Facebook Ads return on spend', value: 1.34, previous: 3, unit: 'x' }],
            },
          ],
        },
      },
    ]);
    expect(lines.map((l) => [l.kind, l.text, l.figures])).toEqual([
      [
        'channel-change',
        'Revenue from Amazon fell 60% against last Wednesday at this time (GBP 160.00 against GBP 400.00, 4 orders against 10).',
        ['Channel revenue: £160.00 (was £400.00)', 'Channel orders: 4 (was 10)'],
      ],
      ['ad-channel', 'Revenue from Facebook Ads visits fell 50%…', ['Facebook Ads return on spend: 1.34× (was 3×)']],
    ]);
  });
});
