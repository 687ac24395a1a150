// The page's one hub connection, shared: each live part of a page (tiles, boards, the toast host) takes a lease that
// looks like a connection of its own, and the socket opens with the first lease started and closes with the last stopped.
import { backoffDelay, browserSchedule, createHubConnection, type HubConnectionLike, type Schedule } from './connection';

type Handler = (...args: never[]) => void;
type State = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/**
 * One SignalR connection with reference counting. `start()` on a lease counts it in (joining a start already under way),
 * `stop()` counts it out and drops the handlers and callbacks it registered; only the last `stop()` closes the socket.
 * Reconnecting, reconnected and closed are told to every lease that is started, so each part subscribes again on the
 * server (a reconnect is a new server connection with no groups).
 */
export class SharedHubConnection {
  private connection: HubConnectionLike | null = null;
  private state: State = 'disconnected';
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> = Promise.resolve();
  private readonly started = new Set<HubLease>();
  private readonly waitingForReconnect = new Set<{ resolve: () => void; reject: (e: Error) => void }>();

  constructor(private readonly create: () => HubConnectionLike) {}

  /** A new view of the page's connection for one part of the page. */
  lease(): HubConnectionLike {
    return new HubLease(this);
  }

  /** How many parts hold the connection open now (for tests and diagnostics). */
  get holders(): number {
    return this.started.size;
  }

  /** @internal The underlying connection, made on first use and kept for the page's life (it can be started again). */
  get hub(): HubConnectionLike {
    if (this.connection) return this.connection;
    const connection = this.create();
    connection.onreconnecting((error) => {
      this.state = 'reconnecting';
      for (const lease of [...this.started]) lease.reconnecting(error);
    });
    connection.onreconnected((id) => {
      this.state = 'connected';
      for (const w of this.waitingForReconnect) w.resolve();
      this.waitingForReconnect.clear();
      for (const lease of [...this.started]) lease.reconnected(id);
    });
    connection.onclose((error) => {
      this.state = 'disconnected';
      for (const w of this.waitingForReconnect) w.reject(error ?? new Error('The connection closed.'));
      this.waitingForReconnect.clear();
      for (const lease of [...this.started]) lease.closed(error);
    });
    this.connection = connection;
    return connection;
  }

  /** @internal */
  async startFor(lease: HubLease): Promise<void> {
    this.started.add(lease);
    await this.stopping;
    if (!this.started.has(lease)) throw new Error('Stopped before the connection started.');
    if (this.state === 'connected') return;
    if (this.state === 'reconnecting') {
      // SignalR is already retrying: this part is live when it succeeds, or hears "closed" when it gives up.
      await new Promise<void>((resolve, reject) => this.waitingForReconnect.add({ resolve, reject }));
      return;
    }
    if (!this.starting) {
      this.state = 'connecting';
      // A start the last part's stop cut short may settle after the next start began: only the current one counts.
      const starting: Promise<void> = this.hub.start().then(
        () => {
          if (this.starting !== starting) return;
          this.state = 'connected';
          this.starting = null;
        },
        (error: unknown) => {
          if (this.starting === starting) {
            this.state = 'disconnected';
            this.starting = null;
          }
          throw error;
        },
      );
      this.starting = starting;
    }
    await this.starting;
  }

  /** @internal */
  async stopFor(lease: HubLease): Promise<void> {
    if (!this.started.delete(lease) || this.started.size > 0 || !this.connection) return;
    this.state = 'disconnected';
    this.starting = null;
    const connection = this.connection;
    this.stopping = connection.stop().catch(() => undefined);
    await this.stopping;
  }
}

/** One part's view of the shared connection: what it registered goes when it stops. */
class HubLease implements HubConnectionLike {
  private readonly handlers: [string, Handler][] = [];
  private readonly onReconnecting: ((error?: Error) => void)[] = [];
  private readonly onReconnected: ((id?: string) => void)[] = [];
  private readonly onClose: ((error?: Error) => void)[] = [];

  constructor(private readonly shared: SharedHubConnection) {}

  start(): Promise<void> {
    return this.shared.startFor(this);
  }

  async stop(): Promise<void> {
    for (const [method, handler] of this.handlers.splice(0)) this.shared.hub.off(method, handler);
    this.onReconnecting.length = 0;
    this.onReconnected.length = 0;
    this.onClose.length = 0;
    await this.shared.stopFor(this);
  }

  invoke<T = unknown>(methodName: string, ...args: unknown[]): Promise<T> {
    return this.shared.hub.invoke<T>(methodName, ...args);
  }

  on(methodName: string, handler: Handler): void {
    this.handlers.push([methodName, handler]);
    this.shared.hub.on(methodName, handler);
  }

  off(methodName: string, handler: Handler): void {
    const index = this.handlers.findIndex(([m, h]) => m === methodName && h === handler);
    if (index < 0) return;
    this.handlers.splice(index, 1);
    this.shared.hub.off(methodName, handler);
  }

  onreconnecting(callback: (error?: Error) => void): void {
    this.onReconnecting.push(callback);
  }

  onreconnected(callback: (connectionId?: string) => void): void {
    this.onReconnected.push(callback);
  }

  onclose(callback: (error?: Error) => void): void {
    this.onClose.push(callback);
  }

  reconnecting(error?: Error): void {
    for (const callback of this.onReconnecting) callback(error);
  }

  reconnected(id?: string): void {
    for (const callback of this.onReconnected) callback(id);
  }

  closed(error?: Error): void {
    for (const callback of this.onClose) callback(error);
  }
}

let page: SharedHubConnection | null = null;

/**
 * The page's shared connection to /hubs/dashboard, made on first use. SignalR retries for about two minutes
 * (reconnectPolicy); after that each part starts it again on its own backoff, so a screen nobody touches never gives up.
 */
export function pageHub(): SharedHubConnection {
  page ??= new SharedHubConnection(() => createHubConnection());
  return page;
}

/**
 * Keeps a lease connected for a part that only joins groups (the toast host): `joined` runs after every connect and
 * reconnect; a failed start or a closed connection is started again after a backoff. Returns the way to stop.
 */
export function keepConnected(
  connection: HubConnectionLike,
  joined: () => void,
  { schedule = browserSchedule, backoff = (n: number) => backoffDelay(n) }: { schedule?: Schedule; backoff?: (attempt: number) => number } = {},
): () => Promise<void> {
  let stopped = false;
  let attempt = 0;
  let cancel: (() => void) | null = null;
  const retry = () => {
    if (stopped) return;
    cancel = schedule(() => {
      cancel = null;
      connect();
    }, backoff(attempt++));
  };
  const connect = () => {
    connection.start().then(
      () => {
        if (stopped) return;
        attempt = 0;
        joined();
      },
      () => retry(),
    );
  };
  connection.onreconnected(() => {
    if (!stopped) joined();
  });
  connection.onclose(() => retry());
  connect();
  return async () => {
    stopped = true;
    cancel?.();
    await connection.stop();
  };
}
