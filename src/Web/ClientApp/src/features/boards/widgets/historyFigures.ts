// What the history-reading widgets show, worked out from each store's answer. Pure, so every figure is unit tested.
// As everywhere on the boards, money is never added across currencies.
import { LOCALE } from '../../../lib/format';
import type { StoreSummary } from '../../../lib/types';
import { formatMoney } from '../../../lib/format';
import type { AlertBody, BreakdownBody, ForecastBody, InsightsBody, ProductRank, RecentOrderBody, RecentOrdersBody } from './widgetData';

export interface StoreAnswer<T> {
  store: StoreSummary;
  body: T;
}

export interface ProductRow {
  rank: number;
  sku: string;
  title: string;
  currency: string;
  revenue: number;
  units: number;
  orders: number;
}

const roundMoney = (n: number) => Math.round(n * 100) / 100;

/**
 * Top products over several stores: the same SKU sold in the same currency is one row. Ranked by units across
 * currencies (units add up), by revenue within each currency (a pound is not a dollar).
 */
export function topProducts(answers: readonly StoreAnswer<BreakdownBody>[], rank: ProductRank, limit: number): ProductRow[] {
  const rows = new Map<string, Omit<ProductRow, 'rank'>>();
  for (const { body } of answers) {
    for (const r of body.rows) {
      const id = `${body.currency}\u001f${r.key}`;
      const held = rows.get(id);
      if (held) {
        held.revenue = roundMoney(held.revenue + r.grossRevenue);
        held.units += r.units;
        held.orders += r.orders;
      } else {
        rows.set(id, { sku: r.key, title: r.label, currency: body.currency, revenue: r.grossRevenue, units: r.units, orders: r.orders });
      }
    }
  }
  const sorted = [...rows.values()].sort((a, b) =>
    rank === 'units'
      ? b.units - a.units || b.revenue - a.revenue || a.sku.localeCompare(b.sku)
      : a.currency.localeCompare(b.currency) || b.revenue - a.revenue || a.sku.localeCompare(b.sku),
  );
  if (rank === 'units') return sorted.slice(0, limit).map((r, i) => ({ ...r, rank: i + 1 }));
  // Revenue: the top `limit` of each currency, each numbered from 1.
  const perCurrency = new Map<string, number>();
  return sorted.flatMap((r) => {
    const n = (perCurrency.get(r.currency) ?? 0) + 1;
    perCurrency.set(r.currency, n);
    return n <= limit ? [{ ...r, rank: n }] : [];
  });
}

export interface CountryRow {
  code: string;
  name: string;
  value: number;
  orders: number;
}

export type CountryFigures =
  | { kind: 'ready'; measure: 'revenue' | 'orders'; currency: string | null; rows: CountryRow[]; total: number }
  | { kind: 'mixed'; currencies: string[] };

const regionNames = (() => {
  try {
    return new Intl.DisplayNames([LOCALE], { type: 'region' });
  } catch {
    return null;
  }
})();

/** "FR" → "France"; "unknown" (the platform did not say) → "Unknown country"; anything unrecognised as it came. */
export function countryName(code: string): string {
  if (code === 'unknown') return 'Unknown country';
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Revenue (one currency) or orders per country over the stores, largest first. */
export function countryFigures(answers: readonly StoreAnswer<BreakdownBody>[], measure: 'revenue' | 'orders'): CountryFigures {
  const currencies = [...new Set(answers.map((a) => a.body.currency))].sort();
  if (measure === 'revenue' && currencies.length > 1) return { kind: 'mixed', currencies };
  const rows = new Map<string, CountryRow>();
  for (const { body } of answers) {
    for (const r of body.rows) {
      const held = rows.get(r.key) ?? { code: r.key, name: countryName(r.key), value: 0, orders: 0 };
      held.orders += r.orders;
      held.value = measure === 'orders' ? held.orders : roundMoney(held.value + r.grossRevenue);
      rows.set(r.key, held);
    }
  }
  const sorted = [...rows.values()].filter((r) => r.value !== 0).sort((a, b) => b.value - a.value || a.name.localeCompare(b.name));
  return {
    kind: 'ready',
    measure,
    currency: measure === 'revenue' ? (currencies[0] ?? null) : null,
    rows: sorted,
    total: measure === 'orders' ? sorted.reduce((s, r) => s + r.value, 0) : roundMoney(sorted.reduce((s, r) => s + r.value, 0)),
  };
}

export interface FeedRow extends RecentOrderBody {
  tenantId: string;
  storeName: string;
  timeZone: string;
}

/** The newest orders over the stores, newest first (ties by order id, as the server orders them). */
export function feedRows(answers: readonly StoreAnswer<RecentOrdersBody>[], limit: number): FeedRow[] {
  return answers
    .flatMap(({ store, body }) =>
      body.orders.map((o) => ({ ...o, tenantId: store.tenantId, storeName: store.name, timeZone: body.timeZone || store.timeZone })),
    )
    .sort((a, b) => Date.parse(b.placedAt) - Date.parse(a.placedAt) || b.orderId.localeCompare(a.orderId))
    .slice(0, limit);
}

/** "14:05:09" in the store's own zone, as the shop floor reads a clock. */
export function orderTime(placedAt: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
  try {
    return new Intl.DateTimeFormat(LOCALE, { ...options, timeZone }).format(new Date(placedAt));
  } catch {
    return new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: 'UTC' }).format(new Date(placedAt));
  }
}

export interface AlertRow extends AlertBody {
  storeName: string;
  timeZone: string;
}

/** The alerts of the stores, newest first: open ones and those resolved, as the alerts page lists them. */
export function alertRows(answers: readonly StoreAnswer<AlertBody[]>[], limit: number): AlertRow[] {
  return answers
    .flatMap(({ store, body }) => body.map((a) => ({ ...a, storeName: store.name, timeZone: store.timeZone })))
    .sort((a, b) => Date.parse(b.firedAt) - Date.parse(a.firedAt) || a.id.localeCompare(b.id))
    .slice(0, limit);
}

/** The minute of the newest figures: alerts are decided on closed minutes, so the list is read again once a minute. */
export function newestMinute(asOfs: readonly string[]): string {
  const newest = asOfs.reduce((max, t) => (t > max ? t : max), '');
  return newest.slice(0, 16);
}

export interface InsightLine {
  key: string;
  storeName: string;
  kind: string;
  /** The server's sentence, figures included, shown as written: nothing here computes a figure of its own. */
  text: string;
  /** "Revenue: £500.00 (was £1,000.00)" for each figure the sentence rests on. */
  figures: string[];
}

/** Every insight of every store, in the server's order, each with the figures behind it. */
export function insightLines(answers: readonly StoreAnswer<InsightsBody>[]): InsightLine[] {
  return answers.flatMap(({ store, body }) =>
    body.insights.map((insight, i) => ({
      key: `${store.tenantId}/${store.storeId}/${i}`,
      storeName: store.name,
      kind: insight.kind,
      text: insight.text,
      figures: insight.figures.map((f) => {
        // Money in the store's currency, shares and returns with their sign; counts as the bare number (the name says what).
        const show = (n: number | null) => (n === null ? '—' : f.unit === body.currency ? formatMoney(n, body.currency) : `${n}${f.unit === '%' ? '%' : f.unit === 'x' ? '×' : ''}`);
        return `${f.name}: ${show(f.value)} (was ${show(f.previous)})`;
      }),
    })),
  );
}

export interface ForecastLine {
  key: string;
  storeName: string;
  /** "On pace for £1,234.00 (£1,100.00–£1,400.00)", or the server's reason when there is no forecast yet. */
  headline: string;
  estimate: number | null;
  todaySoFar: number;
  currency: string;
}

/** One "on pace for" line per store: forecasts are per store and per currency, never added up. */
export function forecastLines(answers: readonly StoreAnswer<ForecastBody>[]): ForecastLine[] {
  return answers.map(({ store, body }) => {
    const money = (n: number) => formatMoney(n, body.currency);
    const range = body.endOfDay;
    return {
      key: `${store.tenantId}/${store.storeId}`,
      storeName: store.name,
      headline: range ? `On pace for ${money(range.estimate)} (${money(range.low)}–${money(range.high)})` : body.text,
      estimate: range ? range.estimate : null,
      todaySoFar: body.todaySoFar,
      currency: body.currency,
    };
  });
}
