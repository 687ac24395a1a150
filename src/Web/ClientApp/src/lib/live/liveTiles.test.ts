import { describe, expect, it } from 'vitest';
import { makeTiles } from '../../test/fixtures';
import { FakeHubConnection, deferred, settle } from '../../test/fakeHub';
import type { DashboardTiles } from '../types';
import { backoffDelay, LiveTilesClient, runLiveTiles, subscribeByTenant, subscribeByToken, type ConnectionStatus } from '.';

const uk = { tenantId: 'acme', storeId: 'uk' };
const us = { tenantId: 'acme', storeId: 'us' };

/** A schedule the test runs by hand, recording each delay asked for. */
function manualSchedule() {
  const queue: { action: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    delays: () => queue.map((q) => q.ms),
    schedule: (action: () => void, ms: number) => {
      const entry = { action, ms, cancelled: false };
      queue.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    async runAll() {
      const due = queue.splice(0).filter((q) => !q.cancelled);
      for (const q of due) q.action();
      await settle();
    },
  };
}

function setUp(answer: (storeId: string) => Promise<DashboardTiles | null>) {
  const connection = new FakeHubConnection();
  connection.subscribeAnswer = (_, storeId) => answer(storeId);
  const statuses: ConnectionStatus[] = [];
  const received: DashboardTiles[] = [];
  const refused: string[] = [];
  const timer = manualSchedule();
  const client = new LiveTilesClient(
    connection,
    subscribeByTenant,
    { status: (s) => statuses.push(s), tiles: (t) => received.push(t), refused: (s) => refused.push(s.storeId) },
    { schedule: timer.schedule, backoff: (n) => 1000 * 2 ** n },
  );
  return { connection, client, statuses, received, refused, timer };
}

const tilesOf = (storeId: string, orders = 1) => makeTiles({ tenantId: 'acme', storeId, orders: { value: orders, lastWeek: 0, changeRatio: null } });

describe('LiveTilesClient', () => {
  it('says Live only once every store has answered with figures', async () => {
    const slow = deferred<DashboardTiles | null>();
    const { client, statuses, received } = setUp((storeId) => (storeId === 'us' ? slow.promise : Promise.resolve(tilesOf(storeId))));
    void client.setStores([uk, us]);
    client.start();
    await settle();

    expect(statuses).toEqual(['connecting']);
    expect(received.map((t) => t.storeId)).toEqual(['uk']);

    slow.resolve(tilesOf('us'));
    await settle();
    expect(statuses).toEqual(['connecting', 'live']);
    expect(received.map((t) => t.storeId)).toEqual(['uk', 'us']);
  });

  it('passes on pushes for watched stores only', async () => {
    const { client, connection, received } = setUp((storeId) => Promise.resolve(tilesOf(storeId)));
    await client.setStores([uk]);
    client.start();
    await settle();

    connection.push(tilesOf('uk', 5));
    connection.push(tilesOf('elsewhere', 9));
    expect(received.map((t) => [t.storeId, t.orders.value])).toEqual([
      ['uk', 1],
      ['uk', 5],
    ]);
  });

  it('shows Reconnecting… while the link is down and Live again only after fresh figures', async () => {
    let orders = 1;
    const again = deferred<DashboardTiles | null>();
    let first = true;
    const { client, connection, statuses, received } = setUp((storeId) => {
      if (first) {
        first = false;
        return Promise.resolve(tilesOf(storeId, orders));
      }
      return again.promise;
    });
    await client.setStores([uk]);
    client.start();
    await settle();

    connection.dropAndRetry();
    expect(statuses.at(-1)).toBe('reconnecting');

    orders = 7;
    connection.reconnect();
    await settle();
    // Connected again, but the figures on screen are still the old ones: not "Live" yet.
    expect(statuses.at(-1)).toBe('reconnecting');

    again.resolve(tilesOf('uk', orders));
    await settle();
    expect(statuses.at(-1)).toBe('live');
    expect(received.at(-1)!.orders.value).toBe(7);
  });

  it('keeps trying with growing delays after the connection is closed, and never gives up', async () => {
    const { client, connection, statuses, timer } = setUp((storeId) => Promise.resolve(tilesOf(storeId)));
    await client.setStores([uk]);
    client.start();
    await settle();

    connection.startBehaviour = () => Promise.reject(new Error('server down'));
    connection.close();
    expect(statuses.at(-1)).toBe('reconnecting');
    for (let i = 0; i < 4; i++) await timer.runAll();
    expect(connection.startCalls).toBe(5);
    expect(statuses.at(-1)).toBe('reconnecting');

    connection.startBehaviour = () => Promise.resolve();
    await timer.runAll();
    expect(statuses.at(-1)).toBe('live');
    expect(connection.startCalls).toBe(6);
  });

  it('backs off 1 s, 2 s, 4 s … between failed attempts', async () => {
    const { client, connection, timer } = setUp((storeId) => Promise.resolve(tilesOf(storeId)));
    connection.startBehaviour = () => Promise.reject(new Error('down'));
    client.start();
    await settle();
    await timer.runAll();
    await timer.runAll();
    expect(timer.delays()).toEqual([4000]);
  });

  it('says Offline when it has never connected', async () => {
    const { client, connection, statuses } = setUp((storeId) => Promise.resolve(tilesOf(storeId)));
    connection.startBehaviour = () => Promise.reject(new Error('blocked'));
    client.start();
    await settle();
    expect(statuses).toEqual(['connecting', 'offline']);
  });

  it('reports a refused store and asks again later', async () => {
    let refuse = true;
    const { client, refused, received, timer } = setUp((storeId) =>
      refuse ? Promise.reject(new Error('revoked')) : Promise.resolve(tilesOf(storeId)),
    );
    await client.setStores([uk]);
    client.start();
    await settle();
    expect(refused).toEqual(['uk']);
    expect(received).toEqual([]);

    refuse = false;
    await timer.runAll();
    expect(received.map((t) => t.storeId)).toEqual(['uk']);
  });

  it('follows a change of stores: leaves the old, joins the new', async () => {
    const { client, connection } = setUp((storeId) => Promise.resolve(tilesOf(storeId)));
    await client.setStores([uk]);
    client.start();
    await settle();
    await client.setStores([us]);
    expect(connection.invocations.map((i) => `${i.method} ${String(i.args[1])}`)).toEqual(['subscribe uk', 'unsubscribe uk', 'subscribe us']);
  });

  it('subscribes with the share token of the dashboard that shows the store', async () => {
    const connection = new FakeHubConnection();
    connection.subscribeSharedAnswer = (token, _, storeId) => Promise.resolve(token === 'tok-uk' ? tilesOf(storeId) : null);
    const received: DashboardTiles[] = [];
    const client = new LiveTilesClient(
      connection,
      subscribeByToken((s) => (s.storeId === 'uk' ? 'tok-uk' : undefined)),
      { status: () => {}, tiles: (t) => received.push(t) },
      { schedule: () => () => {} },
    );
    await client.setStores([uk]);
    client.start();
    await settle();
    expect(connection.invocations[0]).toEqual({ method: 'subscribeShared', args: ['tok-uk', 'acme', 'uk'] });
    expect(received).toHaveLength(1);
  });
});

describe('backoff', () => {
  it('doubles from a second up to half a minute, within ±20 %', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffDelay(0, () => 0)).toBe(800);
    expect(backoffDelay(0, () => 1)).toBe(1200);
  });
});

describe('runLiveTiles', () => {
  it('connects at once when the browser is back online, and stops listening when stopped', async () => {
    const connection = new FakeHubConnection();
    connection.startBehaviour = () => Promise.reject(new Error('offline'));
    const online = new EventTarget();
    const client = new LiveTilesClient(connection, subscribeByTenant, { status: () => {}, tiles: () => {} }, { schedule: () => () => {} });
    const stop = runLiveTiles(client, [uk], online);
    await settle();
    expect(connection.startCalls).toBe(1);

    connection.startBehaviour = () => Promise.resolve();
    online.dispatchEvent(new Event('online'));
    await settle();
    expect(connection.startCalls).toBe(2);
    expect(connection.subscribes()).toEqual([['acme', 'uk']]);

    stop();
    online.dispatchEvent(new Event('online'));
    await settle();
    expect(connection.startCalls).toBe(2);
    expect(connection.stopped).toBe(true);
  });
});
