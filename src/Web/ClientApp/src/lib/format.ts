// Pure formatting for what the dashboard prints; every function here is unit tested.
import type { KpiTile } from './types';

/** The dashboard speaks British English; currency and time zone come from the store. */
export const LOCALE = 'en-GB';

const moneyFormats = new Map<string, (value: number) => string>();
const countFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

function moneyFormat(currency: string): (value: number) => string {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      const intl = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
      format = (value) => intl.format(value);
    } catch {
      // An unknown ISO code must not blank the dashboard: show the figure with the code beside it.
      const plain = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      format = (value) => `${plain.format(value)} ${currency}`;
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

/** "£1,234.50" for GBP, "US$12.00" for USD in en-GB. */
export function formatMoney(value: number, currency: string): string {
  return moneyFormat(currency)(value);
}

/** Counts are whole numbers with thousands separators: "1,234". */
export function formatCount(value: number): string {
  return countFormat.format(Math.round(value));
}

export type DeltaDirection = 'up' | 'down' | 'flat' | 'none';

export interface Delta {
  text: string;
  direction: DeltaDirection;
}

/**
 * The comparison line under a tile. Direction follows the percentage as printed (one decimal), so a change that
 * rounds to 0.0% is flat rather than a misleading "▲ 0.0%".
 */
export function formatDelta(changeRatio: number | null): Delta {
  if (changeRatio === null || !Number.isFinite(changeRatio)) {
    return { text: '— no data last week', direction: 'none' };
  }
  const tenthsOfPercent = Math.round(Math.abs(changeRatio) * 1000);
  const percent = (tenthsOfPercent / 10).toFixed(1);
  if (tenthsOfPercent === 0) return { text: `— ${percent}% vs last week`, direction: 'flat' };
  return changeRatio > 0
    ? { text: `▲ ${percent}% vs last week`, direction: 'up' }
    : { text: `▼ ${percent}% vs last week`, direction: 'down' };
}

export type Sentiment = 'good' | 'bad' | 'neutral';

/** Whether a movement is good news: more refunds going up is bad, more revenue going up is good. */
export function deltaSentiment(direction: DeltaDirection, higherIsBetter: boolean): Sentiment {
  if (direction === 'up') return higherIsBetter ? 'good' : 'bad';
  if (direction === 'down') return higherIsBetter ? 'bad' : 'good';
  return 'neutral';
}

/** Tooltip for the comparison: last week's figure at the same local time. */
export function formatLastWeek(tile: KpiTile, format: (n: number) => string): string {
  return `Same time last week: ${format(tile.lastWeek)}`;
}

function safeTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat(LOCALE, { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeFormat(timeZone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${seconds}`;
  let format = timeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE, {
      timeZone: safeTimeZone(timeZone),
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    timeFormats.set(key, format);
  }
  return format;
}

/** "14:05" in the store's time zone, for chart axes. */
export function formatLocalTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : timeFormat(timeZone, false).format(date);
}

/** "14:05:09" in the store's time zone, for the last-update stamp. */
export function formatLocalTimeWithSeconds(iso: string, timeZone: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : timeFormat(timeZone, true).format(date);
}

const dayFormat = new Intl.DateTimeFormat(LOCALE, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * "Wednesday 25 November 2026" from the server's store-local "2026-11-25". The date is already local to the store,
 * so it is formatted as a UTC calendar date; converting it through the browser's zone could shift it a day.
 */
export function formatLocalDate(localDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!match) return localDate;
  const [, y, m, d] = match;
  // Assembled from parts because ICU versions disagree on the comma after the weekday.
  const parts = dayFormat.formatToParts(new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`;
}

/** Ease-out cubic: fast start, gentle landing, so a count-up reads as settling on the new figure. */
export function easeOutCubic(t: number): number {
  const clamped = Math.min(1, Math.max(0, t));
  return 1 - Math.pow(1 - clamped, 3);
}

/** The figure shown `elapsedMs` into a tween from `from` to `to` lasting `durationMs`. */
export function tweenValue(from: number, to: number, elapsedMs: number, durationMs: number): number {
  if (durationMs <= 0 || elapsedMs >= durationMs) return to;
  return from + (to - from) * easeOutCubic(elapsedMs / durationMs);
}

const compactMoneyFormats = new Map<string, (value: number) => string>();

/** "£1.2K" for chart axes, where full figures would crowd the labels. */
export function formatMoneyCompact(value: number, currency: string): string {
  let format = compactMoneyFormats.get(currency);
  if (!format) {
    try {
      const intl = new Intl.NumberFormat(LOCALE, {
        style: 'currency',
        currency,
        notation: 'compact',
        minimumFractionDigits: 0,
        maximumFractionDigits: 1,
      });
      format = (n) => intl.format(n);
    } catch {
      const plain = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: 1 });
      format = (n) => `${plain.format(n)} ${currency}`;
    }
    compactMoneyFormats.set(currency, format);
  }
  return format(value);
}

/** "3 orders" / "1 order". */
export function formatOrders(count: number): string {
  return `${formatCount(count)} ${Math.round(count) === 1 ? 'order' : 'orders'}`;
}

/** Today's date in `timeZone` as "yyyy-MM-dd", used before the server's first figures arrive. */
export function localDateIn(now: Date, timeZone: string): string {
  // en-CA prints ISO order (2026-11-25), which saves picking the parts apart.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: safeTimeZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}
