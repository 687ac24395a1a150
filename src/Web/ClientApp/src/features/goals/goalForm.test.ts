import { describe, expect, it } from 'vitest';
import { barOf, emptyGoalDraft, paceNote, requestOf } from './goalForm';
import type { GoalView } from './types';

const view = (overrides: Partial<GoalView['progress'] & object> = {}, pace: 'Linear' | 'HourlyProfile' = 'HourlyProfile'): GoalView => ({
  goal: {
    id: 'g1', tenantId: 'acme', storeId: 'uk', name: 'Daily', metric: 'Revenue', target: 1000, period: 'Day',
    from: null, to: null, pace, alertWhenBehind: false, createdAt: '2026-11-25T00:00:00Z',
  },
  currency: 'GBP',
  timeZone: 'Europe/London',
  progress: {
    achieved: 300, target: 1000, progressRatio: 0.3, expectedFraction: 0.6458, projected: 464.52, status: 'Behind',
    method: 'Linear', startsAt: '2026-11-25T00:00:00Z', endsAt: '2026-11-26T00:00:00Z', ...overrides,
  },
  sentence: 'Behind',
  note: null,
});

describe('goal form', () => {
  it('sends custom dates only for a custom period, and the organisation as no store', () => {
    expect(requestOf({ ...emptyGoalDraft, name: ' Sale ', target: '2500', period: 'week', from: '2026-11-27', to: '2026-11-30' })).toEqual({
      name: 'Sale', metric: 'revenue', target: 2500, period: 'week', pace: 'hourly-profile', alertWhenBehind: false,
    });
    expect(requestOf({ ...emptyGoalDraft, name: 'Sale', target: '10', period: 'custom', from: '2026-11-27', to: '2026-11-30', storeId: 'uk' })).toMatchObject({
      from: '2026-11-27', to: '2026-11-30', storeId: 'uk',
    });
  });

  it('fills the bar with progress, marks the expected share, and caps both', () => {
    expect(barOf(view())).toEqual({ filled: 30, expected: 64.6 });
    expect(barOf(view({ progressRatio: 1.7 }))).toEqual({ filled: 100, expected: 64.6 });
  });

  it('says which pace it used, and when it fell back to linear', () => {
    expect(paceNote(view({ method: 'HourlyProfile' }))).toMatch(/hourly profile/);
    expect(paceNote(view())).toMatch(/no trading history/);
    expect(paceNote(view({}, 'Linear'))).toBe('Pace: linear over the period.');
  });
});
