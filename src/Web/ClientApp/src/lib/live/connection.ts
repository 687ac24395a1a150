// The page's one SignalR connection to /hubs/dashboard: what the live clients need of it, its states and retry policies.
import { HubConnectionBuilder, LogLevel, type IRetryPolicy } from '@microsoft/signalr';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** The words on the connection badge, exactly as end-to-end tests read them. */
export const connectionStatusText: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** The part of @microsoft/signalr's HubConnection the live client uses, so tests can drive it with a fake (src/test/fakeHub). */
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

/** Runs `action` after `ms` and returns a function that cancels it. */
export type Schedule = (action: () => void, ms: number) => () => void;

export const browserSchedule: Schedule = (action, ms) => {
  const handle = setTimeout(action, ms);
  return () => clearTimeout(handle);
};

/**
 * Exponential backoff with jitter: about 1 s, 2 s, 4 s … capped at 30 s, each ±20 %, so a room of TVs that lost
 * the network together do not all hit the server in the same second when it returns.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The page's connection: reconnect quickly at first, then settle at 30 s; after about two minutes SignalR gives up
 * (the dashboard's badge says "Offline", a wallboard's "Reconnecting…") and each live part keeps starting it again on
 * its own backoff, so a screen nobody touches never stops trying.
 */
export const reconnectPolicy: IRetryPolicy = {
  nextRetryDelayInMilliseconds: ({ previousRetryCount }) =>
    [0, 2_000, 5_000, 10_000, 30_000, 30_000, 30_000][previousRetryCount] ?? null,
};

/** The real connection to the server's /hubs/dashboard (JSON protocol); a page makes one and shares it. */
export function createHubConnection(policy: IRetryPolicy = reconnectPolicy, url = '/hubs/dashboard'): HubConnectionLike {
  return new HubConnectionBuilder().withUrl(url).withAutomaticReconnect(policy).configureLogging(LogLevel.Warning).build();
}
