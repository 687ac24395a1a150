// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreSummary } from '../../../lib/types';
import { makeTiles } from '../../../test/fixtures';
import { settle } from '../../../test/fakeHub';
import { newWidget, widgetTitle } from '../catalogue';
import { WidgetBody } from '../Widgets';
import { WidgetDataContext, type AlertBody, type WidgetDataSource } from './widgetData';

const uk: StoreSummary = { tenantId: 'acme', storeId: 'uk', name: 'UK shop', channel: 'Shopify', currency: 'GBP', timeZone: 'Europe/London' };
const us: StoreSummary = { tenantId: 'acme', storeId: 'us', name: 'US shop', channel: 'Shopify', currency: 'USD', timeZone: 'America/New_York' };

const alert = (id: string, storeId: string, firedAt: string, status: AlertBody['status'], message: string): AlertBody => ({
  id,
  tenantId: 'acme',
  storeId,
  ruleName: 'Revenue watch',
  status,
  firedAt,
  resolvedAt: status === 'Resolved' ? firedAt : null,
  message,
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('alerts list', () => {
  it('lists both stores’ alerts newest first and reads again when the tiles reach a new minute', async () => {
    const byStore: Record<string, AlertBody[]> = {
      uk: [alert('a1', 'uk', '2026-11-25T14:10:00Z', 'Resolved', 'Revenue dropped below £100')],
      us: [alert('a2', 'us', '2026-11-25T15:02:00Z', 'Firing', 'Orders fell 60 % against last week')],
    };
    let calls = 0;
    const source: WidgetDataSource = {
      topProducts: () => Promise.reject(new Error('not used')),
      forecast: () => Promise.reject(new Error('not used')),
      insights: () => Promise.reject(new Error('not used')),
      countries: () => Promise.reject(new Error('not used')),
      recentOrders: () => Promise.reject(new Error('not used')),
      alerts: async (store) => {
        calls++;
        return [...(byStore[store.storeId] ?? [])];
      },
    };
    const widget = newWidget('alerts', 'alerts');
    expect(widgetTitle(widget)).toBe('Alerts');
    const ui = (asOf: string) => (
      <WidgetDataContext.Provider value={source}>
        <WidgetBody
          widget={widget}
          entries={[uk, us].map((store) => ({ store, tiles: makeTiles({ tenantId: 'acme', storeId: store.storeId, asOf, eventsApplied: 7 }) }))}
          onDrill={() => {}}
        />
      </WidgetDataContext.Provider>
    );

    const { rerender } = render(ui('2026-11-25T15:05:10Z'));
    await act(settle);
    const items = () => within(screen.getByTestId('widget-alerts-alerts')).getAllByRole('listitem');
    expect(items().map((li) => [li.getAttribute('data-alert'), li.getAttribute('data-status'), li.textContent])).toEqual([
      ['a2', 'Firing', 'Firing10:02:00Orders fell 60 % against last week · US shop'],
      ['a1', 'Resolved', 'Resolved14:10:00Revenue dropped below £100 · UK shop'],
    ]);
    expect(calls).toBe(2);

    // Same minute, nothing new: no read. The next minute: read again, though no order arrived.
    rerender(ui('2026-11-25T15:05:40Z'));
    await act(settle);
    expect(calls).toBe(2);
    byStore.uk!.unshift(alert('a3', 'uk', '2026-11-25T15:06:00Z', 'Firing', 'No orders for 15 minutes'));
    rerender(ui('2026-11-25T15:06:05Z'));
    await act(settle);
    expect(calls).toBe(4);
    expect(items()[0]!.getAttribute('data-alert')).toBe('a3');
  }, 30_000);
});
