// Which figures the dashboard shows, as a pure reducer so ordering rules are unit tested without a server.
import { sameStore, type DashboardTiles, type StoreKey } from '../../lib/types';

export interface DashboardState {
  store: StoreKey | null;
  tiles: DashboardTiles | null;
  /** Where the figures on screen came from; the hub is authoritative once it has answered. */
  source: 'rest' | 'hub' | null;
}

export type DashboardAction =
  | { type: 'store'; store: StoreKey | null }
  | { type: 'rest'; tiles: DashboardTiles }
  | { type: 'hub'; tiles: DashboardTiles };

export const initialDashboardState: DashboardState = { store: null, tiles: null, source: null };

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'store':
      if (sameStore(state.store, action.store)) return state;
      return { store: action.store, tiles: null, source: null };
    case 'rest':
      // The REST answer only fills the page until the hub answers; arriving later it would roll figures back.
      if (!sameStore(state.store, action.tiles) || state.source === 'hub') return state;
      return { ...state, tiles: action.tiles, source: 'rest' };
    case 'hub':
      // A hub answer (subscribe result or push) is whole and current, so it replaces whatever is there.
      if (!sameStore(state.store, action.tiles)) return state;
      return { ...state, tiles: action.tiles, source: 'hub' };
  }
}
