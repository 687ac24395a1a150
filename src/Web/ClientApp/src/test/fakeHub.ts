// A scriptable stand-in for @microsoft/signalr's HubConnection: tests decide when it connects, drops and answers.
import type { HubConnectionLike } from '../lib/live';
import type { DashboardTiles } from '../lib/types';

type Handler = (...args: never[]) => void;

export interface Invocation {
  method: string;
  args: unknown[];
}

export class FakeHubConnection implements HubConnectionLike {
  readonly invocations: Invocation[] = [];
  startCalls = 0;
  stopped = false;
  /** Decides what each `start()` does; resolves by default. */
  startBehaviour: () => Promise<void> = () => Promise.resolve();
  /** Answers `subscribe(tenantId, storeId)`; by default with nothing. */
  subscribeAnswer: (tenantId: string, storeId: string) => Promise<DashboardTiles | null> = () => Promise.resolve(null);
  /** Answers `subscribeShared(token, tenantId, storeId)`; by default with nothing. */
  subscribeSharedAnswer: (token: string, tenantId: string, storeId: string) => Promise<DashboardTiles | null> = () =>
    Promise.resolve(null);

  private readonly handlers = new Map<string, Set<Handler>>();
  private reconnecting: ((error?: Error) => void)[] = [];
  private reconnected: ((id?: string) => void)[] = [];
  private closed: ((error?: Error) => void)[] = [];

  start(): Promise<void> {
    this.startCalls++;
    return this.startBehaviour();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    this.invocations.push({ method, args });
    if (method === 'subscribe') return this.subscribeAnswer(args[0] as string, args[1] as string) as Promise<T>;
    if (method === 'subscribeShared') {
      return this.subscribeSharedAnswer(args[0] as string, args[1] as string, args[2] as string) as Promise<T>;
    }
    return Promise.resolve(undefined as T);
  }

  on(method: string, handler: Handler): void {
    let set = this.handlers.get(method);
    if (!set) this.handlers.set(method, (set = new Set()));
    set.add(handler);
  }

  off(method: string, handler: Handler): void {
    this.handlers.get(method)?.delete(handler);
  }

  onreconnecting(callback: (error?: Error) => void): void {
    this.reconnecting.push(callback);
  }

  onreconnected(callback: (id?: string) => void): void {
    this.reconnected.push(callback);
  }

  onclose(callback: (error?: Error) => void): void {
    this.closed.push(callback);
  }

  /** The server pushes `tiles` to this connection. */
  push(tiles: DashboardTiles): void {
    for (const handler of this.handlers.get('tiles') ?? []) (handler as (t: DashboardTiles) => void)(tiles);
  }

  /** The server calls `method` on this connection (e.g. an "alert" toast). */
  emit(method: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(method) ?? []) (handler as (...a: unknown[]) => void)(...args);
  }

  dropAndRetry(): void {
    for (const callback of this.reconnecting) callback(new Error('socket closed'));
  }

  reconnect(): void {
    for (const callback of this.reconnected) callback('new-id');
  }

  close(): void {
    for (const callback of this.closed) callback(new Error('gave up'));
  }

  subscribes(): unknown[][] {
    return this.invocations.filter((i) => i.method === 'subscribe').map((i) => i.args);
  }
}

/** Lets a test hold `start()` open and finish it later. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Runs every promise callback queued so far. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
