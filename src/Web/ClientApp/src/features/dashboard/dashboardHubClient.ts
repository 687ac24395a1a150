// Keeps one SignalR connection subscribed to whichever store is on screen, across drops and store switches.
import { HubConnectionBuilder, LogLevel, type IRetryPolicy } from '@microsoft/signalr';
import { sameStore, type DashboardTiles, type StoreKey } from '../../lib/types';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The words on the connection badge, exactly as end-to-end tests read them. */
export const connectionStatusText: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The part of @microsoft/signalr's HubConnection this client uses, so tests can drive it with a fake. */
export interface HubConnectionLike {
  start(): Promise<void>;
  stop(): Promise<void>;
  invoke<T = unknown>(methodName: string, ...args: unknown[]): Promise<T>;
  on(methodName: string, handler: (...args: never[]) => void): void;
  off(methodName: string, handler: (...args: never[]) => void): void;
  onreconnecting(callback: (error?: Error) => void): void;
  onreconnected(callback: (connectionId?: string) => void): void;
  onclose(callback: (error?: Error) => void): void;
}

export interface DashboardHubEvents {
  status(status: ConnectionStatus): void;
  tiles(tiles: DashboardTiles): void;
}

/** Runs `action` after `ms` and returns a function that cancels it. */
export type Schedule = (action: () => void, ms: number) => () => void;

const browserSchedule: Schedule = (action, ms) => {
  const handle = setTimeout(action, ms);
  return () => clearTimeout(handle);
};

export interface DashboardHubClientOptions {
  /** Pause before trying again after the connection is given up or a subscribe fails. */
  retryDelayMs?: number;
  schedule?: Schedule;
}

/**
 * Owns the dashboard's hub subscription. The server forgets groups when a connection drops, so every reconnect
 * subscribes again and the answer replaces the figures; pushes for a store no longer on screen are dropped.
 */
export class DashboardHubClient {
  private store: StoreKey | null = null;
  private connected = false;
  private connecting = false;
  private disposed = false;
  private attempted = false;
  private readonly pending = new Set<() => void>();
  private readonly retryDelayMs: number;
  private readonly schedule: Schedule;

  private readonly onTiles = (tiles: DashboardTiles) => {
    if (!this.disposed && sameStore(tiles, this.store)) this.events.tiles(tiles);
  };

  constructor(
    private readonly connection: HubConnectionLike,
    private readonly events: DashboardHubEvents,
    options: DashboardHubClientOptions = {},
  ) {
    this.retryDelayMs = options.retryDelayMs ?? 15_000;
    this.schedule = options.schedule ?? browserSchedule;
    connection.on('tiles', this.onTiles);
    connection.onreconnecting(() => {
      if (this.disposed) return;
      this.connected = false;
      this.events.status('reconnecting');
    });
    connection.onreconnected(() => {
      if (this.disposed) return;
      this.connected = true;
      this.events.status('live');
      void this.subscribeCurrent();
    });
    connection.onclose(() => {
      if (this.disposed) return;
      this.connected = false;
      this.events.status('offline');
      this.later(() => void this.connect());
    });
  }

  /** Opens the connection; failures are retried in the background until dispose. */
  start(): void {
    void this.connect();
  }

  /** Tries to connect at once instead of waiting out the retry delay (e.g. when the browser comes back online). */
  retryNow(): void {
    if (this.disposed || this.connected || this.connecting) return;
    this.cancelPending();
    void this.connect();
  }

  /** Shows `store` from now on: leaves the previous store's group and joins the new one. */
  async setStore(store: StoreKey | null): Promise<void> {
    if (store === this.store || sameStore(store, this.store)) return;
    const previous = this.store;
    this.store = store && { tenantId: store.tenantId, storeId: store.storeId };
    if (!this.connected) return;
    if (previous) {
      try {
        await this.connection.invoke('unsubscribe', previous.tenantId, previous.storeId);
      } catch {
        // Pushes for the old store are filtered out anyway, and the group goes when the connection does.
      }
    }
    await this.subscribeCurrent();
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
    // Once a connection has been made and lost, background attempts keep the badge on "Offline" rather than
    // flickering to "Connecting…" every few seconds.
    if (!this.attempted) this.events.status('connecting');
    try {
      await this.connection.start();
    } catch {
      this.connecting = false;
      if (this.disposed) return;
      this.attempted = true;
      this.events.status('offline');
      this.later(() => void this.connect());
      return;
    }
    this.connecting = false;
    if (this.disposed) return;
    this.connected = true;
    this.attempted = true;
    this.events.status('live');
    await this.subscribeCurrent();
  }

  private async subscribeCurrent(): Promise<void> {
    const store = this.store;
    if (!store || !this.connected || this.disposed) return;
    try {
      const tiles = await this.connection.invoke<DashboardTiles | null>('subscribe', store.tenantId, store.storeId);
      if (tiles && !this.disposed && sameStore(store, this.store)) this.events.tiles(tiles);
    } catch {
      // A drop mid-call is handled by onreconnected; anything else is retried so a "Live" badge never sits on
      // figures that stopped updating.
      if (!this.disposed && this.connected && sameStore(store, this.store)) {
        this.later(() => void this.subscribeCurrent());
      }
    }
  }

  private later(action: () => void): void {
    const cancel = this.schedule(() => {
      this.pending.delete(cancel);
      action();
    }, this.retryDelayMs);
    this.pending.add(cancel);
  }

  private cancelPending(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}

/**
 * Reconnect quickly at first, then settle at 30 s; after about two minutes the connection is given up (the badge
 * says "Offline") and DashboardHubClient keeps trying to start a fresh one.
 */
export const reconnectPolicy: IRetryPolicy = {
  nextRetryDelayInMilliseconds: ({ previousRetryCount }) =>
    [0, 2_000, 5_000, 10_000, 30_000, 30_000, 30_000][previousRetryCount] ?? null,
};

/** The real connection to the server's /hubs/dashboard (JSON protocol). */
export function createDashboardConnection(url = '/hubs/dashboard'): HubConnectionLike {
  return new HubConnectionBuilder()
    .withUrl(url)
    .withAutomaticReconnect(reconnectPolicy)
    .configureLogging(LogLevel.Warning)
    .build();
}
