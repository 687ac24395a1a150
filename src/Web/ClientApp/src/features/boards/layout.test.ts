import { describe, expect, it } from 'vitest';
import { newWidget } from './catalogue';
import { nextWidgetId, placeNew, rowHeightToFit, sameLayout, stackOrder, toGridItems } from './layout';

describe('placeNew', () => {
  it('puts the first widget top left', () => {
    expect(placeNew([], 'a', { w: 3, h: 2 })).toEqual({ i: 'a', x: 0, y: 0, w: 3, h: 2 });
  });

  it('fills the gap to the right of existing widgets before going down', () => {
    const layout = [{ i: 'a', x: 0, y: 0, w: 6, h: 3 }];
    expect(placeNew(layout, 'b', { w: 6, h: 3 })).toEqual({ i: 'b', x: 6, y: 0, w: 6, h: 3 });
  });

  it('goes below when a row has no room', () => {
    const layout = [
      { i: 'a', x: 0, y: 0, w: 8, h: 3 },
      { i: 'b', x: 8, y: 0, w: 4, h: 2 },
    ];
    // Columns 8-11 free from row 2, but a 6-wide widget only fits below both.
    expect(placeNew(layout, 'c', { w: 6, h: 2 })).toEqual({ i: 'c', x: 0, y: 3, w: 6, h: 2 });
    expect(placeNew(layout, 'd', { w: 4, h: 1 })).toEqual({ i: 'd', x: 8, y: 2, w: 4, h: 1 });
  });

  it('never makes a widget wider than the grid', () => {
    expect(placeNew([], 'a', { w: 20, h: 2 }, 12)).toEqual({ i: 'a', x: 0, y: 0, w: 12, h: 2 });
  });
});

describe('toGridItems', () => {
  it('keeps position and size only, rounded into the grid, and drops unknown or repeated ids', () => {
    const fromGrid = [
      { i: 'a', x: 1.2, y: 0, w: 3, h: 2, moved: false, static: false },
      { i: 'ghost', x: 0, y: 9, w: 1, h: 1 },
      { i: 'b', x: 11, y: -1, w: 4, h: 40 },
      { i: 'a', x: 5, y: 5, w: 1, h: 1 },
    ];
    expect(toGridItems(fromGrid, new Set(['a', 'b']))).toEqual([
      { i: 'a', x: 1, y: 0, w: 3, h: 2 },
      { i: 'b', x: 8, y: 0, w: 4, h: 24 },
    ]);
  });
});

describe('sameLayout', () => {
  it('ignores order but not position', () => {
    const a = [
      { i: 'a', x: 0, y: 0, w: 3, h: 2 },
      { i: 'b', x: 3, y: 0, w: 3, h: 2 },
    ];
    expect(sameLayout(a, [...a].reverse())).toBe(true);
    expect(sameLayout(a, [a[0]!, { ...a[1]!, y: 1 }])).toBe(false);
    expect(sameLayout(a, [a[0]!])).toBe(false);
  });
});

describe('stackOrder', () => {
  it('reads the grid row by row, left to right, as a phone stacks it', () => {
    const layout = [
      { i: 'chart', x: 0, y: 3, w: 12, h: 5 },
      { i: 'orders', x: 6, y: 0, w: 6, h: 3 },
      { i: 'revenue', x: 0, y: 0, w: 6, h: 3 },
    ];
    expect(stackOrder(layout)).toEqual(['revenue', 'orders', 'chart']);
  });
});

describe('nextWidgetId', () => {
  it('numbers widgets per kind, skipping ids in use', () => {
    expect(nextWidgetId([], 'kpi')).toBe('kpi-1');
    expect(nextWidgetId([newWidget('kpi', 'kpi-1'), newWidget('kpi', 'kpi-3')], 'kpi')).toBe('kpi-2');
    expect(nextWidgetId([newWidget('kpi', 'kpi-1')], 'chart')).toBe('chart-1');
  });
});

describe('rowHeightToFit', () => {
  it('shares the screen height between the rows in use', () => {
    const layout = [
      { i: 'a', x: 0, y: 0, w: 6, h: 4 },
      { i: 'b', x: 0, y: 4, w: 6, h: 6 },
    ];
    // 10 rows and 11 margins of 10px in 1000px: (1000 - 110) / 10.
    expect(rowHeightToFit(layout, 1000, 10)).toBe(89);
  });

  it('keeps rows readable when a board is too tall for the screen', () => {
    expect(rowHeightToFit([{ i: 'a', x: 0, y: 0, w: 6, h: 24 }], 500, 10)).toBe(40);
    expect(rowHeightToFit([], 500, 10)).toBe(40);
  });
});
