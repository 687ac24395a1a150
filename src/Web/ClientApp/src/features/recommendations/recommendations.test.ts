import { describe, expect, it } from 'vitest';
import { change, ordered, type RecommendationItem } from './recommendations';

const item = (id: string, status: RecommendationItem['status'], revenueAtStake: number): RecommendationItem => ({
  id,
  kind: 'Bundle',
  title: id,
  action: 'do',
  revenueAtStake,
  figures: [],
  drillDown: 'history',
  status,
  result: null,
});

describe('recommendations', () => {
  it('keeps open advice on top by revenue at stake, then done, then dismissed', () => {
    const items = [item('d', 'dismissed', 900), item('a', 'open', 10), item('b', 'done', 500), item('c', 'open', 50)];
    expect(ordered(items).map((i) => i.id)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('says how a figure moved after the advice was done', () => {
    expect(change(200, 250)).toBeCloseTo(0.25);
    expect(change(0, 10)).toBeNull();
    expect(change(null, 10)).toBeNull();
  });
});
