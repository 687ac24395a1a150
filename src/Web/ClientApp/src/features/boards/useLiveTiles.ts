// React binding for LiveTilesClient: the latest tiles per store, the connection state and whether figures are fresh.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DashboardTiles, StoreKey } from '../../lib/types';
import { storeKey } from './figures';
import { LiveTilesClient, runLiveTiles, type ConnectionStatus, type SubscribeFn } from '../../lib/live';
import { useBoardsServices } from './services';

/**
 * The server re-sends every watched store's tiles at least every 15 s (TileRelayActor's refresh); three missed
 * refreshes mean the figures on screen can no longer be called live, even if the socket looks open.
 */
export const STALE_AFTER_MS = 45_000;

export interface LiveTiles {
  status: ConnectionStatus;
  tiles: ReadonlyMap<string, DashboardTiles>;
  /** When the newest figures arrived (this browser's clock), or null before any. */
  receivedAt: number | null;
  /** Connected but nothing has arrived for STALE_AFTER_MS. */
  stale: boolean;
}

export function useLiveTiles(stores: readonly StoreKey[], subscribe: SubscribeFn, onRefused?: (store: StoreKey) => void): LiveTiles {
  const { createConnection } = useBoardsServices();
  const [status, setStatus] = useState<ConnectionStatus>('connecting');
  const [tiles, setTiles] = useState<ReadonlyMap<string, DashboardTiles>>(new Map());
  const [receivedAt, setReceivedAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const clientRef = useRef<LiveTilesClient | null>(null);
  const subscribeRef = useRef(subscribe);
  subscribeRef.current = subscribe;
  const refusedRef = useRef(onRefused);
  refusedRef.current = onRefused;
  const keys = stores.map(storeKey).sort().join('|');
  const storesRef = useRef(stores);
  storesRef.current = stores;

  useEffect(() => {
    const client = new LiveTilesClient(createConnection(), (c, s) => subscribeRef.current(c, s), {
      status: setStatus,
      tiles: (t) => {
        setTiles((previous) => {
          const next = new Map(previous);
          const current = next.get(storeKey(t));
          // A late answer must not replace newer figures already shown.
          if (!current || Date.parse(t.asOf) >= Date.parse(current.asOf) || t.eventsApplied > current.eventsApplied) next.set(storeKey(t), t);
          return next;
        });
        setReceivedAt(Date.now());
      },
      refused: (s) => refusedRef.current?.(s),
    });
    clientRef.current = client;
    const stop = runLiveTiles(client, storesRef.current);
    return () => {
      clientRef.current = null;
      stop();
    };
  }, [createConnection]);

  useEffect(() => {
    void clientRef.current?.setStores(storesRef.current);
  }, [keys]);

  useEffect(() => {
    const handle = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(handle);
  }, []);

  const visible = useMemo(() => {
    const wanted = new Set(keys.split('|'));
    return new Map([...tiles].filter(([key]) => wanted.has(key)));
  }, [tiles, keys]);

  const stale = status === 'live' && receivedAt !== null && now - receivedAt > STALE_AFTER_MS;
  return { status, tiles: visible, receivedAt, stale };
}
