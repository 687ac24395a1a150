import { describe, expect, it } from 'vitest';
import { makeTiles } from '../../test/fixtures';
import { dashboardReducer, initialDashboardState, type DashboardState } from './dashboardState';

const shop = { tenantId: 'demo', storeId: 'demo-shop' };

function onShop(): DashboardState {
  return dashboardReducer(initialDashboardState, { type: 'store', store: shop });
}

describe('dashboardReducer', () => {
  it('shows the REST figures until the hub answers', () => {
    const rest = makeTiles({ asOf: '2026-11-25T14:00:00Z' });
    const state = dashboardReducer(onShop(), { type: 'rest', tiles: rest });
    expect(state.tiles).toBe(rest);
  });

  it('never lets a late REST answer roll back figures the hub already sent', () => {
    const hub = makeTiles({ asOf: '2026-11-25T14:05:00Z' });
    let state = dashboardReducer(onShop(), { type: 'hub', tiles: hub });
    state = dashboardReducer(state, { type: 'rest', tiles: makeTiles({ asOf: '2026-11-25T14:00:00Z' }) });
    expect(state.tiles).toBe(hub);
  });

  it('replaces the figures with every hub message', () => {
    let state = dashboardReducer(onShop(), { type: 'hub', tiles: makeTiles() });
    const next = makeTiles({ asOf: '2026-11-25T14:06:00Z' });
    state = dashboardReducer(state, { type: 'hub', tiles: next });
    expect(state.tiles).toBe(next);
  });

  it('clears the figures when the store changes and ignores answers for the old store', () => {
    let state = dashboardReducer(onShop(), { type: 'hub', tiles: makeTiles() });
    state = dashboardReducer(state, { type: 'store', store: { tenantId: 'demo', storeId: 'us-shop' } });
    expect(state.tiles).toBeNull();
    state = dashboardReducer(state, { type: 'hub', tiles: makeTiles() });
    state = dashboardReducer(state, { type: 'rest', tiles: makeTiles() });
    expect(state.tiles).toBeNull();
  });

  it('keeps the figures when the same store is selected again', () => {
    const tiles = makeTiles();
    const state = dashboardReducer(dashboardReducer(onShop(), { type: 'hub', tiles }), { type: 'store', store: { ...shop } });
    expect(state.tiles).toBe(tiles);
  });
});
