import { describe, expect, it } from 'vitest';
import { goalWidgetView } from './SavedGoalWidget';
import type { GoalBody } from './widgetData';

const body = (metric: 'Revenue' | 'Orders', achieved: number, target: number, status = 'Behind'): GoalBody => ({
  goal: { id: 'g1', name: 'Black Friday', metric },
  currency: metric === 'Revenue' ? 'GBP' : null,
  progress: { achieved, target, progressRatio: achieved / target, expectedFraction: 0.5, status },
  sentence: 'Behind: on pace for 387.10 GBP of 1,000.00 GBP by 25 Nov 2026.',
  note: null,
});

describe('goalWidgetView', () => {
  it('shows the bar, what is achieved of the target and the pace sentence', () => {
    const view = goalWidgetView(body('Revenue', 250, 1000));
    expect(view).toEqual({
      name: 'Black Friday',
      percent: 25,
      achievedText: '250.00 GBP of 1,000.00 GBP',
      sentence: 'Behind: on pace for 387.10 GBP of 1,000.00 GBP by 25 Nov 2026.',
      status: 'Behind',
      note: null,
    });
  });

  it('counts orders as orders and fills the bar no further than full once met', () => {
    const view = goalWidgetView(body('Orders', 130, 100, 'Met'));
    expect(view.achievedText).toBe('130 orders of 100 orders');
    expect(view.percent).toBe(100);
  });

  it('says there are no figures when the goal cannot be worked out', () => {
    const view = goalWidgetView({ ...body('Revenue', 0, 1), progress: null, sentence: 'No figures.', note: 'The goal’s store no longer exists.' });
    expect([view.percent, view.achievedText, view.note]).toEqual([0, 'No figures', 'The goal’s store no longer exists.']);
  });
});
