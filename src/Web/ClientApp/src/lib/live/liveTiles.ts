// The one live-tiles client: keeps the page's SignalR connection subscribed to every store on screen, across drops,
// with backoff. The dashboard watches one store, a board or wallboard several; the hub forgets groups when a
// connection drops, so every reconnect subscribes again and the answers replace the figures.
import type { DashboardTiles, StoreKey } from '../types';
import { backoffDelay, browserSchedule, type ConnectionStatus, type HubConnectionLike, type Schedule } from './connection';

/** Asks the hub for a store's tiles and joins its updates. */
export type SubscribeFn = (connection: HubConnectionLike, store: StoreKey) => Promise<DashboardTiles | null>;

/** The signed-in subscription: the caller's membership of the tenant in the URL. */
export const subscribeByTenant: SubscribeFn = (connection, store) =>
  connection.invoke<DashboardTiles | null>('subscribe', store.tenantId, store.storeId);

/** A wallboard's subscription: the share token of the dashboard that shows the store. */
export function subscribeByToken(tokenFor: (store: StoreKey) => string | undefined): SubscribeFn {
  return (connection, store) => {
    const token = tokenFor(store);
    if (!token) return Promise.reject(new Error(`No share link covers ${store.tenantId}/${store.storeId}.`));
    return connection.invoke<DashboardTiles | null>('subscribeShared', token, store.tenantId, store.storeId);
  };
}

export interface LiveTilesEvents {
  status(status: ConnectionStatus): void;
  tiles(tiles: DashboardTiles): void;
  /** The hub refused a store (e.g. a revoked share link); it is tried again after a backoff. */
  refused?(store: StoreKey, error: unknown): void;
}

export interface LiveTilesOptions {
  schedule?: Schedule;
  /** Delay before attempt `n` (0-based) to connect or subscribe again. */
  backoff?: (attempt: number) => number;
  /**
   * What the badge says once SignalR gave up and fresh connections are being tried: 'reconnecting' for screens
   * nobody touches (the default), 'offline' for a page whose reader should know the figures stopped.
   */
  whenGivenUp?: 'reconnecting' | 'offline';
  /**
   * Say "Live" as soon as the connection is up (a page whose REST figures are already on screen), rather than once
   * every store has answered afresh (a wallboard, where "Live" promises current figures).
   */
  liveOnConnect?: boolean;
}

const keyOf = (store: StoreKey) => `${store.tenantId}/${store.storeId}`;

export class LiveTilesClient {
  private stores = new Map<string, StoreKey>();
  private connected = false;
  private connecting = false;
  private everLive = false;
  private disposed = false;
  private attempt = 0;
  private readonly pending = new Set<() => void>();
  private readonly schedule: Schedule;
  private readonly backoff: (attempt: number) => number;
  private readonly whenGivenUp: 'reconnecting' | 'offline';
  private readonly liveOnConnect: boolean;

  private readonly onTiles = (tiles: DashboardTiles) => {
    if (!this.disposed && this.stores.has(keyOf(tiles))) this.events.tiles(tiles);
  };

  constructor(
    private readonly connection: HubConnectionLike,
    private readonly subscribe: SubscribeFn,
    private readonly events: LiveTilesEvents,
    options: LiveTilesOptions = {},
  ) {
    this.schedule = options.schedule ?? browserSchedule;
    this.backoff = options.backoff ?? ((n) => backoffDelay(n));
    this.whenGivenUp = options.whenGivenUp ?? 'reconnecting';
    this.liveOnConnect = options.liveOnConnect ?? false;
    connection.on('tiles', this.onTiles);
    connection.onreconnecting(() => {
      if (this.disposed) return;
      this.connected = false;
      this.events.status('reconnecting');
    });
    connection.onreconnected(() => {
      if (this.disposed) return;
      this.connected = true;
      void this.subscribeAll();
    });
    connection.onclose(() => {
      if (this.disposed) return;
      this.connected = false;
      this.events.status(this.everLive ? this.whenGivenUp : 'offline');
      this.later(this.backoff(this.attempt++), () => void this.connect());
    });
  }

  start(): void {
    void this.connect();
  }

  /** Connects at once instead of waiting out the backoff (the browser says the network is back). */
  retryNow(): void {
    if (this.disposed || this.connected || this.connecting) return;
    this.cancelPending();
    void this.connect();
  }

  /** Watches exactly these stores from now on. */
  async setStores(stores: readonly StoreKey[]): Promise<void> {
    const next = new Map(stores.map((s) => [keyOf(s), { tenantId: s.tenantId, storeId: s.storeId }]));
    const added = [...next.entries()].filter(([key]) => !this.stores.has(key)).map(([, store]) => store);
    const removed = [...this.stores.entries()].filter(([key]) => !next.has(key)).map(([, store]) => store);
    this.stores = next;
    if (!this.connected) return;
    for (const store of removed) {
      // Pushes for it are dropped anyway; the group goes with the connection.
      this.connection.invoke('unsubscribe', store.tenantId, store.storeId).catch(() => {});
    }
    await Promise.all(added.map((store) => this.subscribeOne(store, 0)));
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.cancelPending();
    this.connection.off('tiles', this.onTiles);
    try {
      await this.connection.stop();
    } catch {
      // Stopping a connection that never started is fine.
    }
  }

  private async connect(): Promise<void> {
    if (this.disposed || this.connecting || this.connected) return;
    this.connecting = true;
    if (!this.everLive && this.attempt === 0) this.events.status('connecting');
    try {
      await this.connection.start();
    } catch {
      this.connecting = false;
      if (this.disposed) return;
      this.events.status(this.everLive ? this.whenGivenUp : 'offline');
      this.later(this.backoff(this.attempt++), () => void this.connect());
      return;
    }
    this.connecting = false;
    if (this.disposed) return;
    this.connected = true;
    await this.subscribeAll();
  }

  /** After a (re)connect: every store subscribes again; "Live" once they all answered, or at once with liveOnConnect. */
  private async subscribeAll(): Promise<void> {
    if (this.liveOnConnect) this.markLive();
    await Promise.all([...this.stores.values()].map((store) => this.subscribeOne(store, 0)));
    if (this.disposed || !this.connected || this.liveOnConnect) return;
    this.markLive();
  }

  private markLive(): void {
    this.attempt = 0;
    this.everLive = true;
    this.events.status('live');
  }

  private async subscribeOne(store: StoreKey, attempt: number): Promise<void> {
    try {
      const tiles = await this.subscribe(this.connection, store);
      if (tiles && !this.disposed && this.stores.has(keyOf(store))) this.events.tiles(tiles);
    } catch (error) {
      if (this.disposed || !this.connected || !this.stores.has(keyOf(store))) return;
      this.events.refused?.(store, error);
      this.later(this.backoff(attempt), () => {
        if (this.connected && this.stores.has(keyOf(store))) void this.subscribeOne(store, attempt + 1);
      });
    }
  }

  private later(ms: number, action: () => void): void {
    const cancel = this.schedule(() => {
      this.pending.delete(cancel);
      action();
    }, ms);
    this.pending.add(cancel);
  }

  private cancelPending(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}

/**
 * Starts a page's client on its stores and connects again at once when the browser says the network is back (rather
 * than at the end of the backoff); returns the way to stop both.
 */
export function runLiveTiles(client: LiveTilesClient, stores: readonly StoreKey[], events: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> = window): () => void {
  void client.setStores(stores);
  client.start();
  const retry = () => client.retryNow();
  events.addEventListener('online', retry);
  return () => {
    events.removeEventListener('online', retry);
    void client.dispose();
  };
}
