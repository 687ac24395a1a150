import { describe, expect, it } from 'vitest';
import { fieldsFor, initialState, labelFor, serverErrors, statusLines, toRequest, validate } from './channelForm';
import type { ChannelCatalogEntry, ChannelConnectionView } from './types';

const amazon: ChannelCatalogEntry = {
  channel: 'Amazon',
  kind: 'poller',
  requiredSettings: ['marketplaceIds'],
  optionalSettings: ['region', 'since'],
  credentials: ['clientId', 'clientSecret', 'refreshToken'],
  webhookPath: null,
  description: 'Amazon orders',
};

const connected: ChannelConnectionView = {
  channel: 'Amazon',
  kind: 'poller',
  enabled: true,
  settings: { marketplaceIds: 'ATVPDKIKX0DER', region: 'na' },
  credentialsSet: ['clientId', 'clientSecret', 'refreshToken'],
  pollIntervalSeconds: 300,
  webhookPath: null,
  status: { state: 'ok', lastSyncAt: null, lastSuccessAt: null, lastError: null, eventsIngested: 0, nextSyncAt: null, lastSummary: null },
};

describe('channel form', () => {
  it('asks for every setting and credential of the catalog, secrets as password fields', () => {
    const fields = fieldsFor(amazon);
    expect(fields.map((f) => f.id)).toEqual([
      'settings.marketplaceIds',
      'settings.region',
      'settings.since',
      'credentials.clientId',
      'credentials.clientSecret',
      'credentials.refreshToken',
    ]);
    expect(fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['clientId', 'clientSecret', 'refreshToken']);
    expect(fields.find((f) => f.name === 'marketplaceIds')).toMatchObject({ label: 'Marketplace ids', required: true });
    expect(fields.find((f) => f.name === 'region')?.required).toBe(false);
  });

  it('shows stored secrets as saved, empty and no longer required, and fills stored settings', () => {
    const fields = fieldsFor(amazon, connected);
    expect(fields.filter((f) => f.saved).map((f) => f.name)).toEqual(['clientId', 'clientSecret', 'refreshToken']);
    expect(fields.every((f) => !f.saved || !f.required)).toBe(true);
    const state = initialState(amazon, connected);
    expect(state.values['settings.marketplaceIds']).toBe('ATVPDKIKX0DER');
    expect(state.values['credentials.clientSecret']).toBe('');
    expect(state.pollIntervalSeconds).toBe('300');
    expect(validate(amazon, connected, state)).toEqual({});
  });

  it('refuses a new connection without its required setting and secrets', () => {
    const state = initialState(amazon);
    state.values['credentials.clientId'] = 'id';
    expect(validate(amazon, undefined, state)).toEqual({
      'settings.marketplaceIds': 'Required.',
      'credentials.clientSecret': 'Required.',
      'credentials.refreshToken': 'Required.',
    });
  });

  it('refuses a poll interval under a minute', () => {
    const state = initialState(amazon, connected);
    state.pollIntervalSeconds = '30';
    expect(validate(amazon, connected, state)).toEqual({ pollIntervalSeconds: 'At least 60 seconds.' });
  });

  it('sends only typed secrets, so empty ones keep the stored values', () => {
    const state = initialState(amazon, connected);
    state.values['credentials.refreshToken'] = '  Atzr|new  ';
    state.values['settings.region'] = '';
    expect(toRequest(amazon, state)).toEqual({
      enabled: true,
      settings: { marketplaceIds: 'ATVPDKIKX0DER' },
      credentials: { refreshToken: 'Atzr|new' },
      pollIntervalSeconds: 300,
    });
  });

  it('sends no poll interval for a webhook channel', () => {
    const woo: ChannelCatalogEntry = { ...amazon, channel: 'WooCommerce', kind: 'webhook', requiredSettings: [], optionalSettings: [], credentials: ['webhookSecret'] };
    const state = initialState(woo);
    state.values['credentials.webhookSecret'] = 's3cret';
    state.pollIntervalSeconds = '120';
    expect(toRequest(woo, state)).toEqual({ enabled: true, settings: {}, credentials: { webhookSecret: 's3cret' }, pollIntervalSeconds: null });
  });

  it('maps server validation errors onto the fields', () => {
    expect(serverErrors({ 'credentials.accessToken': ['Required.'], 'settings.x': ['Unknown.', 'Really.'] })).toEqual({
      'credentials.accessToken': 'Required.',
      'settings.x': 'Unknown. Really.',
    });
  });

  it('labels camel case names as words', () => {
    expect(labelFor('webhookSecret')).toBe('Webhook secret');
    expect(labelFor('adAccountId')).toBe('Ad account id');
  });

  it('reads a rejected-credentials status as a person needs it', () => {
    const lines = statusLines(
      {
        state: 'credentials-rejected',
        lastSyncAt: '2026-11-25T09:00:00Z',
        lastSuccessAt: null,
        lastError: 'Invalid OAuth access token.',
        eventsIngested: 12,
        nextSyncAt: null,
        lastSummary: null,
      },
      'poller',
      (iso) => `at ${iso}`,
    );
    expect(lines).toEqual([
      { label: 'State', value: 'Credentials rejected' },
      { label: 'Last sync', value: 'at 2026-11-25T09:00:00Z' },
      { label: 'Last success', value: 'Never' },
      { label: 'Last error', value: 'Invalid OAuth access token.' },
      { label: 'Events ingested', value: '12' },
      { label: 'Next sync', value: 'After the credentials are saved again' },
    ]);
  });

  it('offers optional secrets (PayPal REST app) without requiring them', () => {
    const paypal: ChannelCatalogEntry = {
      channel: 'PayPal',
      kind: 'webhook',
      requiredSettings: ['webhookId'],
      optionalSettings: ['environment'],
      credentials: [],
      optionalCredentials: ['clientId', 'clientSecret'],
      webhookPath: '/webhooks/paypal/{tenantId}/{storeId}',
      description: 'PayPal webhooks',
    };
    const fields = fieldsFor(paypal);
    expect(fields.filter((f) => f.group === 'credentials').map((f) => [f.name, f.required, f.secret])).toEqual([
      ['clientId', false, true],
      ['clientSecret', false, true],
    ]);
    const state = initialState(paypal);
    state.values['settings.webhookId'] = 'WH-1';
    expect(validate(paypal, undefined, state)).toEqual({});
  });
});

