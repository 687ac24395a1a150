// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { tableRows } from '../../lib/csv/tableCsv';
import type { AlertsApi, AlertView } from './api';
import { AlertsPage } from './AlertsPage';
import { AlertsTable } from './AlertsTable';

const alerts: AlertView[] = [
  {
    id: 'a1', tenantId: 'acme', storeId: 'uk-shop', ruleId: 'r1', ruleName: 'No orders, 30 min', kind: 'NoOrders', status: 'Acknowledged',
    firedAt: '2026-11-25T15:00:00Z', acknowledgedAt: '2026-11-25T15:05:00Z', acknowledgedBy: 'ann@example.com', resolvedAt: null,
    message: 'No orders since 14:30, "usually 4"',
  },
  {
    id: 'a2', tenantId: 'acme', storeId: 'de-shop', ruleId: 'r2', ruleName: 'Revenue drop', kind: 'Threshold', status: 'Resolved',
    firedAt: '2026-11-24T09:00:00Z', acknowledgedAt: null, acknowledgedBy: null, resolvedAt: '2026-11-24T10:00:00Z', message: 'Revenue 40% below',
  },
];

describe('AlertsTable', () => {
  it('has a CSV button whose rows are every alert with its instants, not the screen’s local times', () => {
    render(<AlertsTable tenantId="acme" alerts={alerts} />);
    expect(screen.getByRole('button', { name: 'Download Alerts of acme as CSV' })).toBeTruthy();
    const table = document.getElementById('alerts-table') as HTMLTableElement;
    expect(tableRows(table)).toEqual([
      ['Status', 'Rule', 'Store', 'Fired', 'Acknowledged', 'Acknowledged by', 'Resolved', 'Message'],
      ['Acknowledged', 'No orders, 30 min', 'uk-shop', '2026-11-25T15:00:00Z', '2026-11-25T15:05:00Z', 'ann@example.com', '–', 'No orders since 14:30, "usually 4"'],
      ['Resolved', 'Revenue drop', 'de-shop', '2026-11-24T09:00:00Z', '–', '–', '2026-11-24T10:00:00Z', 'Revenue 40% below'],
    ]);
  });

  it('shows nothing (and so no button) when there are no alerts', () => {
    render(<AlertsTable tenantId="acme" alerts={[]} />);
    expect(screen.queryByRole('button', { name: /CSV/ })).toBeNull();
  });

  it('sits on the Alerts page under the sections, with every alert the page loaded', async () => {
    const none = () => Promise.reject(new Error('not called by this test'));
    const api: AlertsApi = {
      rules: vi.fn(() => Promise.resolve([])),
      createRule: vi.fn(none),
      updateRule: vi.fn(none),
      deleteRule: vi.fn(none),
      tradingHours: vi.fn(none),
      setTradingHours: vi.fn(none),
      planFeatures: vi.fn(() => Promise.resolve({ tier: 'Scale', features: ['CustomAlerts', 'AdvancedAnalytics'] })),
      list: vi.fn(() => Promise.resolve(alerts)),
      acknowledge: vi.fn(none),
      snooze: vi.fn(none),
      unsnooze: vi.fn(none),
      pauses: vi.fn(() => Promise.resolve([])),
      pause: vi.fn(none),
      resume: vi.fn(none),
    };
    render(<AlertsPage tenantId="acme" stores={[]} canAcknowledge={false} canPause={false} api={api} />);
    expect(await screen.findByRole('button', { name: 'Download Alerts of acme as CSV' })).toBeTruthy();
    expect(tableRows(document.getElementById('alerts-table') as HTMLTableElement)).toHaveLength(3);
  });
});
