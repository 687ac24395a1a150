// @vitest-environment jsdom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { FakeHubConnection } from '../../test/fakeHub';
import { AlertToasts, type AlertToastMessage } from './AlertToasts';
import { browserNotificationState, enableBrowserNotifications, showBrowserNotification } from './browserNotifications';

const toast = (id: string, status = 'Firing'): AlertToastMessage => ({
  alertId: id, tenantId: 'acme', storeId: 'uk-shop', ruleName: 'Checkout broken', kind: 'NoOrders', status,
  text: 'Checkout broken: no orders for 30 minutes.', firedAt: '2026-11-25T15:00:00Z', resolvedAt: null,
});

describe('AlertToasts', () => {
  it('joins every organisation\'s alerts and shows each alert as a toast that leads to it', async () => {
    const hub = new FakeHubConnection();
    const navigate = vi.fn();
    const notifyBrowser = vi.fn();
    render(<AlertToasts tenantIds={['acme', 'globex']} navigate={navigate} connect={() => hub} notifyBrowser={notifyBrowser} />);
    await waitFor(() => expect(hub.invocations.map((i) => [i.method, i.args[0]])).toEqual([['SubscribeAlerts', 'acme'], ['SubscribeAlerts', 'globex']]));
    await waitFor(() => expect(screen.getByTestId('alert-toasts').dataset.state).toBe('listening'));

    act(() => hub.emit('alert', toast('a1')));
    const shown = await screen.findByTestId('toast-a1');
    expect(shown.textContent).toContain('no orders for 30 minutes');
    expect(notifyBrowser).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole('link', { name: /Checkout broken/ }));
    expect(navigate).toHaveBeenCalledWith('/t/acme/alerts?alert=a1');
    expect(screen.queryByTestId('toast-a1')).toBeNull();
  });

  it('rejoins after a reconnect and keeps only the newest toasts', async () => {
    const hub = new FakeHubConnection();
    render(<AlertToasts tenantIds={['acme']} navigate={() => {}} connect={() => hub} notifyBrowser={() => {}} />);
    await waitFor(() => expect(hub.invocations).toHaveLength(1));
    act(() => hub.dropAndRetry());
    expect(screen.getByTestId('alert-toasts').dataset.state).toBe('connecting');
    hub.reconnect();
    await waitFor(() => expect(hub.invocations).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId('alert-toasts').dataset.state).toBe('listening'));
    act(() => {
      for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) hub.emit('alert', toast(id));
    });
    expect(await screen.findByTestId('toast-a5')).toBeTruthy();
    expect(screen.queryByTestId('toast-a1')).toBeNull();
    expect(screen.getAllByRole('status')).toHaveLength(4);
  });

  it('shows one toast and one notification when the shared connection hears the same alert through both its groups', async () => {
    const hub = new FakeHubConnection();
    const notifyBrowser = vi.fn();
    render(<AlertToasts tenantIds={['acme']} navigate={() => {}} connect={() => hub} notifyBrowser={notifyBrowser} />);
    await waitFor(() => expect(hub.invocations).toHaveLength(1));
    act(() => {
      hub.emit('alert', toast('a1'));
      hub.emit('alert', toast('a1'));
    });
    expect(await screen.findByTestId('toast-a1')).toBeTruthy();
    expect(screen.getAllByRole('status')).toHaveLength(1);
    expect(notifyBrowser).toHaveBeenCalledTimes(1);
    // The resolution is news of its own.
    act(() => hub.emit('alert', toast('a1', 'Resolved')));
    expect(notifyBrowser).toHaveBeenCalledTimes(2);
  });

  it('connects to nothing for someone in no organisation', () => {
    const connect = vi.fn(() => new FakeHubConnection());
    render(<AlertToasts tenantIds={[]} navigate={() => {}} connect={connect} />);
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('browser notifications', () => {
  function fakeHost(permission: NotificationPermission, answer: NotificationPermission = 'granted') {
    const shown: string[] = [];
    const store = new Map<string, string>();
    class FakeNotification {
      static permission = permission;
      static requestPermission = vi.fn(() => Promise.resolve(answer));
      onclick: (() => void) | null = null;
      constructor(title: string) {
        shown.push(title);
      }
      close() {}
    }
    const localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) } as unknown as Storage;
    return { host: { Notification: FakeNotification as never, localStorage }, shown, FakeNotification };
  }

  it('are off, and ask nothing, until turned on by a click; then an alert shows one', async () => {
    const { host, shown, FakeNotification } = fakeHost('default');
    expect(browserNotificationState(host)).toBe('off');
    expect(showBrowserNotification('Checkout broken', 'text', 'a1', () => {}, host)).toBe(false);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();

    FakeNotification.permission = 'granted';
    expect(browserNotificationState(host)).toBe('off');
    expect(await enableBrowserNotifications(host)).toBe('on');
    expect(showBrowserNotification('Checkout broken', 'text', 'a1', () => {}, host)).toBe(true);
    expect(shown).toEqual(['Checkout broken']);
  });

  it('say so when the browser refuses', async () => {
    const { host } = fakeHost('default', 'denied');
    expect(await enableBrowserNotifications(host)).toBe('off');
    expect(browserNotificationState(fakeHost('denied').host)).toBe('denied');
  });
});
