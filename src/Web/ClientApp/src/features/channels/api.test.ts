import { afterEach, describe, expect, it, vi } from 'vitest';
import { channelsApi } from './api';

afterEach(() => vi.unstubAllGlobals());

describe('channels api', () => {
  it('calls only the store-scoped routes, with the method each change needs', async () => {
    const calls: { url: string; method: string }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init?: RequestInit) => {
        calls.push({ url, method: init?.method ?? 'GET' });
        return Promise.resolve(new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
      }),
    );

    await channelsApi.catalog();
    await channelsApi.list('acme co', 'uk/shop');
    await channelsApi.save('acme co', 'uk/shop', 'Amazon', { enabled: true, settings: {}, credentials: {}, pollIntervalSeconds: null });
    await channelsApi.test('acme co', 'uk/shop', 'Amazon');
    await channelsApi.sync('acme co', 'uk/shop', 'Amazon');
    await channelsApi.status('acme co', 'uk/shop', 'Amazon');
    await channelsApi.shipments('acme co', 'uk/shop', 'last7');

    const store = '/api/tenants/acme%20co/stores/uk%2Fshop';
    expect(calls).toEqual([
      { url: '/api/channels/catalog', method: 'GET' },
      { url: `${store}/channels`, method: 'GET' },
      { url: `${store}/channels/Amazon`, method: 'PUT' },
      { url: `${store}/channels/Amazon/test`, method: 'POST' },
      { url: `${store}/channels/Amazon/sync`, method: 'POST' },
      { url: `${store}/channels/Amazon/status`, method: 'GET' },
      { url: `${store}/shipments?period=last7`, method: 'GET' },
    ]);
  });
});
