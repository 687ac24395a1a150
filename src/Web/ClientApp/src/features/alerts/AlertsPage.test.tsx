// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AlertPause, AlertsApi, AlertView } from './api';
import { AlertsPage } from './AlertsPage';

function alert(id: string, status: AlertView['status']): AlertView {
  return {
    id,
    tenantId: 'acme',
    storeId: 'uk-shop',
    ruleId: 'r1',
    ruleName: `Rule ${id}`,
    kind: 'NoOrders',
    status,
    firedAt: '2026-11-25T15:00:00Z',
    acknowledgedAt: status === 'Acknowledged' ? '2026-11-25T15:05:00Z' : null,
    acknowledgedBy: status === 'Acknowledged' ? 'ann@example.com' : null,
    resolvedAt: status === 'Resolved' ? '2026-11-25T15:10:00Z' : null,
    message: `Message ${id}`,
  };
}

function fakeApi(pauses: AlertPause[] = []): AlertsApi {
  return {
    list: vi.fn(() => Promise.resolve([alert('a1', 'Firing'), alert('a2', 'Acknowledged'), alert('a3', 'Resolved')])),
    acknowledge: vi.fn(() => Promise.resolve(alert('a1', 'Acknowledged'))),
    pauses: vi.fn(() => Promise.resolve(pauses)),
    pause: vi.fn(() => Promise.resolve({ tenantId: 'acme', storeId: null, until: '2026-11-28T00:00:00Z', reason: null })),
    resume: vi.fn(() => Promise.resolve(undefined)),
  };
}

describe('AlertsPage', () => {
  it('lists alerts under firing, acknowledged and resolved, and acknowledges a firing one', async () => {
    const api = fakeApi();
    render(<AlertsPage tenantId="acme" stores={[]} canAcknowledge canPause api={api} />);
    const firing = await screen.findByTestId('alerts-firing');
    expect(within(firing).getByTestId('alert-a1')).toBeTruthy();
    expect(within(screen.getByTestId('alerts-acknowledged')).getByText(/ann@example.com/)).toBeTruthy();
    expect(within(screen.getByTestId('alerts-resolved')).getByTestId('alert-a3')).toBeTruthy();

    fireEvent.click(within(firing).getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(api.acknowledge).toHaveBeenCalledWith('acme', 'a1'));
  });

  it('pauses one store until the chosen time and resumes a pause', async () => {
    const api = fakeApi([{ tenantId: 'acme', storeId: null, until: '2026-11-28T00:00:00Z', reason: 'Black Friday' }]);
    render(<AlertsPage tenantId="acme" stores={[{ storeId: 'uk-shop', name: 'UK shop' }]} canAcknowledge canPause api={api} />);
    expect((await screen.findByTestId('pause-organisation')).textContent).toContain('Black Friday');

    fireEvent.change(screen.getByLabelText('Pause'), { target: { value: 'uk-shop' } });
    fireEvent.change(screen.getByLabelText('until'), { target: { value: '2026-11-27T09:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Pause all alerts' }));
    await waitFor(() =>
      expect(api.pause).toHaveBeenCalledWith('acme', { storeId: 'uk-shop', until: new Date('2026-11-27T09:30').toISOString(), reason: null }),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Resume now' }));
    await waitFor(() => expect(api.resume).toHaveBeenCalledWith('acme', null));
  });

  it('offers no acknowledge or pause to someone who may not', async () => {
    render(<AlertsPage tenantId="acme" stores={[]} canAcknowledge={false} canPause={false} api={fakeApi()} />);
    await screen.findByTestId('alert-a1');
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Pause all alerts' })).toBeNull();
  });
});
