import { describe, expect, it } from 'vitest';
import { formatRate, visitorFigures, type VisitorsBody } from './visitors';

const reading: VisitorsBody = {
  connected: true,
  source: 'Google Analytics 4',
  propertyId: '555',
  updatedAt: '2026-11-25T15:30:00Z',
  timeZone: 'Europe/London',
  error: null,
  visitorsLast5Minutes: 7,
  visitorsLast30Minutes: 19,
  activeUsersPerMinute: [3, 0, 5],
  sessionsToday: 100,
  sources: [
    { source: 'google', sessions: 60 },
    { source: '(direct)', sessions: 40 },
  ],
  conversion: {
    today: { day: '2026-11-25', orders: 3, sessions: 100, rate: 0.03 },
    sameDayLastWeek: { day: '2026-11-18', orders: 2, sessions: 50, rate: 0.04 },
  },
};

describe('visitorFigures', () => {
  it('is nothing at all when no analytics channel is connected, so the page hides the tiles', () => {
    expect(visitorFigures({ ...reading, connected: false }, 'UTC')).toBeNull();
    expect(visitorFigures(null, 'UTC')).toBeNull();
  });

  it('says where the figures come from and when they were read, in the property zone', () => {
    expect(visitorFigures(reading, 'UTC')!.sourceLine).toBe('Google Analytics 4, realtime, updated 15:30');
    expect(visitorFigures({ ...reading, timeZone: 'America/New_York' }, 'UTC')!.sourceLine).toBe('Google Analytics 4, realtime, updated 10:30');
  });

  it('shows visitors, sessions and conversion against the same day last week, and each source share', () => {
    const view = visitorFigures(reading, 'UTC')!;
    expect(view.figures.map((f) => [f.id, f.text])).toEqual([
      ['visitors-5', '7'],
      ['visitors-30', '19'],
      ['sessions-today', '100'],
      ['conversion', '3.0%'],
    ]);
    expect(view.figures[3]!.detail).toBe('4.0% same day last week (2 orders / 50 sessions)');
    expect(view.sources).toEqual([
      { source: 'google', sessions: 60, share: 0.6 },
      { source: '(direct)', sessions: 40, share: 0.4 },
    ]);
  });

  it('waits for the first reading without inventing figures, and keeps the last ones beside a failed read', () => {
    const waiting = visitorFigures({ ...reading, updatedAt: null, conversion: null }, 'UTC')!;
    expect(waiting.sourceLine).toBe('Google Analytics 4, realtime, waiting for the first reading');
    expect(waiting.figures).toEqual([]);
    const failed = visitorFigures({ ...reading, error: 'Token has been expired or revoked.' }, 'UTC')!;
    expect(failed.warning).toBe('The last read failed: Token has been expired or revoked.');
    expect(failed.figures[1]!.text).toBe('19');
  });

  it('has no rate without sessions', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0.0312)).toBe('3.1%');
  });
});
