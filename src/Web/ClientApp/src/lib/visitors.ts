// Live visitors, traffic sources and conversion from GA4 (src/Web/Visitors): the answer's shape and the figures the
// live page's tiles and the board widget both show, so the two never disagree.
import { formatCount, formatLocalTime } from './format';

export interface ConversionDayBody {
  day: string;
  orders: number;
  sessions: number;
  /** Orders over sessions, 0..1; null when there were no sessions. */
  rate: number | null;
}

/** GET /api/tenants/{t}/stores/{s}/visitors (src/Web/Visitors/VisitorsQuery.cs VisitorsView). */
export interface VisitorsBody {
  connected: boolean;
  source: string;
  propertyId: string | null;
  updatedAt: string | null;
  timeZone: string | null;
  error: string | null;
  visitorsLast5Minutes: number | null;
  visitorsLast30Minutes: number | null;
  /** Index 0 is the current minute. */
  activeUsersPerMinute: number[];
  sessionsToday: number | null;
  sources: { source: string; sessions: number }[];
  conversion: { today: ConversionDayBody; sameDayLastWeek: ConversionDayBody } | null;
}

export interface VisitorFigure {
  id: 'visitors-5' | 'visitors-30' | 'sessions-today' | 'conversion';
  label: string;
  text: string;
  /** The exact figure for tests and screen readers ('' when unknown). */
  value: string;
  detail: string | null;
}

export interface VisitorFigures {
  /** "Google Analytics 4, realtime, updated 15:30" — where the figures come from and how fresh they are. */
  sourceLine: string;
  figures: VisitorFigure[];
  sources: { source: string; sessions: number; share: number }[];
  /** Why the last read failed, shown beside the last good figures. */
  warning: string | null;
}

/** "3.1%"; "—" when there were no sessions to divide by. */
export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/**
 * What to show for a store's answer, or null when nothing should be shown: no analytics channel is connected, so the
 * page hides the tiles rather than showing zeros. A connection still waiting for its first reading says so.
 */
export function visitorFigures(body: VisitorsBody | null, fallbackTimeZone: string): VisitorFigures | null {
  if (!body || !body.connected) return null;
  const zone = body.timeZone ?? fallbackTimeZone;
  const updated = body.updatedAt ? `updated ${formatLocalTime(body.updatedAt, zone)}` : 'waiting for the first reading';
  const sourceLine = `${body.source}, realtime, ${updated}`;
  const warning = body.error ? `The last read failed: ${body.error}` : null;
  if (!body.updatedAt) return { sourceLine, figures: [], sources: [], warning };
  const count = (n: number | null) => (n === null ? '—' : formatCount(n));
  const today = body.conversion?.today ?? null;
  const lastWeek = body.conversion?.sameDayLastWeek ?? null;
  const total = body.sources.reduce((sum, s) => sum + s.sessions, 0);
  return {
    sourceLine,
    warning,
    figures: [
      { id: 'visitors-5', label: 'Visitors, last 5 minutes', text: count(body.visitorsLast5Minutes), value: String(body.visitorsLast5Minutes ?? ''), detail: null },
      { id: 'visitors-30', label: 'Visitors, last 30 minutes', text: count(body.visitorsLast30Minutes), value: String(body.visitorsLast30Minutes ?? ''), detail: null },
      { id: 'sessions-today', label: 'Sessions today', text: count(body.sessionsToday), value: String(body.sessionsToday ?? ''), detail: null },
      {
        id: 'conversion',
        label: 'Conversion rate today',
        text: formatRate(today?.rate ?? null),
        value: today?.rate === null || today === null ? '' : String(today.rate),
        detail: lastWeek
          ? `${formatRate(lastWeek.rate)} same day last week (${formatCount(lastWeek.orders)} orders / ${formatCount(lastWeek.sessions)} sessions)`
          : null,
      },
    ],
    sources: body.sources.map((s) => ({ ...s, share: total > 0 ? s.sessions / total : 0 })),
  };
}
