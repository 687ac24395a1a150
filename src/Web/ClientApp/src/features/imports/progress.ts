// Pure wording for an import's progress: percentage, speed, time left and the closing summary.
import { formatCount } from '../../lib/format';
import type { ImportProgress } from './types';

/** How often the page asks for progress: often enough for a bar that moves, rare enough to cost the server nothing. */
export const pollIntervalMs = 500;

export function isFinished(progress: Pick<ImportProgress, 'status'>): boolean {
  return progress.status === 'Completed' || progress.status === 'Failed';
}

/** Whole percent done, or null while the row count is not known yet (the file is still being read). */
export function percentDone(progress: Pick<ImportProgress, 'status' | 'totalRows' | 'rowsDone'>): number | null {
  if (progress.status === 'Completed') return 100;
  if (progress.totalRows <= 0) return null;
  return Math.min(100, Math.floor((progress.rowsDone / progress.totalRows) * 100));
}

/** "1,234 rows/s"; "measuring…" before there is a rate to speak of. */
export function formatRate(rowsPerSecond: number | null): string {
  if (rowsPerSecond === null || !Number.isFinite(rowsPerSecond) || rowsPerSecond <= 0) return 'measuring…';
  if (rowsPerSecond < 10) return `${rowsPerSecond.toFixed(1)} rows/s`;
  return `${formatCount(rowsPerSecond)} rows/s`;
}

/**
 * Time left in words a person reads at a glance: "less than a second", "12 s", "3 min 05 s", "1 h 20 min".
 * Null (no estimate yet) reads "estimating…"; seconds are rounded up so the estimate never says 0 while work remains.
 */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return 'estimating…';
  if (seconds === 0) return 'done';
  if (seconds < 1) return 'less than a second';
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) {
    const minutes = Math.floor(whole / 60);
    return `${minutes} min ${String(whole % 60).padStart(2, '0')} s`;
  }
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  return `${hours} h ${String(minutes).padStart(2, '0')} min`;
}

/** "4,200 of 10,000 rows" (or "4,200 rows" while the total is unknown). */
export function formatRows(progress: Pick<ImportProgress, 'totalRows' | 'rowsDone'>): string {
  return progress.totalRows > 0
    ? `${formatCount(progress.rowsDone)} of ${formatCount(progress.totalRows)} rows`
    : `${formatCount(progress.rowsDone)} rows`;
}

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/**
 * The sentence once an import ends. A file imported before changes nothing, and says so: every order and refund in
 * it is recognised as already there.
 */
export function summarise(progress: ImportProgress): string {
  if (progress.status === 'Failed') return `The import stopped: ${progress.failure ?? 'the server gave no reason'}.`;
  if (progress.status !== 'Completed') return '';
  const rejected = progress.errorCount > 0 ? ` ${plural(progress.errorCount, 'row was', 'rows were')} rejected (listed below).` : '';
  if (progress.eventsAccepted === 0 && progress.eventsDuplicate > 0) {
    return `Nothing changed: all ${plural(progress.eventsDuplicate, 'order or refund', 'orders and refunds')} in this file were already imported.${rejected}`;
  }
  if (progress.eventsAccepted === 0) return `Nothing was imported.${rejected}`;
  const again = progress.eventsDuplicate > 0 ? ` ${plural(progress.eventsDuplicate, 'was', 'were')} already there and left as they were.` : '';
  return `Imported ${plural(progress.eventsAccepted, 'order or refund', 'orders and refunds')} from ${plural(progress.totalRows, 'row', 'rows')}.${again}${rejected}`;
}
