// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AlertPause, AlertRuleView, AlertsApi, AlertView } from './api';
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

const rule: AlertRuleView = {
  id: 'r1', tenantId: 'acme', storeId: 'uk-shop', name: 'Checkout broken', kind: 'NoOrders', metric: 'Orders', direction: 'Below', threshold: null,
  windowMinutes: 30, comparison: 'LastWeek', minimumSeverity: 'Low', frequencyMinutes: 60, recipients: [], webhookUrl: null, inApp: true,
  quietHours: null, enabled: true, channel: null, pausedReason: null, cannotEvaluate: null,
};

function fakeApi(pauses: AlertPause[] = [], rules: AlertRuleView[] = [rule]): AlertsApi {
  return {
    rules: vi.fn(() => Promise.resolve(rules)),
    createRule: vi.fn(() => Promise.resolve(rule)),
    updateRule: vi.fn(() => Promise.resolve(rule)),
    deleteRule: vi.fn(() => Promise.resolve(undefined)),
    tradingHours: vi.fn(() => Promise.resolve({ opens: '08:00', closes: '22:00', timeZone: 'Europe/London' })),
    setTradingHours: vi.fn((_t: string, _s: string, body: { opens: string; closes: string }) => Promise.resolve({ ...body, timeZone: 'Europe/London' })),
    planFeatures: vi.fn(() => Promise.resolve({ tier: 'Scale', features: ['CustomAlerts', 'AdvancedAnalytics'] })),
    list: vi.fn(() => Promise.resolve([alert('a1', 'Firing'), alert('a2', 'Acknowledged'), alert('a3', 'Resolved')])),
    acknowledge: vi.fn(() => Promise.resolve(alert('a1', 'Acknowledged'))),
    snooze: vi.fn(() => Promise.resolve(alert('a1', 'Firing'))),
    unsnooze: vi.fn(() => Promise.resolve(undefined)),
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

  it('lists rules and lets an admin disable, edit and delete one', async () => {
    const api = fakeApi();
    render(<AlertsPage tenantId="acme" stores={[]} canAcknowledge canPause canEditRules api={api} />);
    const row = await screen.findByTestId('rule-r1');
    fireEvent.click(within(row).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(api.updateRule).toHaveBeenCalledWith('acme', 'r1', expect.objectContaining({ enabled: false, kind: 'NoOrders', windowMinutes: 30 })));
    fireEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(api.deleteRule).toHaveBeenCalledWith('acme', 'r1'));
    fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
    expect(within(row).getByTestId('rule-editor')).toBeTruthy();
  });

  it('offers no rule editing to someone who is not an admin', async () => {
    render(<AlertsPage tenantId="acme" stores={[]} canAcknowledge canPause={false} api={fakeApi()} />);
    await screen.findByTestId('rule-r1');
    expect(screen.queryByRole('button', { name: 'New rule' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('snoozes one open alert until the chosen time and shows a running snooze', async () => {
    const api = fakeApi();
    (api.list as ReturnType<typeof vi.fn>).mockImplementation(() =>
      Promise.resolve([alert('a1', 'Firing'), { ...alert('a2', 'Acknowledged'), snoozedUntil: '2026-11-25T18:00:00Z' }, alert('a3', 'Resolved')]),
    );
    render(<AlertsPage tenantId="acme" stores={[]} canAcknowledge canPause api={api} />);
    const firing = await screen.findByTestId('alert-a1');
    fireEvent.change(within(firing).getByLabelText('Snooze until'), { target: { value: '2026-11-25T17:30' } });
    fireEvent.click(within(firing).getByRole('button', { name: 'Snooze' }));
    await waitFor(() => expect(api.snooze).toHaveBeenCalledWith('acme', 'a1', new Date('2026-11-25T17:30').toISOString()));
    expect(screen.getByTestId('snoozed-a2')).toBeTruthy();
    fireEvent.click(within(screen.getByTestId('snoozed-a2')).getByRole('button', { name: 'Wake now' }));
    await waitFor(() => expect(api.unsnooze).toHaveBeenCalledWith('acme', 'a2'));
    expect(within(screen.getByTestId('alert-a3')).queryByLabelText('Snooze until')).toBeNull();
  });

  it('shows and saves a store\'s trading hours for an admin', async () => {
    const api = fakeApi();
    render(<AlertsPage tenantId="acme" stores={[{ storeId: 'uk-shop', name: 'UK shop' }]} canAcknowledge canPause canEditRules api={api} />);
    const opens = (await screen.findByLabelText('opens')) as HTMLInputElement;
    expect(opens.value).toBe('08:00');
    fireEvent.change(screen.getByLabelText('closes'), { target: { value: '23:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save hours' }));
    await waitFor(() => expect(api.setTradingHours).toHaveBeenCalledWith('acme', 'uk-shop', { opens: '08:00', closes: '23:30' }));
  });
});
