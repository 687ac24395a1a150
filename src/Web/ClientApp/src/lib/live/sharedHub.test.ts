import { describe, expect, it } from 'vitest';
import { makeTiles } from '../../test/fixtures';
import { deferred, FakeHubConnection, settle } from '../../test/fakeHub';
import type { DashboardTiles } from '../types';
import { keepConnected, LiveTilesClient, SharedHubConnection, subscribeByTenant, type Schedule } from '.';

/** A schedule the test runs by hand. */
function manualSchedule() {
  const queue: (() => void)[] = [];
  const schedule: Schedule = (action) => {
    queue.push(action);
    return () => queue.splice(queue.indexOf(action) >>> 0, 1);
  };
  return { schedule, runDue: () => queue.splice(0).forEach((a) => a()), pending: () => queue.length };
}

/** A page with live tiles for one store and the toast host, each on a lease of one shared connection. */
function page() {
  const made: FakeHubConnection[] = [];
  const shared = new SharedHubConnection(() => {
    const connection = new FakeHubConnection();
    made.push(connection);
    return connection;
  });
  const timers = manualSchedule();
  const tiles: DashboardTiles[] = [];
  const toasts: unknown[] = [];
  const tilesClient = new LiveTilesClient(shared.lease(), subscribeByTenant, { status: () => {}, tiles: (t) => tiles.push(t) }, { schedule: timers.schedule, backoff: () => 1000 });
  const toastLease = shared.lease();
  toastLease.on('alert', (t: never) => toasts.push(t));
  const toastsJoined: number[] = [];
  const startToasts = () => keepConnected(toastLease, () => void toastLease.invoke('SubscribeAlerts', 'demo').then(() => toastsJoined.push(1)), { schedule: timers.schedule, backoff: () => 1000 });
  return { made, shared, timers, tiles, toasts, tilesClient, startToasts, toastsJoined };
}

const shop = { tenantId: 'demo', storeId: 'demo-shop' };
const joins = (c: FakeHubConnection) => c.invocations.map((i) => `${i.method}:${i.args.join('/')}`);

describe('SharedHubConnection: one hub connection per page', () => {
  it('opens one connection for tiles and toasts, started once, and each part hears only its own messages', async () => {
    const { made, tiles, toasts, tilesClient, startToasts } = page();
    await tilesClient.setStores([shop]);
    tilesClient.start();
    startToasts();
    await settle();

    expect(made).toHaveLength(1);
    const [connection] = made as [FakeHubConnection];
    expect(connection.startCalls).toBe(1);
    expect(joins(connection).sort()).toEqual(['SubscribeAlerts:demo', 'subscribe:demo/demo-shop']);

    connection.push(makeTiles());
    connection.emit('alert', { alertId: 'a1' });
    expect(tiles).toHaveLength(1);
    expect(toasts).toEqual([{ alertId: 'a1' }]);
  });

  it('joins a start already under way instead of starting again', async () => {
    const { made, tilesClient, startToasts } = page();
    const start = deferred();
    // The connection is made by the first lease to touch it: hold its start open before anyone starts.
    tilesClient.start();
    const connection = made[0]!;
    connection.startBehaviour = () => start.promise;
    startToasts();
    start.resolve();
    await settle();
    expect(connection.startCalls).toBe(1);
  });

  it('keeps the connection while any part holds it, drops what a stopped part registered, and closes with the last', async () => {
    const { made, toasts, tilesClient, startToasts } = page();
    tilesClient.start();
    const stopToasts = startToasts();
    await settle();
    const connection = made[0]!;

    await stopToasts();
    expect(connection.stopped).toBe(false);
    connection.emit('alert', { alertId: 'late' });
    expect(toasts).toEqual([]);

    await tilesClient.dispose();
    expect(connection.stopped).toBe(true);
  });

  it('tells every part of a reconnect, so tiles subscribe again and toasts rejoin their groups', async () => {
    const { made, tilesClient, startToasts, toastsJoined } = page();
    await tilesClient.setStores([shop]);
    tilesClient.start();
    startToasts();
    await settle();
    const connection = made[0]!;

    connection.dropAndRetry();
    connection.reconnect();
    await settle();
    expect(connection.subscribes()).toHaveLength(2);
    expect(toastsJoined).toHaveLength(2);
    expect(connection.startCalls).toBe(1);
  });

  it('after SignalR gives up, every part restarts it and the page still has one connection, started once more', async () => {
    const { made, timers, tilesClient, startToasts, toastsJoined } = page();
    await tilesClient.setStores([shop]);
    tilesClient.start();
    startToasts();
    await settle();
    const connection = made[0]!;

    connection.close();
    expect(timers.pending()).toBe(2);
    timers.runDue();
    await settle();

    expect(made).toHaveLength(1);
    expect(connection.startCalls).toBe(2);
    expect(connection.subscribes()).toHaveLength(2);
    expect(toastsJoined).toHaveLength(2);
  });

  it('starts again for a part that comes after the last one left (a new page in the app)', async () => {
    const { made, shared, tilesClient } = page();
    tilesClient.start();
    await settle();
    await tilesClient.dispose();
    const connection = made[0]!;
    expect(connection.stopped).toBe(true);
    expect(shared.holders).toBe(0);

    const next = shared.lease();
    await next.start();
    expect(made).toHaveLength(1);
    expect(connection.startCalls).toBe(2);
    expect(shared.holders).toBe(1);
  });

  it('a start cut short by the last part leaving does not spoil the start of the part that comes next', async () => {
    const made: FakeHubConnection[] = [];
    const shared = new SharedHubConnection(() => {
      const c = new FakeHubConnection();
      made.push(c);
      return c;
    });
    const first = shared.lease();
    const cut = deferred();
    const second = deferred();
    first.on('tiles', () => {});
    const connection = made[0]!;
    connection.startBehaviour = () => cut.promise;
    const firstStart = first.start().catch(() => 'cut');
    await settle();
    await first.stop();

    connection.startBehaviour = () => second.promise;
    const next = shared.lease();
    const nextStart = next.start();
    await settle();
    // The old start fails late (SignalR rejects a start that was stopped), after the new one began.
    cut.reject(new Error('stopped during negotiation'));
    expect(await firstStart).toBe('cut');

    // A third part joins the start under way, rather than starting the connection a third time.
    const thirdStart = shared.lease().start();
    await settle();
    expect(connection.startCalls).toBe(2);
    second.resolve();
    await Promise.all([nextStart, thirdStart]);
    expect(connection.startCalls).toBe(2);
  });

  it('does not tell a stopped part that the connection closed', async () => {
    const { made, timers, tilesClient, startToasts } = page();
    tilesClient.start();
    const stopToasts = startToasts();
    await settle();
    await stopToasts();
    made[0]!.close();
    // Only the tiles client schedules a restart.
    expect(timers.pending()).toBe(1);
  });
});
