// Shapes of /api/tenants/{t}/stores/{s}/recommendations (src/Web/Recommendations/RecommendationsApi.cs) and how they print.
import { getJson, send, storeApi } from '../../lib/http';
import type { StoreKey } from '../../lib/types';

export interface StoreFigures {
  revenue: number;
  orders: number;
  averageOrderValue: number | null;
  conversionRate: number | null;
  refundRate: number | null;
}

export interface RecommendationItem {
  id: string;
  kind: string;
  title: string;
  action: string;
  revenueAtStake: number;
  figures: { name: string; value: number | null }[];
  drillDown: string;
  status: 'open' | 'done' | 'dismissed';
  result: { markedAt: string; days: number; before: StoreFigures; after: StoreFigures } | null;
}

/** How one channel's catalogue (categories and stock) stands: read, failed, or waiting for the merchant to reconnect. */
export interface CatalogueStatus {
  channel: string;
  state: 'read' | 'failed' | 'reconnect';
  readAt: string | null;
  items: number;
  attemptedAt: string;
  message: string | null;
  detail: string | null;
}

export interface RecommendationsResponse {
  tenantId: string;
  storeId: string;
  currency: string;
  fromUtc: string;
  toUtc: string;
  items: RecommendationItem[];
  /** The restock lead time the stock-out advice used: the store's setting, else the default. */
  leadTimeDays: number;
  catalogues: CatalogueStatus[];
}

export interface RecommendationSettings {
  leadTimeDays: number;
  leadTimeIsDefault: boolean;
  defaultLeadTimeDays: number;
  maxLeadTimeDays: number;
}

export const fetchRecommendations = (store: StoreKey, signal?: AbortSignal) =>
  getJson<RecommendationsResponse>(storeApi(store, 'recommendations'), signal);

export const markRecommendation = (store: StoreKey, id: string, status: 'open' | 'done' | 'dismissed') =>
  send<void>('PUT', storeApi(store, `recommendations/${encodeURIComponent(id)}/status`), { status });

/**
 * Saves the store's restock lead time. The field's text goes as a number when it reads as one and as the text itself
 * otherwise, so the server's problem+json says what is wrong with it; an empty field goes back to the default.
 */
export const saveLeadTime = (store: StoreKey, text: string) => {
  const trimmed = text.trim();
  const leadTimeDays = trimmed === '' ? null : Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
  return send<RecommendationSettings>('PUT', storeApi(store, 'recommendations/settings'), { leadTimeDays });
};

/** Open advice first (as ranked), then done, then dismissed: what still needs doing stays on top. */
export function ordered(items: RecommendationItem[]): RecommendationItem[] {
  const rank = { open: 0, done: 1, dismissed: 2 } as const;
  return [...items].sort((a, b) => rank[a.status] - rank[b.status] || b.revenueAtStake - a.revenueAtStake);
}

/** The relative change of a figure after the advice was done; null when either side is unknown or zero. */
export function change(before: number | null, after: number | null): number | null {
  if (before === null || after === null || before === 0) return null;
  return (after - before) / before;
}

export interface DailyFigures {
  /** The figures' names without their date, in the order the server gave them (e.g. Spend, Revenue, ROAS). */
  names: string[];
  /** One row per day, oldest first: the date (yyyy-MM-dd) and each name's value on it. */
  days: { date: string; values: Record<string, number | null> }[];
  /** The figures that carry no date. */
  rest: RecommendationItem['figures'];
}

const dated = /^(.+) (\d{4}-\d{2}-\d{2})$/;

/** Splits figures named "<name> <yyyy-MM-dd>" (a campaign's spend, revenue and ROAS per day) into a table of days from the rest. */
export function dailyFigures(figures: RecommendationItem['figures']): DailyFigures {
  const names: string[] = [];
  const byDate = new Map<string, Record<string, number | null>>();
  const rest: RecommendationItem['figures'] = [];
  for (const figure of figures) {
    const match = dated.exec(figure.name);
    if (!match) {
      rest.push(figure);
      continue;
    }
    const [, name, date] = match as unknown as [string, string, string];
    if (!names.includes(name)) names.push(name);
    const row = byDate.get(date) ?? {};
    row[name] = figure.value;
    byDate.set(date, row);
  }
  const days = [...byDate.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, values]) => ({ date, values }));
  return { names, days, rest };
}
