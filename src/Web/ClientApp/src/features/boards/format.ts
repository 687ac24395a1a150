// How widget figures print: money in its own currency, counts as whole numbers, "—" for a figure not known yet.
import { formatCount, formatMoney, formatMoneyCompact } from '../../lib/format';
import { isMoney } from './catalogue';
import type { Metric } from './types';

export function formatFigure(value: number | null, metric: Metric, currency: string | null): string {
  if (value === null) return '—';
  return isMoney(metric) && currency ? formatMoney(value, currency) : formatCount(value);
}

/** Short form for chart axes: "£1.2K", "1,200". */
export function formatAxis(value: number, metric: Metric, currency: string | null): string {
  return isMoney(metric) && currency ? formatMoneyCompact(value, currency) : formatCount(value);
}

/** "62%" of a goal, whole percent, floored so a goal never reads 100% before it is met. */
export function formatProgress(ratio: number): string {
  return `${Math.floor(Math.max(0, ratio) * 100)}%`;
}
