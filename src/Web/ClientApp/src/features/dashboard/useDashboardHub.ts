// React binding for the live client (one store) plus the REST first paint: returns the connection badge and current figures.
import { createContext, useContext, useEffect, useReducer, useRef, useState } from 'react';
import { fetchTiles } from '../../lib/api';
import type { DashboardTiles, StoreKey } from '../../lib/types';
import {
  LiveTilesClient,
  runLiveTiles,
  pageHub,
  subscribeByTenant,
  type ConnectionStatus,
  type HubConnectionLike,
} from '../../lib/live';
import { dashboardReducer, initialDashboardState } from './dashboardState';

export interface DashboardServices {
  createConnection: () => HubConnectionLike;
  fetchTiles: (tenantId: string, storeId: string, signal?: AbortSignal) => Promise<DashboardTiles>;
}

/** Lets tests swap the server for fakes; the app uses the real hub and REST endpoint. */
export const DashboardServicesContext = createContext<DashboardServices>({
  // A lease on the page's one connection, shared with the toast host.
  createConnection: () => pageHub().lease(),
  fetchTiles,
});

export interface DashboardHubState {
  status: ConnectionStatus;
  tiles: DashboardTiles | null;
  /** Set when the first REST load failed and the hub has not answered either. */
  loadError: string | null;
}

export function useDashboardHub(store: StoreKey | null): DashboardHubState {
  const services = useContext(DashboardServicesContext);
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [state, dispatch] = useReducer(dashboardReducer, initialDashboardState);
  const [loadError, setLoadError] = useState<string | null>(null);
  const clientRef = useRef<LiveTilesClient | null>(null);
  const storeRef = useRef(store);
  storeRef.current = store;

  // One connection for the page's life; switching stores re-subscribes on it.
  useEffect(() => {
    // Someone is looking at this page: "Live" once connected (the REST figures are painted already), a steady 15 s
    // retry, and "Offline" once SignalR gives up, so they know.
    const client = new LiveTilesClient(
      services.createConnection(),
      subscribeByTenant,
      { status: setStatus, tiles: (tiles) => dispatch({ type: 'hub', tiles }) },
      { backoff: () => 15_000, whenGivenUp: 'offline', liveOnConnect: true },
    );
    clientRef.current = client;
    const stop = runLiveTiles(client, storeRef.current ? [storeRef.current] : []);
    return () => {
      clientRef.current = null;
      stop();
    };
  }, [services]);

  const tenantId = store?.tenantId;
  const storeId = store?.storeId;
  useEffect(() => {
    const key = tenantId !== undefined && storeId !== undefined ? { tenantId, storeId } : null;
    dispatch({ type: 'store', store: key });
    setLoadError(null);
    void clientRef.current?.setStores(key ? [key] : []);
    if (!key) return;
    // Paint figures straight away even if the hub is slow or blocked by a proxy.
    const abort = new AbortController();
    services
      .fetchTiles(key.tenantId, key.storeId, abort.signal)
      .then((tiles) => dispatch({ type: 'rest', tiles }))
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setLoadError(error instanceof Error ? error.message : String(error));
      });
    return () => abort.abort();
  }, [services, tenantId, storeId]);

  return { status, tiles: state.tiles, loadError: state.tiles ? null : loadError };
}
