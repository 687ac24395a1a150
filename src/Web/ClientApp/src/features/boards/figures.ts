// What each widget shows, worked out from the live tiles of the stores it covers. Pure, so every figure a widget
// prints is unit tested. Money is never added across currencies: a widget covering stores in two currencies shows
// one figure per currency.
import type { DashboardTiles, KpiTile, MinutePoint, StoreSummary } from '../../lib/types';
import { isMoney } from './catalogue';
import type { Metric, Period, Widget, WidgetSettings } from './types';

/** A store and its latest tiles. */
export interface StoreFigures {
  store: StoreSummary;
  tiles: DashboardTiles;
}

export function storeKey(store: { tenantId: string; storeId: string }): string {
  return `${store.tenantId}/${store.storeId}`;
}

/**
 * Each store's figures split by the channel each order came through: an Amazon order under a Shopify store is an
 * Amazon figure. The entry's store is relabelled with that channel; a store whose tiles carry no split (nothing sold
 * today or last week, or an older server) stays whole under its own channel, so it still shows its zeros.
 */
export function byOrderChannel(entries: readonly StoreFigures[]): StoreFigures[] {
  return entries.flatMap((entry) => {
    const split = entry.tiles.channels ?? [];
    if (split.length === 0) return [entry];
    return split.map(({ channel, ...figures }) => ({ store: { ...entry.store, channel }, tiles: { ...entry.tiles, ...figures, channels: [] } }));
  });
}

/** What a widget's channel filter covers: every entry for null, else only that channel's orders of each store. */
export function entriesForChannel(channel: string | null, entries: readonly StoreFigures[]): StoreFigures[] {
  return channel ? byOrderChannel(entries).filter((e) => e.store.channel === channel) : [...entries];
}

/**
 * Every store at least one widget draws on: what the page subscribes to (the server allows a share link the same).
 * Any store may take orders on any channel (Amazon orders under a Shopify store), so a widget shows every store.
 */
export function storesShownBy(widgets: readonly Widget[], stores: readonly StoreSummary[]): StoreSummary[] {
  return widgets.length === 0 ? [] : [...stores];
}

/**
 * Today's guest orders beside a customer figure (new or returning customers count people, and guests cannot be told
 * apart, so they are shown as orders); null for any other metric or period, or when no server sent them.
 */
export function guestOrdersFor(settings: Pick<WidgetSettings, 'metric' | 'period'>, entries: readonly StoreFigures[]): number | null {
  if (settings.metric !== 'new-customers' && settings.metric !== 'returning-customers') return null;
  if (periodMinutes(settings.period) !== null) return null;
  const sent = entries.map((e) => e.tiles.guestOrders).filter((tile): tile is KpiTile => tile !== undefined);
  return sent.length === 0 ? null : sent.reduce((total, tile) => total + tile.value, 0);
}

/** One figure of a widget: money in one currency (`currency` set) or a count (`currency` null). */
export interface Figure {
  currency: string | null;
  /** Null when the figure has no meaning yet, e.g. average order value with no orders. */
  value: number | null;
  lastWeek: number | null;
  changeRatio: number | null;
  storeCount: number;
}

function roundMoney(value: number): number {
  return Math.round(value * 100) / 100;
}

function ratio(value: number | null, lastWeek: number | null): number | null {
  if (value === null || lastWeek === null || lastWeek === 0) return null;
  return Math.round(((value - lastWeek) / lastWeek) * 10000) / 10000;
}

function todayTile(tiles: DashboardTiles, metric: Metric): KpiTile {
  switch (metric) {
    case 'gross-revenue':
      return tiles.grossRevenue;
    case 'net-revenue':
      return tiles.netRevenue;
    case 'refunds':
      return tiles.refunds;
    case 'orders':
      return tiles.orders;
    case 'average-order-value':
      return tiles.averageOrderValue;
    case 'units-sold':
      return tiles.unitsSold;
    case 'new-customers':
      return tiles.newCustomers;
    case 'returning-customers':
      return tiles.returningCustomers;
    default:
      // The peer benchmark metrics are read by the peers widget from the benchmarks API; no live tile carries them.
      throw new Error(`No live tile carries ${metric}.`);
  }
}

/** How many minutes a period covers, or null for "today". */
export function periodMinutes(period: Period): number | null {
  return period === 'last-60-minutes' ? 60 : period === 'last-15-minutes' ? 15 : null;
}

function recent(points: readonly MinutePoint[], minutes: number): readonly MinutePoint[] {
  return points.slice(Math.max(0, points.length - minutes));
}

/** The figures of one group of stores that share a currency (or all stores, for counts). */
function figureOf(group: readonly StoreFigures[], settings: Pick<WidgetSettings, 'metric' | 'period'>, currency: string | null): Figure {
  const { metric, period } = settings;
  const minutes = periodMinutes(period);
  const money = isMoney(metric);
  const finish = (value: number | null) => (value === null ? null : money ? roundMoney(value) : value);

  if (minutes !== null) {
    const points = group.flatMap((entry) => recent(entry.tiles.revenuePerMinute, minutes));
    const revenue = points.reduce((sum, p) => sum + p.grossRevenue, 0);
    const orders = points.reduce((sum, p) => sum + p.orders, 0);
    const value = metric === 'orders' ? orders : metric === 'average-order-value' ? (orders === 0 ? null : revenue / orders) : revenue;
    return { currency, value: finish(value), lastWeek: null, changeRatio: null, storeCount: group.length };
  }

  const only = group.length === 1 ? group[0] : undefined;
  if (only) {
    // One store: the server's own figures, so the widget matches the store's dashboard to the penny.
    const tile = todayTile(only.tiles, metric);
    return { currency, value: tile.value, lastWeek: tile.lastWeek, changeRatio: tile.changeRatio, storeCount: 1 };
  }

  if (metric === 'average-order-value') {
    const sum = (pick: (t: DashboardTiles) => number) => group.reduce((total, e) => total + pick(e.tiles), 0);
    const orders = sum((t) => t.orders.value);
    const lastWeekOrders = sum((t) => t.orders.lastWeek);
    const value = orders === 0 ? null : roundMoney(sum((t) => t.grossRevenue.value) / orders);
    const lastWeek = lastWeekOrders === 0 ? null : roundMoney(sum((t) => t.grossRevenue.lastWeek) / lastWeekOrders);
    return { currency, value, lastWeek, changeRatio: ratio(value, lastWeek), storeCount: group.length };
  }

  const value = finish(group.reduce((total, e) => total + todayTile(e.tiles, metric).value, 0))!;
  const lastWeek = finish(group.reduce((total, e) => total + todayTile(e.tiles, metric).lastWeek, 0))!;
  return { currency, value, lastWeek, changeRatio: ratio(value, lastWeek), storeCount: group.length };
}

function byCurrency(entries: readonly StoreFigures[]): Map<string, StoreFigures[]> {
  const groups = new Map<string, StoreFigures[]>();
  for (const entry of entries) {
    const currency = entry.tiles.currency;
    groups.set(currency, [...(groups.get(currency) ?? []), entry]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** A KPI widget's figures: one for counts, one per currency for money. Empty when no store has figures yet. */
export function figuresFor(settings: Pick<WidgetSettings, 'metric' | 'period'>, entries: readonly StoreFigures[]): Figure[] {
  if (entries.length === 0) return [];
  if (!isMoney(settings.metric)) return [figureOf(entries, settings, null)];
  return [...byCurrency(entries)].map(([currency, group]) => figureOf(group, settings, currency));
}

export interface ChartSeries {
  /** "GBP", "USD" for money, "orders" for counts. */
  key: string;
  currency: string | null;
  values: number[];
}

export interface ChartData {
  /** UTC minutes (ISO), oldest first. */
  minutes: string[];
  series: ChartSeries[];
}

/**
 * Minute-by-minute series for a chart. Only minutes inside every store's last-hour window are drawn: outside it a
 * store's figure is unknown, and drawing it as zero would be an invented dip.
 */
export function chartData(settings: Pick<WidgetSettings, 'metric' | 'period'>, entries: readonly StoreFigures[]): ChartData {
  const count = periodMinutes(settings.period) ?? 60;
  if (entries.length === 0) return { minutes: [], series: [] };
  const perStore = entries.map((entry) => new Map(entry.tiles.revenuePerMinute.map((p) => [Date.parse(p.minute), p])));
  const shared = [...perStore[0]!.keys()].filter((minute) => perStore.every((m) => m.has(minute))).sort((a, b) => a - b);
  const minutes = shared.slice(Math.max(0, shared.length - count));
  const sumAt = (indexes: number[], minute: number, pick: (p: MinutePoint) => number) =>
    indexes.reduce((total, i) => total + pick(perStore[i]!.get(minute)!), 0);

  const all = entries.map((_, i) => i);
  const series: ChartSeries[] =
    settings.metric === 'orders'
      ? [{ key: 'orders', currency: null, values: minutes.map((m) => sumAt(all, m, (p) => p.orders)) }]
      : [...new Set(entries.map((e) => e.tiles.currency))].sort().map((currency) => {
          const indexes = all.filter((i) => entries[i]!.tiles.currency === currency);
          return { key: currency, currency, values: minutes.map((m) => roundMoney(sumAt(indexes, m, (p) => p.grossRevenue))) };
        });
  return { minutes: minutes.map((m) => new Date(m).toISOString()), series };
}

export interface RankingRow extends Figure {
  channel: string;
  /** 1 for the best channel within its currency. */
  rank: number;
}

/** Channels ranked by the widget's figure, best first; money is ranked within each currency. */
export function rankingRows(settings: Pick<WidgetSettings, 'metric' | 'period'>, storeEntries: readonly StoreFigures[]): RankingRow[] {
  const entries = byOrderChannel(storeEntries);
  const channels = [...new Set(entries.map((e) => e.store.channel))];
  const rows = channels.flatMap((channel) =>
    figuresFor(
      settings,
      entries.filter((e) => e.store.channel === channel),
    ).map((figure) => ({ ...figure, channel })),
  );
  rows.sort(
    (a, b) =>
      (a.currency ?? '').localeCompare(b.currency ?? '') ||
      (b.value ?? -Infinity) - (a.value ?? -Infinity) ||
      a.channel.localeCompare(b.channel),
  );
  const ranks = new Map<string, number>();
  return rows.map((row) => {
    const rank = (ranks.get(row.currency ?? '') ?? 0) + 1;
    ranks.set(row.currency ?? '', rank);
    return { ...row, rank };
  });
}

export type GoalState =
  | { kind: 'waiting' }
  | { kind: 'mixed'; currencies: string[] }
  | { kind: 'progress'; value: number; target: number; ratio: number; currency: string | null };

/** Progress towards a goal; a money goal over stores in several currencies cannot be added up, and says so. */
export function goalState(settings: Pick<WidgetSettings, 'metric' | 'target'>, entries: readonly StoreFigures[]): GoalState {
  const figures = figuresFor({ metric: settings.metric, period: 'today' }, entries);
  if (figures.length === 0 || !settings.target) return { kind: 'waiting' };
  if (figures.length > 1) return { kind: 'mixed', currencies: figures.map((f) => f.currency ?? '') };
  const figure = figures[0]!;
  const value = figure.value ?? 0;
  return { kind: 'progress', value, target: settings.target, ratio: value / settings.target, currency: figure.currency };
}

export interface MinuteBreakdownRow {
  store: StoreSummary;
  currency: string;
  grossRevenue: number;
  orders: number;
}

/** Drill-down of one chart minute: what each store took in it. */
export function minuteBreakdown(minute: string, entries: readonly StoreFigures[]): MinuteBreakdownRow[] {
  const at = Date.parse(minute);
  return entries.flatMap((entry) => {
    const point = entry.tiles.revenuePerMinute.find((p) => Date.parse(p.minute) === at);
    return point ? [{ store: entry.store, currency: entry.tiles.currency, grossRevenue: point.grossRevenue, orders: point.orders }] : [];
  });
}

export interface StoreBreakdownRow extends Figure {
  store: StoreSummary;
}

/** Drill-down of one channel: the widget's figure for each of its stores, best first. */
export function channelBreakdown(
  channel: string,
  settings: Pick<WidgetSettings, 'metric' | 'period'>,
  entries: readonly StoreFigures[],
): StoreBreakdownRow[] {
  return byOrderChannel(entries)
    .filter((e) => e.store.channel === channel)
    .map((e) => ({ ...figureOf([e], settings, isMoney(settings.metric) ? e.tiles.currency : null), store: e.store }))
    .sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.store.name.localeCompare(b.store.name));
}
