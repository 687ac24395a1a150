import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api';
import type { StoreSummary } from '../../lib/types';
import type { WallView } from './types';
import { allGone, rotateSeconds, showable, storesAndTokens, tokenStateAfter, type TokenState } from './wallState';

const store = (storeId: string): StoreSummary => ({ tenantId: 'acme', storeId, name: storeId, channel: 'Shopify', currency: 'GBP', timeZone: 'UTC' });
const view = (id: string, stores: StoreSummary[]): WallView => ({
  tenantId: 'acme',
  stores,
  dashboard: { id, tenantId: 'acme', name: id, layout: [], widgets: [], createdAt: '', updatedAt: '' },
});

describe('tokenStateAfter', () => {
  it('treats 404 and 410 as a link that will not work again', () => {
    expect(tokenStateAfter(undefined, { error: new ApiError(410, 'gone') })).toEqual({ status: 'gone' });
    expect(tokenStateAfter(undefined, { error: new ApiError(404, 'unknown') })).toEqual({ status: 'gone' });
  });

  it('keeps the last dashboard when the server cannot be reached', () => {
    const shown = view('a', []);
    const afterFailure = tokenStateAfter({ status: 'ok', view: shown }, { error: new TypeError('Failed to fetch') });
    expect(afterFailure).toEqual({ status: 'unreachable', previous: shown });
    expect(tokenStateAfter(afterFailure, { error: new ApiError(503, 'busy') })).toEqual({ status: 'unreachable', previous: shown });
  });
});

describe('rotation', () => {
  const states = new Map<string, TokenState>([
    ['t1', { status: 'ok', view: view('a', [store('uk'), store('us')]) }],
    ['t2', { status: 'gone' }],
    ['t3', { status: 'unreachable', previous: view('c', [store('us'), store('de')]) }],
  ]);

  it('rotates through working links in URL order and skips revoked ones', () => {
    expect(showable(['t3', 't2', 't1'], states).map((s) => s.view.dashboard.id)).toEqual(['c', 'a']);
  });

  it('is over only when every link is gone', () => {
    expect(allGone(['t1', 't2'], states)).toBe(false);
    expect(allGone(['t2'], states)).toBe(true);
    expect(allGone(['t9'], states)).toBe(false);
  });

  it('watches each store once, with the token of the first dashboard that shows it', () => {
    const { stores, tokenFor } = storesAndTokens(showable(['t1', 't3'], states));
    expect(stores.map((s) => s.storeId)).toEqual(['uk', 'us', 'de']);
    expect(Object.fromEntries(tokenFor)).toEqual({ 'acme/uk': 't1', 'acme/us': 't1', 'acme/de': 't3' });
  });

  it('reads the rotation interval from the URL within sane bounds', () => {
    expect(rotateSeconds('?rotate=45')).toBe(45);
    expect(rotateSeconds('')).toBe(30);
    expect(rotateSeconds('?rotate=1')).toBe(30);
    expect(rotateSeconds('?rotate=soon')).toBe(30);
  });
});
