import { describe, expect, it } from 'vitest';
import {
  addDays,
  autoGrain,
  customPeriodProblem,
  dayNumber,
  defaultSelection,
  describePeriod,
  effectiveGrain,
  grainOptions,
  historyQuery,
  narrowToPoint,
  periodDays,
  searchFromSelection,
  selectionFromSearch,
  trendQuery,
  type HistorySelection,
} from './period';

const week = { name: 'Last7', from: '2026-11-18', to: '2026-11-24', fromUtc: '2026-11-18T00:00:00Z', toUtc: '2026-11-25T00:00:00Z' };

describe('periods', () => {
  it('counts the days a period spans, month to date by the store’s date', () => {
    expect(periodDays({ ...defaultSelection, period: 'today' }, '2026-11-25')).toBe(1);
    expect(periodDays({ ...defaultSelection, period: 'last90' }, '2026-11-25')).toBe(90);
    expect(periodDays({ ...defaultSelection, period: 'mtd' }, '2026-11-25')).toBe(25);
    expect(periodDays({ ...defaultSelection, period: 'custom', from: '2026-02-27', to: '2026-03-02' }, '2026-11-25')).toBe(4);
  });

  it('explains what is wrong with a custom period', () => {
    expect(customPeriodProblem('2026-11-01', '2026-11-30')).toBeNull();
    expect(customPeriodProblem('2026-11-01', null)).toBe('Pick both a first and a last day.');
    expect(customPeriodProblem('2026-11-30', '2026-11-01')).toBe('The last day is before the first.');
    expect(customPeriodProblem('2026-02-30', '2026-03-01')).toBe('Dates must be real days (yyyy-mm-dd).');
    expect(customPeriodProblem('2024-01-01', '2026-01-01')).toBe('A custom period is at most 731 days.');
    expect(customPeriodProblem('2024-01-01', '2025-12-31')).toBeNull();
  });

  it('adds days across month and leap-year ends', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(dayNumber('1970-01-02')).toBe(1);
  });

  it('prints a period the way a person says it', () => {
    expect(describePeriod(week)).toBe('Wed 18 Nov – Tue 24 Nov 2026');
    expect(describePeriod({ from: '2025-12-29', to: '2026-01-04' })).toBe('Mon 29 Dec 2025 – Sun 4 Jan 2026');
    expect(describePeriod({ from: '2026-11-24', to: '2026-11-24' })).toBe('Tue 24 Nov 2026');
  });
});

describe('grains', () => {
  it('picks hours within two days, days within 92, weeks beyond, as the server does', () => {
    expect(autoGrain(1)).toBe('hour');
    expect(autoGrain(2)).toBe('hour');
    expect(autoGrain(3)).toBe('day');
    expect(autoGrain(92)).toBe('day');
    expect(autoGrain(93)).toBe('week');
  });

  it('offers minutes only for two days at most and weeks only for longer periods', () => {
    expect(grainOptions(1)).toEqual(['minute', 'hour', 'day']);
    expect(grainOptions(7)).toEqual(['hour', 'day']);
    expect(grainOptions(30)).toEqual(['hour', 'day', 'week']);
    expect(grainOptions(90)).toEqual(['day', 'week']);
  });

  it('drops a picked grain that no longer fits, so the server never refuses the trend', () => {
    const minuteWeek: HistorySelection = { ...defaultSelection, grain: 'minute' };
    expect(effectiveGrain(minuteWeek, '2026-11-25')).toBeNull();
    expect(trendQuery(minuteWeek, '2026-11-25')).toBe('period=last7&compare=previous');
    expect(trendQuery({ ...minuteWeek, period: 'today' }, '2026-11-25')).toBe('period=today&compare=previous&grain=minute');
  });
});

describe('queries and links', () => {
  it('sends custom dates only for a custom period', () => {
    expect(historyQuery({ ...defaultSelection, from: '2026-01-01', to: '2026-01-02' })).toBe('period=last7&compare=previous');
    expect(historyQuery({ period: 'custom', compare: 'previous_year', from: '2026-01-01', to: '2026-01-31', grain: null }, { by: 'product' })).toBe(
      'period=custom&compare=previous_year&from=2026-01-01&to=2026-01-31&by=product',
    );
  });

  it('round-trips a selection through the address bar and leaves defaults out', () => {
    const custom: HistorySelection = { period: 'custom', compare: 'none', from: '2026-10-01', to: '2026-10-31', grain: 'week' };
    expect(searchFromSelection(defaultSelection)).toBe('');
    expect(selectionFromSearch(searchFromSelection(custom))).toEqual(custom);
  });

  it('falls back to the default for nonsense in the address bar', () => {
    expect(selectionFromSearch('?period=forever&compare=ever&grain=second')).toEqual(defaultSelection);
    expect(selectionFromSearch('?period=custom&from=2026-10-31&to=2026-10-01')).toEqual(defaultSelection);
  });
});

describe('narrowing to a trend point', () => {
  it('opens a day’s hours, an hour’s day by the minute, and nothing below a minute', () => {
    expect(narrowToPoint('2026-11-20T00:00:00', 'day', week, 'previous')).toEqual({
      period: 'custom',
      compare: 'previous',
      from: '2026-11-20',
      to: '2026-11-20',
      grain: 'hour',
    });
    expect(narrowToPoint('2026-11-20T14:00:00', 'hour', week, 'none')).toEqual({
      period: 'custom',
      compare: 'none',
      from: '2026-11-20',
      to: '2026-11-20',
      grain: 'minute',
    });
    expect(narrowToPoint('2026-11-20T14:05:00', 'minute', week, 'previous')).toBeNull();
  });

  it('keeps a week cut by the period’s edges inside the period', () => {
    const ninety = { ...week, from: '2026-08-27', to: '2026-11-24' };
    // 2026-08-24 is the Monday of the period's first, partial week.
    expect(narrowToPoint('2026-08-24T00:00:00', 'week', ninety, 'previous_year')).toMatchObject({ from: '2026-08-27', to: '2026-08-30', grain: 'day' });
    expect(narrowToPoint('2026-11-23T00:00:00', 'week', ninety, 'previous')).toMatchObject({ from: '2026-11-23', to: '2026-11-24' });
    expect(narrowToPoint('2026-11-09T00:00:00', 'week', ninety, 'previous')).toMatchObject({ from: '2026-11-09', to: '2026-11-15' });
  });
});
