// Pure period, grain and comparison logic for the History page; the server resolves the actual dates in the store's zone.
import type { Grain, PeriodInfo } from './types';

export type PeriodKind = 'today' | 'yesterday' | 'last7' | 'last30' | 'last90' | 'mtd' | 'custom';
export type CompareKind = 'previous' | 'previous_year' | 'none';

/** What the person picked; grain null lets the server choose by the period's length. */
export interface HistorySelection {
  period: PeriodKind;
  compare: CompareKind;
  /** yyyy-MM-dd, custom periods only (both inclusive). */
  from: string | null;
  to: string | null;
  grain: Grain | null;
}

export const periodOptions: readonly { value: PeriodKind; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: 'yesterday', label: 'Yesterday' },
  { value: 'last7', label: 'Last 7 days' },
  { value: 'last30', label: 'Last 30 days' },
  { value: 'last90', label: 'Last 90 days' },
  { value: 'mtd', label: 'Month to date' },
  { value: 'custom', label: 'Custom dates' },
];

export const compareOptions: readonly { value: CompareKind; label: string }[] = [
  { value: 'previous', label: 'Previous period' },
  { value: 'previous_year', label: 'Same period last year' },
  { value: 'none', label: 'No comparison' },
];

/** The server's longest custom period (HistoryPeriods.MaxCustomDays). */
export const maxCustomDays = 731;

export const defaultSelection: HistorySelection = { period: 'last7', compare: 'previous', from: null, to: null, grain: null };

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a yyyy-MM-dd date, or null when it is not one. */
export function dayNumber(date: string): number | null {
  const match = isoDate.exec(date);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const back = new Date(ms);
  // Rejects 2026-02-30, which Date.UTC would quietly roll into March.
  if (back.getUTCMonth() !== Number(match[2]) - 1 || back.getUTCDate() !== Number(match[3])) return null;
  return Math.round(ms / 86_400_000);
}

export function dateFromDayNumber(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`${date} is not a yyyy-MM-dd date`);
  return dateFromDayNumber(day + days);
}

/** Why a custom period cannot be asked for, or null when it can. */
export function customPeriodProblem(from: string | null, to: string | null): string | null {
  if (!from || !to) return 'Pick both a first and a last day.';
  const a = dayNumber(from);
  const b = dayNumber(to);
  if (a === null || b === null) return 'Dates must be real days (yyyy-mm-dd).';
  if (b < a) return 'The last day is before the first.';
  if (b - a + 1 > maxCustomDays) return `A custom period is at most ${maxCustomDays} days.`;
  return null;
}

/**
 * How many days the period spans, from the dates the person sees; `today` is the store-local date.
 * Today and month to date count the current day as a whole one, which is what matters for choosing a grain.
 */
export function periodDays(selection: HistorySelection, today: string): number {
  switch (selection.period) {
    case 'today':
    case 'yesterday':
      return 1;
    case 'last7':
      return 7;
    case 'last30':
      return 30;
    case 'last90':
      return 90;
    case 'mtd':
      return Number(today.slice(8, 10)) || 1;
    case 'custom': {
      const a = selection.from ? dayNumber(selection.from) : null;
      const b = selection.to ? dayNumber(selection.to) : null;
      return a !== null && b !== null && b >= a ? b - a + 1 : 1;
    }
  }
}

/** The server's default (HistoryPeriods.DefaultGrain): hours within two days, days within 92, weeks beyond. */
export function autoGrain(days: number): Grain {
  return days <= 2 ? 'hour' : days <= 92 ? 'day' : 'week';
}

/** Grains worth offering: minutes only up to two days (the server refuses more), weeks only beyond a fortnight. */
export function grainOptions(days: number): Grain[] {
  const grains: Grain[] = [];
  if (days <= 2) grains.push('minute');
  if (days <= 31) grains.push('hour');
  grains.push('day');
  if (days >= 14) grains.push('week');
  return grains;
}

/** The grain to ask for: the person's pick if it still fits the period, otherwise the server's own choice. */
export function effectiveGrain(selection: HistorySelection, today: string): Grain | null {
  if (selection.grain === null) return null;
  return grainOptions(periodDays(selection, today)).includes(selection.grain) ? selection.grain : null;
}

/** The query string every history endpoint shares (the grain is the trend's own, see trendQuery). */
export function historyQuery(selection: HistorySelection, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ period: selection.period, compare: selection.compare });
  if (selection.period === 'custom') {
    if (selection.from) params.set('from', selection.from);
    if (selection.to) params.set('to', selection.to);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

/** The trend endpoint's query: the shared one plus the grain when the person picked one that fits. */
export function trendQuery(selection: HistorySelection, today: string): string {
  const params = new URLSearchParams(historyQuery(selection));
  const grain = effectiveGrain(selection, today);
  if (grain) params.set('grain', grain);
  return params.toString();
}

const periodKinds = new Set<string>(periodOptions.map((o) => o.value));
const compareKinds = new Set<string>(compareOptions.map((o) => o.value));
const grains = new Set<string>(['minute', 'hour', 'day', 'week']);

/** Reads a selection from the page's ?query, so a History view can be bookmarked and shared. */
export function selectionFromSearch(search: string): HistorySelection {
  const params = new URLSearchParams(search);
  const period = params.get('period') ?? '';
  const compare = params.get('compare') ?? '';
  const grain = params.get('grain') ?? '';
  const from = params.get('from');
  const to = params.get('to');
  const selection: HistorySelection = {
    period: periodKinds.has(period) ? (period as PeriodKind) : defaultSelection.period,
    compare: compareKinds.has(compare) ? (compare as CompareKind) : defaultSelection.compare,
    from: from && dayNumber(from) !== null ? from : null,
    to: to && dayNumber(to) !== null ? to : null,
    grain: grains.has(grain) ? (grain as Grain) : null,
  };
  // A custom period without usable dates is no period at all: fall back rather than show an error on arrival.
  if (selection.period === 'custom' && customPeriodProblem(selection.from, selection.to)) {
    return { ...selection, period: defaultSelection.period, from: null, to: null };
  }
  return selection;
}

/** The ?query for a selection; defaults are left out so plain links stay plain. */
export function searchFromSelection(selection: HistorySelection): string {
  const params = new URLSearchParams();
  if (selection.period !== defaultSelection.period) params.set('period', selection.period);
  if (selection.period === 'custom') {
    if (selection.from) params.set('from', selection.from);
    if (selection.to) params.set('to', selection.to);
  }
  if (selection.compare !== defaultSelection.compare) params.set('compare', selection.compare);
  if (selection.grain) params.set('grain', selection.grain);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The narrower view a click on a trend point opens: a week's point opens its days, a day's point opens its hours,
 * an hour's point opens that day by the minute. Null for a minute, which cannot be narrowed further. The new period
 * stays inside the one shown, so a week cut by the period's edge does not reach beyond it.
 */
export function narrowToPoint(pointStart: string, grain: Grain, shown: PeriodInfo, compare: CompareKind): HistorySelection | null {
  const date = pointStart.slice(0, 10);
  if (dayNumber(date) === null) return null;
  switch (grain) {
    case 'week': {
      const from = date < shown.from ? shown.from : date;
      const end = addDays(date, 6);
      const to = end > shown.to ? shown.to : end;
      return { period: 'custom', compare, from, to, grain: 'day' };
    }
    case 'day':
      return { period: 'custom', compare, from: date, to: date, grain: 'hour' };
    case 'hour':
      return { period: 'custom', compare, from: date, to: date, grain: 'minute' };
    case 'minute':
      return null;
  }
}

/** "Mon 16 Nov – Sun 22 Nov 2026" for a resolved period; one date when it is a single day. */
export function describePeriod(period: Pick<PeriodInfo, 'from' | 'to'>): string {
  const format = (date: string, withYear: boolean) => {
    const day = dayNumber(date);
    if (day === null) return date;
    return new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      ...(withYear ? { year: 'numeric' } : {}),
      timeZone: 'UTC',
    })
      .format(new Date(day * 86_400_000))
      .replace(',', '');
  };
  if (period.from === period.to) return format(period.from, true);
  const sameYear = period.from.slice(0, 4) === period.to.slice(0, 4);
  return `${format(period.from, !sameYear)} – ${format(period.to, true)}`;
}

/** "vs previous period" / "vs same period last year": the words under every delta. */
export function compareWords(compare: CompareKind): string {
  return compare === 'previous_year' ? 'vs same period last year' : compare === 'previous' ? 'vs previous period' : '';
}
