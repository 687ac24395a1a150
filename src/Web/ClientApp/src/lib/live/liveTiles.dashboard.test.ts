import { describe, expect, it } from 'vitest';
import { makeTiles } from '../../test/fixtures';
import { deferred, FakeHubConnection, settle } from '../../test/fakeHub';
import type { DashboardTiles } from '../types';
import { connectionStatusText, LiveTilesClient, reconnectPolicy, subscribeByTenant, type ConnectionStatus, type Schedule } from '.';

function manualSchedule() {
  const queue: { action: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule: Schedule = (action, ms) => {
    const entry = { action, ms, cancelled: false };
    queue.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  const runDue = () => {
    const due = queue.splice(0).filter((e) => !e.cancelled);
    for (const entry of due) entry.action();
    return due.length;
  };
  return { schedule, runDue, queue };
}

function setup() {
  const connection = new FakeHubConnection();
  const statuses: ConnectionStatus[] = [];
  const received: DashboardTiles[] = [];
  const timers = manualSchedule();
  // The dashboard page's settings (features/dashboard/useDashboardHub): one store, a steady retry, "Offline" once given up,
  // "Live" as soon as connected (its REST figures are already painted).
  const client = new LiveTilesClient(
    connection,
    subscribeByTenant,
    { status: (s) => statuses.push(s), tiles: (t) => received.push(t) },
    { schedule: timers.schedule, backoff: () => 5_000, whenGivenUp: 'offline', liveOnConnect: true },
  );
  return { connection, statuses, received, timers, client };
}

const shop = { tenantId: 'demo', storeId: 'demo-shop' };
const other = { tenantId: 'demo', storeId: 'us-shop' };

describe('LiveTilesClient on the dashboard page (one store, gives up to Offline)', () => {
  it('says Connecting… then Live, and shows what subscribe returns', async () => {
    const { connection, statuses, received, client } = setup();
    const first = makeTiles();
    connection.subscribeAnswer = () => Promise.resolve(first);
    await client.setStores([shop]);
    client.start();
    await settle();

    expect(statuses.map((s) => connectionStatusText[s])).toEqual(['Connecting…', 'Live']);
    expect(connection.subscribes()).toEqual([['demo', 'demo-shop']]);
    expect(received).toEqual([first]);
  });

  it('says Live as soon as the connection is up, before a slow subscribe answers', async () => {
    const { connection, statuses, received, client } = setup();
    const slow = deferred<DashboardTiles | null>();
    connection.subscribeAnswer = () => slow.promise;
    await client.setStores([shop]);
    client.start();
    await settle();

    expect(statuses).toEqual(['connecting', 'live']);
    slow.resolve(makeTiles());
    await settle();
    expect(received).toHaveLength(1);
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('shows pushed figures for the store on screen and ignores other stores', async () => {
    const { connection, received, client } = setup();
    await client.setStores([shop]);
    client.start();
    await settle();

    const update = makeTiles({ grossRevenue: { value: 20000, lastWeek: 10000, changeRatio: 1 } });
    connection.push(update);
    connection.push(makeTiles({ storeId: 'someone-else' }));

    expect(received).toEqual([update]);
  });

  it('subscribes again after a reconnect and replaces the figures with the answer', async () => {
    const { connection, statuses, received, client } = setup();
    let answer = makeTiles({ asOf: '2026-11-25T14:00:00Z' });
    connection.subscribeAnswer = () => Promise.resolve(answer);
    await client.setStores([shop]);
    client.start();
    await settle();

    connection.dropAndRetry();
    expect(statuses.at(-1)).toBe('reconnecting');

    answer = makeTiles({ asOf: '2026-11-25T14:03:00Z', orders: { value: 400, lastWeek: 350, changeRatio: 0.1429 } });
    connection.reconnect();
    await settle();

    expect(statuses.at(-1)).toBe('live');
    expect(connection.subscribes()).toEqual([
      ['demo', 'demo-shop'],
      ['demo', 'demo-shop'],
    ]);
    expect(received.at(-1)?.orders.value).toBe(400);
  });

  it('leaves the old store’s group and joins the new one when the merchant switches', async () => {
    const { connection, received, client } = setup();
    connection.subscribeAnswer = (_, storeId) => Promise.resolve(makeTiles({ storeId }));
    await client.setStores([shop]);
    client.start();
    await settle();

    await client.setStores([other]);
    await settle();

    expect(connection.invocations.map((i) => [i.method, ...i.args])).toEqual([
      ['subscribe', 'demo', 'demo-shop'],
      ['unsubscribe', 'demo', 'demo-shop'],
      ['subscribe', 'demo', 'us-shop'],
    ]);
    connection.push(makeTiles({ storeId: 'demo-shop' }));
    expect(received.map((t) => t.storeId)).toEqual(['demo-shop', 'us-shop']);
  });

  it('drops a subscribe answer that arrives after the merchant moved to another store', async () => {
    const { connection, received, client } = setup();
    const slow = deferred<DashboardTiles | null>();
    connection.subscribeAnswer = (_, storeId) => (storeId === 'demo-shop' ? slow.promise : Promise.resolve(makeTiles({ storeId })));
    await client.setStores([shop]);
    client.start();
    await settle();
    await client.setStores([other]);
    slow.resolve(makeTiles());
    await settle();

    expect(received.map((t) => t.storeId)).toEqual(['us-shop']);
  });

  it('says Offline when the server cannot be reached and keeps trying without flickering to Connecting…', async () => {
    const { connection, statuses, timers, client } = setup();
    connection.startBehaviour = () => Promise.reject(new Error('refused'));
    await client.setStores([shop]);
    client.start();
    await settle();
    expect(statuses).toEqual(['connecting', 'offline']);
    expect(timers.queue.map((e) => e.ms)).toEqual([5_000]);

    timers.runDue();
    await settle();
    expect(connection.startCalls).toBe(2);
    expect(statuses).toEqual(['connecting', 'offline', 'offline']);

    connection.startBehaviour = () => Promise.resolve();
    timers.runDue();
    await settle();
    expect(statuses.at(-1)).toBe('live');
    expect(connection.subscribes()).toEqual([['demo', 'demo-shop']]);
  });

  it('goes Offline when the connection is given up, then starts a fresh one', async () => {
    const { connection, statuses, timers, client } = setup();
    await client.setStores([shop]);
    client.start();
    await settle();

    connection.close();
    expect(statuses.at(-1)).toBe('offline');
    timers.runDue();
    await settle();
    expect(connection.startCalls).toBe(2);
    expect(statuses.at(-1)).toBe('live');
    expect(connection.subscribes()).toHaveLength(2);
  });

  it('retries a failed subscribe so a Live badge never sits on stale figures', async () => {
    const { connection, received, timers, client } = setup();
    let fail = true;
    connection.subscribeAnswer = () => (fail ? Promise.reject(new Error('busy')) : Promise.resolve(makeTiles()));
    await client.setStores([shop]);
    client.start();
    await settle();
    expect(received).toHaveLength(0);

    fail = false;
    timers.runDue();
    await settle();
    expect(received).toHaveLength(1);
  });

  it('stops cleanly: no more figures or retries after dispose', async () => {
    const { connection, received, timers, client } = setup();
    const start = deferred();
    connection.startBehaviour = () => start.promise;
    await client.setStores([shop]);
    client.start();
    await client.dispose();
    start.resolve();
    await settle();
    connection.push(makeTiles());
    connection.close();

    expect(connection.stopped).toBe(true);
    expect(connection.subscribes()).toHaveLength(0);
    expect(received).toHaveLength(0);
    expect(timers.queue).toHaveLength(0);
  });

  it('retries quickly at first and gives up after a couple of minutes', () => {
    const delays = Array.from({ length: 8 }, (_, previousRetryCount) =>
      reconnectPolicy.nextRetryDelayInMilliseconds({ previousRetryCount, elapsedMilliseconds: 0, retryReason: new Error() }),
    );
    expect(delays).toEqual([0, 2_000, 5_000, 10_000, 30_000, 30_000, 30_000, null]);
  });
});
